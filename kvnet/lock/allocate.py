"""Allocation as a pure function: a plan's old lock entries in, its new entries out (SPEC §7)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from kvnet.diagnostics import Diagnostic, error
from kvnet.lock.segment import Segment, SegKey
from kvnet.netmath import parse_ip

Entries = dict[str, dict[str, list[str]]]  # network -> VM -> addresses (no prefix), IPv4 first


#: per L2 segment and family, the addresses taken on it (integers)
Taken = dict[tuple[Hashable, int], set[int]]
Held = Mapping[str, Mapping[str, list[str]]]


def allocate(segs: Mapping[SegKey, Segment], held: Held) -> tuple[Entries, list[Diagnostic]]:
    """The lock entries of one plan after ``kvnet lock``, and KV286 for every full range.

    ``held``: the plan's entries in the current kvnet.lock (network -> VM -> address texts).
    Each address family of a network is allocated on its own (issue 25: a dual-stack VM gets
    one address per family the network allocates in).
    An entry is kept when its VM still needs an address on that network and the address is
    still free there (inside the range, not reserved, not excluded, not kept for another VM);
    every other VM that needs one gets the lowest free address of the range, VMs taken in
    name order, so neither the plan's VM or file order nor other VMs' entries move an address.
    Entries of VMs or networks that no longer need one are dropped. Networks without entries
    are left out.
    """
    return allocate_all([(segs, held)])[0]


def allocate_all(plans: Sequence[tuple[Mapping[SegKey, Segment], Held]],
                 taken: Taken | None = None) -> list[tuple[Entries, list[Diagnostic]]]:
    """:func:`allocate` for several plans together (those of one kvnet.lock), in order: a node bridge
    and VLAN (an OVS bridge and VLAN, an OVN-Kubernetes network) is no plan's (issue 24: one
    segment, one address space across plans), so an address one plan keeps or is given on a
    shared segment is taken for the others. ``taken``: addresses already used on shared
    segments (the plans' explicit ones). Every plan's held entries are kept first, then the
    lowest free addresses are handed out, so a new VM of one plan never moves another plan's
    entry."""
    shared: Taken = taken if taken is not None else {}
    own: list[Taken] = [{} for _ in plans]  # per plan: its networks on no shared segment

    def pool(n: int, key: SegKey) -> set[int]:
        seg = plans[n][0][key]
        return (shared if isinstance(seg.l2, tuple) else own[n]).setdefault((seg.l2, key[1]), set())

    kept = [{key: _keep(segs[key], held.get(key[0]) or {}, pool(n, key)) for key in sorted(segs)}
            for n, (segs, held) in enumerate(plans)]
    out: list[tuple[Entries, list[Diagnostic]]] = []
    for n, (segs, _) in enumerate(plans):
        entries: Entries = {}
        diags: list[Diagnostic] = []
        for key in sorted(segs):
            got, problem = _network(segs[key], kept[n][key], pool(n, key))
            if problem is not None:
                diags.append(problem)
            for vm, address in got.items():
                entries.setdefault(key[0], {}).setdefault(vm, []).append(address)
        out.append((entries, diags))
    return out


def _keep(seg: Segment, held: Mapping[str, list[str]], taken: set[int]) -> dict[str, int]:
    """The held entries of ``seg`` that still stand (free, not taken on its segment)."""
    kept: dict[str, int] = {}
    for vm in sorted(seg.needs):
        ips = [parse_ip(t) for t in held.get(vm) or () if isinstance(t, str)]
        ip = next((i for i in ips if i is not None and i.version == seg.version), None)
        if ip is None or seg.problem(ip) is not None or int(ip) in taken:
            continue
        kept[vm] = int(ip)
        taken.add(int(ip))
    return kept


def _network(seg: Segment, kept: dict[str, int], taken: set[int]) -> tuple[dict[str, str], Diagnostic | None]:
    """``kept`` completed: every other VM that needs an address gets the lowest free one."""
    order = sorted(seg.needs)
    missing: list[str] = []
    cursor = seg.first
    for vm in order:
        if vm in kept:
            continue
        while cursor <= seg.last and (cursor in taken or seg.blocked(cursor) is not None):
            cursor += 1
        if cursor > seg.last:
            missing.append(vm)
            continue
        kept[vm] = cursor
        taken.add(cursor)
        cursor += 1
    got = {vm: str(seg.address(kept[vm])) for vm in order if vm in kept}
    if not missing:
        return got, None
    net = seg.facts.network
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    return got, error(
        "KV286", f"network {net.name!r}: allocate range {seg.range_text} is full: its {seg.size} address"
        f"{'es' if seg.size != 1 else ''} are taken or reserved, and VM {missing[0]!r}{more} still "
        f"need{'s' if len(missing) == 1 else ''} one",
        net.at_value("allocate", net.allocates.index(seg.range_text or "")),
        hint="widen 'allocate' (inside the subnet), or give some interfaces an explicit 'address'")
