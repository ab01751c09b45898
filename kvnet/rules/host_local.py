"""A host-local pool behind VMs (SPEC §7 "Related rules"): per-node pools, addresses that move."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


#: what holds today (issue 25): whereabouts ends the duplicates across nodes but, without IPAMClaims
#: (no released whereabouts honours them: k8snetworkplumbingwg/whereabouts#557), still gives a VM's
#: new pod a new address on restart (whereabouts#500) and live migration (kubevirt/kubevirt#14320)
WHEREABOUTS_TOO = ("'ipam: whereabouts' only ends the duplicates: it too gives a VM a new address on restart and "
                   "live migration (no released whereabouts honours IPAMClaims, whereabouts#557)")
HINT = ("use 'ipam: static' (or none) with 'allocate: START-END': kvnet keeps each VM's address in kvnet.lock, so "
        f"it holds across restart and live migration; {WHEREABOUTS_TOO}")


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV281 (warning) once per ``ipam: host-local`` network that a VM interface uses.

    host-local keeps its allocations in files on each node (CNI plugins docs, host-local:
    "allocates ip addresses out of a set of address ranges... stores the state locally on the
    host filesystem"): two nodes hand out the same address, and a migrated VM gets a new one
    (kubevirt/kubevirt#7967). The hint is ``HINT``.
    """
    used = {iface.network for vm in plan.vms for iface in vm.interfaces}
    out: list[Diagnostic] = []
    for name, nf in facts.networks.items():
        net = nf.network
        if net.ipam != "host-local" or name not in used:
            continue
        out.append(warning(
            "KV281", f"network {name!r}: ipam 'host-local' allocates per node: VMs on different nodes can "
            "receive the same address, and a VM's address changes when it moves to another node",
            net.where.at("ipam"),
            hint=HINT))
    return out
