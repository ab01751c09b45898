"""Stable MAC addresses for every interface (SPEC §1 row 10)."""

from __future__ import annotations

from kvnet.input.model import Plan
from kvnet.netmath import derive_mac, normalize_mac


def assign_macs(plan: Plan) -> dict[tuple[str, int], str]:
    """(vm name, interface index) -> MAC. Given MACs are kept; the others are
    derived from namespace/vm/network and never repeat one already in the plan."""
    taken: set[str] = set()
    out: dict[tuple[str, int], str] = {}
    for vm in plan.vms:
        for iface in vm.interfaces:
            if iface.mac:
                mac = normalize_mac(iface.mac)
                out[(vm.name, iface.index)] = mac
                taken.add(mac)
    ns = plan.namespace or ""
    for vm in sorted(plan.vms, key=lambda v: v.name):
        for iface in vm.interfaces:
            if (vm.name, iface.index) in out:
                continue
            salt = 0
            mac = derive_mac(f"{ns}/{vm.name}/{iface.network}")
            while mac in taken:
                salt += 1
                mac = derive_mac(f"{ns}/{vm.name}/{iface.network}", salt)
            taken.add(mac)
            out[(vm.name, iface.index)] = mac
    return out
