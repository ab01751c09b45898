"""Which NIC carries the guest's default route: at most one ``defaultRoute: true`` per VM and
address family, only on a NIC that can get a gateway, and a network's ``gateway`` that loses to
another secondary's reaches no route (SPEC §2 interfaces, §3 "Guest network config"; issue 20 G1)."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.expand.cloudinit import default_route_carriers, nic_families
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import POD_NETWORK, Interface, Plan


def gateway_source(iface: Interface, nf: NetFacts | None, static: bool) -> str | None:
    """Where the guest would get this NIC's gateway, or None when it can get none.

    The pod NIC: KubeVirt's DHCP (masquerade/passt). A network's ``gateway``: networkData writes
    it (also on pool and DHCP NICs, whose KubeVirt DHCP offers no router on secondary networks).
    ``ipam: none`` without an address: the guest's own DHCP client (or IPv6 router adverts)
    on the segment may get one.
    """
    if iface.network == POD_NETWORK:
        return "the pod network's DHCP"
    if nf is None:
        return "unknown"  # an unknown network is reported by its own rule (KV204)
    if nf.gateways:
        return "gateway " + ", ".join(str(g) for g in nf.gateways)
    if nf.network.ipam == "none" and not static:
        return "the segment's own DHCP server"
    return None


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV221: a second ``defaultRoute: true`` in a VM; KV222: ``defaultRoute: true`` on a NIC
    that can get no gateway (a static address, or a KubeVirt pool/DHCP NIC, on a network without
    ``gateway``)."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        firsts: dict[int, Interface] = {}
        for iface in vm.interfaces:
            if not iface.default_route:
                continue
            at = iface.where.at("defaultRoute")
            nf = facts.networks.get(iface.network)
            families = nic_families(iface, nf, facts.pod_families)
            family = next((f for f in families if f in firsts), None)
            if family is not None:
                first = firsts[family]
                out.append(error(
                    "KV221", f"VM {vm.name!r}: interfaces[{iface.index}] (network {iface.network!r}) sets "
                    f"defaultRoute: true, but interfaces[{first.index}] (network {first.network!r}) already "
                    f"carries the IPv{family} default route", at,
                    hint=f"a guest has one IPv{family} default route; keep 'defaultRoute: true' on one IPv{family} "
                         "interface and add 'routes:' to the other network for the destinations it must reach"))
                continue
            firsts.update({f: iface for f in families})
            static = bool(iface.addresses or facts.iface(vm, iface).allocated)
            if gateway_source(iface, nf, static) is None and nf is not None and not nf.broken:
                how = "a static address" if static else (
                    f"ipam {nf.network.ipam!r} (KubeVirt's DHCP offers no router on secondary networks)")
                out.append(error(
                    "KV222", f"VM {vm.name!r}: defaultRoute: true on network {iface.network!r}, which has no "
                    f"gateway: with {how} the guest can get none", at,
                    hint=f"add 'gateway:' to network {iface.network!r}, or move 'defaultRoute: true' to an "
                         "interface whose network has one"))
    return out


def unused_gateways(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV226 (warning): a VM's secondary network has a ``gateway`` that reaches no route in the
    guest, because another secondary network's NIC carries that family's default route and no
    ``routes:`` entry of the network goes through it. Losing to the pod NIC is KubeVirt's normal
    layout (the LAN's gateway documents the segment) and is not reported."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        carriers = default_route_carriers(vm, facts)
        for iface in vm.interfaces:
            nf = facts.networks.get(iface.network)
            if not iface.attached or iface.network == POD_NETWORK or nf is None or nf.broken:
                continue
            families = nic_families(iface, nf, facts.pod_families)
            for gateway in nf.gateways:
                family = gateway.version
                if family not in families:
                    continue  # a dual-stack pool's IPv6 gateway: the guest has no IPv6 there (KV601)
                winner = vm.interfaces[carriers[family]] if family in carriers else None
                if winner is None or winner.index == iface.index or winner.network == POD_NETWORK:
                    continue
                if any(str(r.get("via", "")).strip() == str(gateway) for r in nf.network.routes):
                    continue
                out.append(warning(
                    "KV226", f"VM {vm.name!r}: network {iface.network!r}'s gateway {gateway} reaches no route: "
                    f"interfaces[{winner.index}] (network {winner.network!r}) carries the IPv{family} default route",
                    iface.where.at("network"),
                    hint=f"set 'defaultRoute: true' on this interface to route through {gateway}, add 'routes:' "
                         f"via it to network {iface.network!r}, or drop its 'gateway'"))
    return out
