"""cloud-init networkData (netplan v2) for every NIC (SPEC §1 row 10, §3 "Guest network config").

Written so that cloud-init 22.4 (Debian 12) to 26.x, with each of its renderers (netplan,
networkd, eni, sysconfig, network-manager), and netplan itself configure the same guest:

- every NIC is matched by MAC and renamed ``eth<N>`` (its position in ``interfaces:``);
- exactly one NIC carries the default route (:func:`default_route_index`); it is written
  ``to: 0.0.0.0/0`` / ``to: ::/0`` with the network's gateway, also on DHCP NICs, because
  KubeVirt's DHCP server offers no router on secondary networks. ``to: default`` is never
  written: cloud-init < 25.3 rejects it outside its netplan pass-through. On a NIC with a static
  IPv6 address it is ``gateway6:`` instead: cloud-init 22.4 normalises a route twice and the
  second pass drops the prefix length 0, turning ``::/0`` into ``::/64`` in every renderer but
  netplan, while ``gateway6`` reaches all of them (netplan 0.106 accepts it with a deprecation
  warning; writing both makes netplan report conflicting default routes);
- no other NIC gets a default route; a DHCP NIC that must not win says so twice, because the
  renderers honour different keys: ``use-routes: false`` (netplan, networkd) and
  ``route-metric`` (eni, sysconfig, network-manager from 26.x). The sysconfig renderer also
  turns off DHCP default routes (``DHCLIENT_SET_DEFAULT_ROUTE=no``) on every DHCP NIC as soon
  as any NIC has a static default route (cloudinit/net/sysconfig.py);
- every network's ``dns`` and ``routes`` reach each NIC attached to it.
"""

from __future__ import annotations

import functools
from typing import Any

from kvnet.input.facts import Facts, NetFacts
from kvnet.input.families import MASQUERADE_IPV6, MASQUERADE_IPV6_GATEWAY, IfaceFacts
from kvnet.input.model import POD_NETWORK, VM, Interface
from kvnet.netmath import IPAddress, IPInterface

# A DHCP NIC that must not carry the default route: its DHCP routes rank behind the carrier's
# (DHCP default 100 in NetworkManager and sysconfig, 0 for dhclient under ifupdown, 1024 in
# networkd, static routes 0/100).
NON_DEFAULT_DHCP_METRIC = 200
DEFAULT_ROUTE_TO = {4: "0.0.0.0/0", 6: "::/0"}
#: every way networkData may say "default route": the destinations kvnet writes, and the
#: ``default`` older cloud-init rejects outside netplan (readers: lint/import, explain)
DEFAULT_ROUTE_DESTINATIONS = ("default", *DEFAULT_ROUTE_TO.values())
#: netplan's deprecated gateway keys, which kvnet writes for a static IPv6 NIC (``gateway6``)
GATEWAY_KEYS = ("gateway4", "gateway6")


def guest_ifname(index: int) -> str:
    return f"eth{index}"


def nic_families(iface: Interface, nf: NetFacts | None, pod: tuple[int, ...] = (4,)) -> tuple[int, ...]:
    """The address families a NIC can carry a default route for: the pod network's families
    (``pod``: spec.cluster.ipFamilies, IPv4 without) for the pod NIC, else its network's gateway
    families, else its subnet families, else IPv4 (issue 25: a dual-stack NIC has two). A
    dual-stack pool network gives the guest IPv4 only (:func:`ipv4_only_pool`)."""
    if iface.network == POD_NETWORK:
        return pod
    if nf is None or ipv4_only_pool(nf):
        return (4,)
    return tuple(sorted({g.version for g in nf.gateways})) or _families(nf)


def nic_family(iface: Interface, nf: NetFacts | None) -> int:
    """The first of :func:`nic_families` on an IPv4 pod network: the one family of a
    single-family NIC (IPv4 for the pod NIC, else its gateway's, else its subnet's)."""
    return nic_families(iface, nf)[0]


def ipv4_only_pool(nf: NetFacts) -> bool:
    """A pool network (host-local, whereabouts, dhcp; OVN-Kubernetes with subnets) with both
    families: the pod gets both, but KubeVirt's bridge binding hands the guest only the IPv4 one
    by DHCP (no DHCPv6 server or router adverts; rule KV601), so the guest's NIC is IPv4 only."""
    return nf.network.address_pool is not None and len(nf.subnets) > 1


