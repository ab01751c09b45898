"""Build, validate and every adapter: read kvnet.lock (never write it) and put its addresses on
the interfaces that need one, before the rules run (SPEC §7). Downstream, an allocated address
is an address like any other (in the interface's facts): networkData, the per-VM static NAD,
duplicate and subnet checks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from ipaddress import ip_interface

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.discover import inside, outside_repository
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import Plan
from kvnet.lock.lockfile import LOCK_NAME, Entry, LockFile, lock_path, read_lock
from kvnet.lock.segment import Segment, SegKey, plan_key, segments
from kvnet.netmath import parse_ip

RUN_LOCK = f"run 'kvnet lock' and commit {LOCK_NAME}"
STALE = f"the entry is left from an earlier plan: run 'kvnet lock' (it drops the entry) and commit {LOCK_NAME}"


class LockLookup:
    """Finds and reads (once per file) the kvnet.lock of each plan of one compile.

    ``lock_dir``: the directory holding the lock for every plan (the kustomize plugin: beside
    the generator file; ``kvnet fn``: beside the functionConfig's path, else its working
    directory); None: beside each plan's first file (build, validate, cmp generate).
    """

    def __init__(self, lock_dir: str | None = None, input_root: str | None = None) -> None:
        self.lock_dir = lock_dir
        self.input_root = input_root  # Argo CD: the lock must lie inside the repository (BuildOptions)
        self._read: dict[str, LockFile] = {}

    def path_for(self, plan: Plan) -> str:
        if self.lock_dir is not None:
            return _shown(os.path.join(self.lock_dir, LOCK_NAME))
        first = plan.files[0] if plan.files else plan.where.doc.file
        return lock_path(os.path.dirname(first))

    def apply(self, plan: Plan, facts: Facts) -> list[Diagnostic]:
        """Put the lock's addresses on ``plan``'s interfaces; problems of the lock and of missing
        entries (KV280, KV282-KV285; the loader's codes for a broken file). A plan without
        ``allocate`` never reads the lock."""
        segs = segments(plan, facts)
        if not segs:
            return []
        path = self.path_for(plan)
        diags: list[Diagnostic] = []
        if self.input_root is not None and os.path.lexists(path) and not inside(path, self.input_root):
            return [outside_repository(path)]
        if path not in self._read:
            self._read[path], diags = read_lock(path)
            if any(d.is_error for d in diags):
                return diags
        lock = self._read[path]
        return diags + apply_entries(plan, segs, lock, facts)


def resolve_locks(checked: Sequence[tuple[Plan, Facts]], lock_dir: str | None = None,
                  input_root: str | None = None) -> list[Diagnostic]:
    """The lock stage, between the facts and the rules (SPEC §7): each plan's kvnet.lock
    addresses put on its interfaces that need one, each lock file read once; the problems
    of the locks and of missing entries (:meth:`LockLookup.apply`). ``lock_dir`` and
    ``input_root`` as in :class:`LockLookup`."""
    locks = LockLookup(lock_dir, input_root)
    diags: list[Diagnostic] = []
    for plan, facts in checked:
        diags.extend(locks.apply(plan, facts))
    return diags


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return os.path.normpath(path) if rel.startswith("..") else rel


def apply_entries(plan: Plan, segs: dict[SegKey, Segment], lock: LockFile, facts: Facts) -> list[Diagnostic]:
    """Check plan ``plan``'s lock entries against its segments and record each valid one in the
    interface's facts (``allocated``; issue 19: the model is never written)."""
    key = plan_key(plan)
    entries = lock.plans.get(key, {})
    diags: list[Diagnostic] = []
    allocating = {n.name for n in plan.networks if n.allocates}
    routed: dict[SegKey, dict[str, Entry]] = {}
    for net, vms in sorted(entries.items()):
        own = [seg for (name, _), seg in sorted(segs.items()) if name == net]
        if not own:
            if net not in allocating:
                diags.append(error("KV284", f"{LOCK_NAME}: plan {key!r} has no network {net!r} that allocates "
                                   "addresses", lock.network_locs[(key, net)], hint=RUN_LOCK))
            continue  # a broken allocate range is reported on the plan
        for vm, items in sorted(vms.items()):
            diags.extend(_vm_entries(key, vm, net, items, own, routed))
    for seg_key, seg in sorted(segs.items()):
        diags.extend(_assign(seg, routed.get(seg_key, {}), facts))
    return diags


def _vm_entries(key: str, vm: str, net: str, items: list[Entry], own: list[Segment],
                routed: dict[SegKey, dict[str, Entry]]) -> list[Diagnostic]:
    """``vm``'s entries on ``net`` (plan ``key``; ``own``: the network's segments) routed to
    the segments where its interface needs them, or KV284 when it needs none; nothing when the
    plan's address list is wrong (KV211, KV600: that is the problem, the lock is no fix)."""
    needing = [seg for seg in own if vm in seg.needs]
    if needing:
        return _route(vm, net, items, needing, routed)
    if any(vm in seg.unsure for seg in own):
        return []
    return [error("KV284", f"{LOCK_NAME}: VM {vm!r} of plan {key!r} has no interface on network "
                  f"{net!r} that needs an allocated address", items[0].key_loc, hint=RUN_LOCK)]


def _route(vm: str, net: str, items: list[Entry], needing: list[Segment],
           routed: dict[SegKey, dict[str, Entry]]) -> list[Diagnostic]:
    """Each of ``vm``'s entries on ``net`` to the segment of its family (an address of a family
    the network does not allocate in goes to the first, which reports it outside its range)."""
    diags: list[Diagnostic] = []
    for entry in items:
        ip = parse_ip(entry.address)
        if ip is None:
            diags.append(error("KV282", f"{LOCK_NAME}: address {entry.address!r} of VM {vm!r} on network "
                               f"{net!r} is not an IP address", entry.loc, hint=RUN_LOCK))
            continue
        seg = next((s for s in needing if s.version == ip.version), None)
        if seg is None:
            stale = _stale_family(vm, net, ip.version, needing[0].facts)
            if stale is not None:
                diags.append(error("KV284", f"{LOCK_NAME}: address {ip} of VM {vm!r} on network {net!r} is "
                                   f"stale: {stale}", entry.loc, hint=STALE))
            continue
        got = routed.setdefault((net, seg.version), {})
        if vm in got:
            diags.append(error("KV282", f"{LOCK_NAME}: address {ip} of VM {vm!r} on network {net!r} is a second "
                               f"IPv{ip.version} address", entry.loc, hint=RUN_LOCK))
            continue
        got[vm] = entry
    return diags


def _stale_family(vm: str, net: str, version: int, nf: NetFacts) -> str | None:
    """Why ``vm``'s interface on network ``net`` needs no kvnet.lock address of family
    ``version`` (KV284: the entry is stale; SPEC §7: "kvnet lock keeps every entry whose VM still
    has that interface, removes the others"), or None when a broken value of the network is
    reported on the plan already."""
    fam = nf.families.get(version)
    if fam is None or fam.subnet is None:
        return None if nf.broken else f"network {net!r} has no IPv{version} subnet"
    if fam.allocate is None:
        return None if nf.broken else f"network {net!r} has no IPv{version} allocate range"
    return f"VM {vm!r} writes its IPv{version} address in the plan"


def _assign(seg: Segment, entries: Mapping[str, Entry], facts: Facts) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    holder: dict[int, str] = {}
    family = f" IPv{seg.version}" if len(seg.facts.subnets) > 1 else ""
    for vm in sorted(seg.needs):
        iface = seg.needs[vm]
        entry = entries.get(vm)
        if entry is None:
            diags.append(error("KV280", f"VM {vm!r} has no{family} address on network {seg.name!r} in {LOCK_NAME}; "
                               f"{RUN_LOCK}", iface.where.at("network")))
            continue
        ip = parse_ip(entry.address)
        assert ip is not None  # _route reported it otherwise
        problem = seg.problem(ip)
        clash = int(ip) in seg.explicit or (problem is None and int(ip) in holder)  # KV283, else KV282
        if problem is None and int(ip) in holder:
            problem = f"is already held by VM {holder[int(ip)]!r}"
        if problem is not None:
            diags.append(error("KV283" if clash else "KV282", f"{LOCK_NAME}: address {ip} of VM {vm!r} on network "
                               f"{seg.name!r} {problem}", entry.loc, hint=RUN_LOCK))
            continue
        holder[int(ip)] = vm
        assert seg.fam.subnet is not None
        facts.interfaces[(vm, iface.index)].allocated[ip.version] = ip_interface(f"{ip}/{seg.fam.subnet.prefixlen}")
    return diags
