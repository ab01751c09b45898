"""Dual-stack networks KubeVirt cannot give the guest both families on (issue 25)."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV601 (warning): a pool network (host-local, whereabouts, OVN-Kubernetes with a subnet)
    with an IPv4 and an IPv6 subnet that VMs attach to. The pod gets both addresses, but
    KubeVirt's bridge binding hands the guest only the IPv4 one (its DHCPv4 server); it runs no
    DHCPv6 server and sends no router adverts there (kubevirt/kubevirt#7979: "we don't plan to
    implement IPv6 DHCP server and RA for the bridge binding"; #5499, #7775). networkData then
    asks DHCP for IPv4 only (kvnet/expand/cloudinit.py)."""
    used = {i.network for vm in plan.vms for i in vm.interfaces}
    out: list[Diagnostic] = []
    for name, nf in facts.networks.items():
        net = nf.network
        if name not in used or net.address_pool is None or len({s.version for s in nf.subnets}) < 2:
            continue
        six = next(s for s in nf.subnets if s.version == 6)
        out.append(warning(
            "KV601", f"network {name!r}: the {net.address_pool} pool gives each pod an IPv6 address from {six}, "
            "but KubeVirt's bridge binding hands the guest only the IPv4 one (no DHCPv6 server or router "
            "adverts on it)", net.at_value("subnet", next(i for i, s in enumerate(net.subnets) if ":" in s)),
            hint="for IPv6 in the guest use 'ipam: static' or 'ipam: none' with per-family addresses "
                 "(or 'allocate:'), which networkData writes"))
    return out