def default_route_carriers(vm: VM, facts: Facts) -> dict[int, int]:
    """Family (4, 6) -> index of the interface carrying that family's default route (SPEC §3,
    per family since issue 20: an IPv6 secondary's gateway no longer loses to the IPv4 pod NIC).

    Per family: the interface with ``defaultRoute: true`` of that family (rule KV221 keeps it to
    one per family); else the pod NIC when the pod network has that family (IPv4; IPv6 too on a
    dual-stack cluster, issue 25); else the first interface whose network has a ``gateway`` of
    that family. A family without any is absent (no NIC is told to refuse a DHCP router for it
    then). Interfaces with ``state: absent`` are not candidates.
    """
    out: dict[int, int] = {}
    for family in (4, 6):
        fam = [i for i in vm.interfaces
               if i.attached and family in nic_families(i, facts.networks.get(i.network), facts.pod_families)]
        chosen = next((i for i in fam if i.default_route), None)
        if chosen is None and family in facts.pod_families:
            chosen = next((i for i in fam if i.network == POD_NETWORK), None)
        if chosen is None:
            chosen = next((i for i in fam if (nf := facts.networks.get(i.network)) is not None
                           and family in nf.families and nf.families[family].gateway is not None), None)
        if chosen is not None:
            out[family] = chosen.index
    return out


def default_route_index(vm: VM, facts: Facts) -> int | None:
    """Index of the interface carrying the guest's IPv4 default route, else its IPv6 one, or None."""
    carriers = default_route_carriers(vm, facts)
    return carriers.get(4, carriers.get(6))


def _families(nf: NetFacts | None) -> tuple[int, ...]:
    """A network's subnet families (IPv4 without a subnet)."""
    subnets = nf.subnets if nf is not None else []
    return tuple(sorted({s.version for s in subnets})) or (4,)


def _gateway(nf: NetFacts | None, family: int) -> str | None:
    fam = nf.families.get(family) if nf is not None else None
    return _text(fam.gateway) if fam is not None and fam.gateway is not None else None


@functools.lru_cache(maxsize=4096)
def _text(address: IPAddress) -> str:
    """``str(address)``, once per gateway (ipaddress formats it anew on every call; issue 28)."""
    return str(address)


def _routes(nf: NetFacts | None, defaults: list[int]) -> list[dict[str, Any]]:
    """The default route of each family in ``defaults`` via the network's gateway of that
    family, then the network's own ``routes`` as given."""
    if nf is None:
        return []
    out: list[dict[str, Any]] = []
    for family in defaults:
        via = _gateway(nf, family)
        if via is not None:
            out.append({"to": DEFAULT_ROUTE_TO[family], "via": via})
    for route in nf.network.routes:
        entry: dict[str, Any] = {"to": str(route["to"]).strip(), "via": str(route["via"]).strip()}
        if route.get("metric") is not None:
            entry["metric"] = route["metric"]
        out.append(entry)
    return out


def guest_addressing(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts,
                     pod: tuple[int, ...]) -> tuple[list[IPInterface], list[int], dict[int, str]]:
    """(the NIC's static addresses, the families it asks DHCP for, family -> the gateway of each
    family it has statically).

    Per family: its static address (written or allocated); the pod NIC's IPv6 on a dual-stack
    cluster is KubeVirt's masquerade address (:data:`MASQUERADE_IPV6`); every other family the
    NIC has (its network's subnets; IPv4 without) asks DHCP (``dhcp6``: routers come from RAs);
    a dual-stack pool asks DHCPv4 only (:func:`ipv4_only_pool`); a trunk NIC without address none.
    """
    if iface.network == POD_NETWORK:
        addrs = [MASQUERADE_IPV6] if 6 in pod and MASQUERADE_IPV6 is not None else []
        return addrs, [4] if 4 in pod else [], {6: MASQUERADE_IPV6_GATEWAY} if addrs else {}
    addrs = ifacts.addresses if nf is not None else []
    dhcp = [f for f in _families(nf) if f not in {a.version for a in addrs}] if not addrs or (
        nf is not None and len(nf.subnets) > 1) else []
    if not addrs and iface.vlans:
        dhcp = []  # a trunk NIC whose addresses are on its VLANs: link up, no DHCP on the untagged frames
    if nf is not None and ipv4_only_pool(nf):
        dhcp = [4]
    return addrs, dhcp, {a.version: g for a in addrs if (g := _gateway(nf, a.version)) is not None}


