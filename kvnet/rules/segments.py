"""Networks that share an L2 segment agree on its subnet (issue 24: one segment, one address space)."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import Plan
from kvnet.rules.claims import describe, l2_segment

SUBNETS_DISAGREE = "KV292"


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV292 (warning): a network whose subnet differs from the subnet (of the same IP family) of
    an earlier network on the same L2 segment (:func:`kvnet.rules.claims.l2_segment`): its guests
    and the other network's share the frames but not the addresses they expect to reach directly.
    Networks without a subnet agree with every one."""
    first: dict[tuple[tuple[str, ...], int], NetFacts] = {}
    out: list[Diagnostic] = []
    for nf in facts.networks.values():
        seg = l2_segment(nf.network)
        if seg is None or nf.subnet is None:
            continue
        earlier = first.setdefault((seg, nf.subnet.version), nf)
        if earlier is nf or earlier.subnet == nf.subnet:
            continue
        net, other = nf.network, earlier.network
        out.append(warning(
            SUBNETS_DISAGREE, f"network {net.name!r}: subnet {nf.subnet} differs from subnet "
            f"{earlier.subnet} of network {other.name!r} on the same L2 segment ({describe(seg)})",
            net.where.at("subnet"),
            hint=f"networks on one segment share one address space: give {net.name!r} subnet {earlier.subnet}, "
                 "or put it on another bridge or VLAN"))
    return out
