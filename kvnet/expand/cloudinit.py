"""cloud-init networkData (netplan v2) for every NIC (SPEC §1 row 10, §3)."""

from __future__ import annotations

from typing import Any

from kvnet.input.facts import Facts
from kvnet.input.model import POD_NETWORK, VM
from kvnet.netmath import parse_interface

SECONDARY_ROUTE_METRIC = 200  # after the pod network's DHCP default route (metric 100)
ROUTE_METRIC_STEP = 10  # each further NIC with a default route ranks lower, never equal


def guest_ifname(index: int) -> str:
    return f"eth{index}"


def network_data(vm: VM, facts: Facts, macs: dict[tuple[str, int], str]) -> dict[str, Any]:
    """netplan v2 for every interface, matched by MAC and renamed to eth<N>.

    cloud-init stops configuring the first NIC by itself once networkData exists,
    so the pod NIC is written out too (DHCP).
    """
    has_pod = any(i.network == POD_NETWORK for i in vm.interfaces)
    ranked = 0  # secondary NICs given a default route so far

    def metric() -> int | None:
        """Route metric of the next secondary default route: none for the very first when
        there is no pod NIC, then 200, 210, ... so that no two default routes tie."""
        nonlocal ranked
        ranked += 1
        rank = ranked - (0 if has_pod else 1)
        return None if rank == 0 else SECONDARY_ROUTE_METRIC + ROUTE_METRIC_STEP * (rank - 1)

    ethernets: dict[str, Any] = {}
    for iface in vm.interfaces:
        name = guest_ifname(iface.index)
        eth: dict[str, Any] = {"match": {"macaddress": macs[(vm.name, iface.index)]}, "set-name": name}
        nf = facts.networks.get(iface.network)
        if iface.network == POD_NETWORK or nf is None:
            eth["dhcp4"] = True
        elif iface.address is None:
            v6 = nf.subnet is not None and nf.subnet.version == 6
            eth["dhcp6" if v6 else "dhcp4"] = True
            if not v6:
                m = metric()
                if m is not None:
                    eth["dhcp4-overrides"] = {"route-metric": m}
        else:
            ip = parse_interface(iface.address)
            assert ip is not None
            prefix = nf.subnet.prefixlen if nf.subnet is not None and "/" not in iface.address else ip.network.prefixlen
            eth["addresses"] = [f"{ip.ip}/{prefix}"]
            if nf.gateway is not None:
                route: dict[str, Any] = {"to": "default", "via": str(nf.gateway)}
                m = metric()
                if m is not None:
                    route["metric"] = m
                eth["routes"] = [route]
            ns: dict[str, Any] = {}
            if nf.network.nameservers:
                ns["addresses"] = list(nf.network.nameservers)
            if nf.network.search:
                ns["search"] = list(nf.network.search)
            if ns:
                eth["nameservers"] = ns
        if nf is not None and nf.network.mtu is not None:
            eth["mtu"] = nf.network.mtu
        ethernets[name] = eth
    return {"version": 2, "ethernets": ethernets}