def _addressing(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts, pod: tuple[int, ...],
                carriers: dict[int, int]) -> tuple[dict[str, Any], dict[int, str]]:
    """The NIC's addresses and DHCP keys (:func:`guest_addressing`), and its static gateways."""
    eth: dict[str, Any] = {}
    addrs, dhcp, static = guest_addressing(iface, nf, ifacts, pod)
    if addrs:
        eth["addresses"] = [f"{a.ip}/{a.network.prefixlen}" for a in addrs]
    if 4 in dhcp:
        eth["dhcp4"] = True
        if carriers.get(4, iface.index) != iface.index:
            eth["dhcp4-overrides"] = {"use-routes": False, "route-metric": NON_DEFAULT_DHCP_METRIC}
    if 6 in dhcp:
        eth["dhcp6"] = True  # DHCPv6 carries no routes (routers come from RAs)
        if "dhcp4-overrides" in eth:
            # netplan generate refuses a NIC whose dhcp4 and dhcp6 overrides differ in route-metric
            # ("networkd requires that route-metric has the same value in both", netplan 0.106)
            six: dict[str, Any] = {"route-metric": NON_DEFAULT_DHCP_METRIC}
            if carriers.get(6, iface.index) != iface.index:
                six = {"use-routes": False, **six}
            eth["dhcp6-overrides"] = six
    return eth, static


def _ethernet(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts, mac: str, carriers: dict[int, int],
              pod: tuple[int, ...]) -> dict[str, Any]:
    """netplan ``ethernets`` entry of one interface; ``carriers`` from :func:`default_route_carriers`."""
    eth: dict[str, Any] = {"match": {"macaddress": mac}, "set-name": guest_ifname(iface.index)}
    addressing, static = _addressing(iface, nf, ifacts, pod, carriers)
    eth.update(addressing)
    carried = [f for f in nic_families(iface, nf, pod) if carriers.get(f) == iface.index]
    for family in carried:
        if family in static:
            # a static NIC's default route as gateway4/gateway6: eni renders it as its native
            # 'gateway' line (cloud-init 22.4 writes routes as 'post-up route add', lost without
            # net-tools), and 22.4 turns a routed '::/0' into '::/64'
            eth[GATEWAY_KEYS[0 if family == 4 else 1]] = static[family]
    routes = _routes(nf if iface.network != POD_NETWORK else None, [f for f in carried if f not in static])
    if routes:
        eth["routes"] = routes
    if nf is not None:
        ns: dict[str, Any] = {}
        if nf.network.nameservers:
            ns["addresses"] = list(nf.network.nameservers)
        if nf.network.search:
            ns["search"] = list(nf.network.search)
        if ns:
            eth["nameservers"] = ns
        if nf.network.mtu is not None:
            eth["mtu"] = nf.network.mtu
    return eth


def network_data(vm: VM, facts: Facts, macs: dict[tuple[str, int], str]) -> dict[str, Any]:
    """netplan v2 ``{"version": 2, "ethernets": {eth<N>: {...}}}`` for every interface of ``vm``.

    cloud-init stops configuring the first NIC by itself once networkData exists, so the pod
    NIC is written out too (``dhcp4``; on a dual-stack cluster also KubeVirt's masquerade IPv6
    address). ``macs`` maps (vm name, interface index) to its MAC.
    An interface with ``state: absent`` (hot-unplugged) gets no entry; the others keep their
    ``eth<N>`` names, so nothing else in the guest changes.
    """
    carriers = default_route_carriers(vm, facts)
    ethernets = {
        guest_ifname(iface.index): _ethernet(iface, facts.networks.get(iface.network), facts.iface(vm, iface),
                                             macs[(vm.name, iface.index)], carriers, facts.pod_families)
        for iface in vm.interfaces if iface.attached
    }
    out: dict[str, Any] = {"version": 2, "ethernets": ethernets}
    vlans = {name: entry for iface in vm.interfaces if iface.attached for name, entry in _vlans(iface, facts)}
    if vlans:
        out["vlans"] = vlans
    return out


def _vlans(iface: Interface, facts: Facts) -> list[tuple[str, dict[str, Any]]]:
    """netplan ``vlans`` entries of a trunk NIC (issue 24): ``eth<N>.<id>`` with ``id``, ``link``
    and its addresses, one per family (issue 25), each with the prefix of the subnet of its family
    on the plan network of that VLAN when written without one. The v2 keys cloud-init's
    network_state reads for every renderer (cloudinit/net/network_state.py, handle_vlans: id,
    link, addresses; 22.4 and 26.x alike)."""
    nf = facts.networks.get(iface.network)
    if nf is None:
        return []
    out = []
    parent = guest_ifname(iface.index)
    for vlan in iface.vlans:
        segment = facts.vlan_network(nf.network, vlan.id)
        addresses = [_prefixed(address, segment) for address in vlan.addresses]
        out.append((f"{parent}.{vlan.id}", {"id": vlan.id, "link": parent, "addresses": addresses}))
    return out


def _prefixed(address: str, segment: NetFacts | None) -> str:
    """``address`` with the prefix length of ``segment``'s subnet of its family, if it has none."""
    if "/" in address or segment is None:
        return address
    family = 6 if ":" in address else 4
    fam = segment.families.get(family)
    return f"{address}/{fam.subnet.prefixlen}" if fam is not None and fam.subnet is not None else address
