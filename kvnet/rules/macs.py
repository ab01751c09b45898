"""MAC addresses given in the plan: valid unicast, unique per network and per VM."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error
from kvnet.rules.claims import SegmentClaims
from kvnet.input.facts import Facts
from kvnet.input.model import Plan
from kvnet.netmath import mac_problem, normalize_mac


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV217: a MAC that is not unicast, given twice in a VM, or used twice on one L2 segment
    (SPEC §4; several networks may share a segment: kvnet.rules.claims.l2_segment)."""
    out: list[Diagnostic] = []
    per_net = SegmentClaims(facts)
    for vm in plan.vms:
        in_vm: dict[str, int] = {}
        for iface in vm.interfaces:
            if iface.mac is None:
                continue
            mac = normalize_mac(iface.mac)
            problem = mac_problem(mac)
            if problem:
                out.append(error("KV217", f"VM {vm.name!r}: MAC {iface.mac} {problem}", iface.where.at("mac"),
                                 hint="use a locally administered unicast MAC such as 02:xx:xx:xx:xx:xx, "
                                      "or leave 'mac' out to get a stable derived one"))
                continue
            if mac in in_vm:
                out.append(error("KV217", f"VM {vm.name!r}: MAC {mac} is given to interfaces[{in_vm[mac]}] too",
                                 iface.where.at("mac")))
                continue
            in_vm[mac] = iface.index
            first = per_net.claim(iface.network, mac, f"VM {vm.name!r}")
            if first:
                out.append(error("KV217", f"VM {vm.name!r}: MAC {mac} is already used {first}",
                                 iface.where.at("mac")))
    return out
