"""ConfigDrive networkData: OpenStack ``network_data.json`` for every NIC (issue 25 part 4).

A VM with ``cloudInit.datasource: configDrive`` gets a ``cloudInitConfigDrive`` volume; KubeVirt
writes its ``networkData`` verbatim as ``openstack/latest/network_data.json`` on the config-2
drive (KubeVirt pkg/cloud-init/cloud-init.go, ``ConfigDrive``; kubevirt/kubevirt#6268 for
Windows guests). The format is OpenStack Nova's (nova/virt/netutils.py
``get_network_metadata``): ``links`` (one per NIC, matched by ``ethernet_mac_address``),
``networks`` (one per address family of a NIC, ``link`` naming the link's ``id``: a dual-stack
port gets an ``ipv4`` and an ``ipv6`` network on one link, issue 25), ``services`` (DNS).

What the readers take from it, and so what kvnet writes:

- cloud-init (``cloudinit/sources/helpers/openstack.py`` ``convert_net_json``, 22.4 and 26.2):
  a link's ``name`` names the NIC (kvnet: ``eth<N>``, as the NoCloud netplan's ``set-name``);
  a network of type ``ipv4``/``ipv6`` becomes a static subnet (``ip_address``, ``netmask``),
  ``ipv4_dhcp``/``ipv6_dhcp`` a DHCP one; ``routes`` entries (``network``, ``netmask``,
  ``gateway``, and cloud-init's ``metric``) are copied; the subnet keys ``dns_nameservers`` and
  ``dns_search`` are copied from the network as they stand (22.4.2 reads DNS only there), 26.2
  also reads the network's ``services`` of type ``dns``. Both networks of a link become subnets
  of one interface (both addresses on it; a static ``ipv6`` one turns ``accept-ra`` off).
- cloudbase-init 1.1.9 (``cloudbaseinit/metadata/services/baseopenstackservice.py``
  ``get_network_details_v2``, applied by ``plugins/common/networkconfig.py``): a link's ``id``
  becomes the Windows adapter's name (found by MAC); only ``ipv4``/``ipv6`` networks are
  configured (DHCP NICs keep Windows' DHCP), with ``ip_address``/``netmask``, the gateway of a
  route whose prefix length is 0, and the network's ``services`` DNS (else the top-level
  ``services`` of the address's family). Other routes and search domains are not applied.

Which families a NIC has, static or by DHCP, is the NoCloud netplan's
(:func:`kvnet.expand.cloudinit.guest_addressing`: the pod NIC's IPv6 on a dual-stack cluster is
KubeVirt's masquerade address, a dual-stack pool gives the guest IPv4 only). The default route
per family is the NoCloud one (:func:`kvnet.expand.cloudinit.default_route_carriers`): a route
``0.0.0.0``/``0.0.0.0`` (``::``/``::``) via the carrier's gateway of that family, on that
family's network. The format has no way
to make a DHCP NIC refuse its server's router (rule KV626 reports the case where that matters).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from kvnet.expand.cloudinit import default_route_carriers, guest_addressing, guest_ifname
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.families import IfaceFacts
from kvnet.input.model import POD_NETWORK, VM, Interface
from kvnet.netmath import IPInterface

#: the OpenStack link type of a plain NIC (cloudbase-init treats any other as physical too)
LINK_TYPE = "phy"
_ANY = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


def _route(to: ipaddress.IPv4Network | ipaddress.IPv6Network, via: str, metric: Any = None) -> dict[str, Any]:
    """One OpenStack route: ``network``/``netmask`` (a dotted or IPv6 mask, as Nova writes both:
    nova/virt/netutils.py ``_get_nets``, ``_get_default_route``)."""
    out: dict[str, Any] = {"network": str(to.network_address), "netmask": str(to.netmask), "gateway": via}
    if metric is not None:
        out["metric"] = metric  # cloud-init's route key; OpenStack readers ignore it
    return out


def _own_routes(nf: NetFacts | None) -> list[tuple[int, dict[str, Any]]]:
    """The network's ``routes`` as (family, OpenStack route)."""
    out: list[tuple[int, dict[str, Any]]] = []
    for route in nf.network.routes if nf is not None else []:
        to = ipaddress.ip_network(str(route["to"]).strip(), strict=False)
        out.append((to.version, _route(to, str(route["via"]).strip(), route.get("metric"))))
    return out


def _default_gateway(iface: Interface, nf: NetFacts | None, family: int, static: dict[int, str]) -> str | None:
    """The gateway of ``family``'s default route on this NIC: its static gateway of that family
    (the pod NIC's masquerade IPv6 gateway included), else, on a DHCP family of a secondary, the
    network's gateway (KubeVirt's DHCP on secondaries offers no router, as for NoCloud); the pod
    NIC's DHCP router is its IPv4 default route."""
    if family in static:
        return static[family]
    if iface.network == POD_NETWORK or nf is None or family not in nf.families:
        return None
    gateway = nf.families[family].gateway
    return str(gateway) if gateway is not None else None


def _family_network(family: int, addr: IPInterface | None) -> dict[str, Any]:
    """``type`` and, for a static family, ``ip_address``/``netmask`` (its prefix as written, else the
    subnet's); a DHCP family is ``ipv4_dhcp``/``ipv6_dhcp`` (cloud-init: ``dhcp6`` with
    ``accept-ra``; Nova writes ``ipv<N>_dhcp`` where Neutron's DHCP serves the subnet)."""
    if addr is None:
        return {"type": f"ipv{family}_dhcp"}
    return {"type": f"ipv{family}", "ip_address": str(addr.ip), "netmask": str(addr.network.netmask)}


def _networks(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts, pod: tuple[int, ...],
              carriers: dict[int, int]) -> list[dict[str, Any]]:
    """The ``networks`` entries of one NIC: one per address family it has, IPv4 first, as Nova
    writes a port with an IPv4 and an IPv6 subnet (nova/virt/netutils.py ``get_network_metadata``),
    each with its family's default route when the NIC carries it, the network's routes of that
    family and the network's DNS (:func:`_dns`). Ids: ``network<N>`` for the NIC's first network,
    ``network<N>-ipv6`` for a second one."""
    addrs, dhcp, static = guest_addressing(iface, nf, ifacts, pod)
    by_family: dict[int, IPInterface] = {a.version: a for a in addrs}
    families = sorted(set(by_family) | set(dhcp))
    own = _own_routes(nf if iface.network != POD_NETWORK else None)
    out: list[dict[str, Any]] = []
    for n, family in enumerate(families):
        net: dict[str, Any] = {"id": f"network{iface.index}" + ("" if n == 0 else f"-ipv{family}"),
                               "link": guest_ifname(iface.index), **_family_network(family, by_family.get(family))}
        routes = []
        via = _default_gateway(iface, nf, family, static) if carriers.get(family) == iface.index else None
        if via is not None:
            routes.append(_route(_ANY[family], via))
        # a route of a family the NIC has no network of stays on its first network (as before issue 25)
        routes += [r for f, r in own if f == family or (n == 0 and f not in families)]
        if routes:
            net["routes"] = routes
        net.update(_dns(nf))
        out.append(net)
    return out


def _dns(nf: NetFacts | None) -> dict[str, Any]:
    """The network's DNS on each of the NIC's networks, both families' servers on each: as
    ``services`` (OpenStack's per-network DNS, read by cloudbase-init and cloud-init 26.2) and as
    cloud-init's ``dns_nameservers``/``dns_search`` (22.4.2 reads only these). Every family's
    network carries all of them because the readers keep them per network: cloud-init's eni
    renderer keeps a subnet's servers of the subnet's own family (cloudinit/net/eni.py
    ``_iface_add_subnet``, 26.2), sysconfig writes one ``DNS1..3`` per interface from each subnet
    in turn (cloudinit/net/sysconfig.py ``_render_subnets``), and cloudbase-init sets the adapter's
    DNS servers once per network, the last call winning (cloudbaseinit/osutils/windows.py
    ``set_static_network_config`` -> ``_set_interface_dns``)."""
    out: dict[str, Any] = {}
    if nf is not None and nf.network.nameservers:
        out["dns_nameservers"] = list(nf.network.nameservers)
        out["services"] = [{"type": "dns", "address": a} for a in nf.network.nameservers]
    if nf is not None and nf.network.search:
        out["dns_search"] = list(nf.network.search)
    return out


def network_data_json(vm: VM, facts: Facts, macs: dict[tuple[str, int], str]) -> dict[str, Any]:
    """``{"links": [...], "networks": [...], "services": []}`` for every attached interface.

    ``macs`` maps (vm name, interface index) to its MAC. DNS servers stay on their network: the
    top-level ``services`` would reach every NIC (cloud-init's netplan renderer hangs such
    global nameservers on an interface; cloudbase-init gives them to every static network of the
    family without its own), which the plan does not ask for.
    """
    carriers = default_route_carriers(vm, facts)
    links: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for iface in vm.interfaces:
        if not iface.attached:
            continue
        nf = facts.networks.get(iface.network)
        link: dict[str, Any] = {"id": guest_ifname(iface.index), "name": guest_ifname(iface.index),
                                "type": LINK_TYPE, "ethernet_mac_address": macs[(vm.name, iface.index)]}
        if nf is not None and nf.network.mtu is not None:
            link["mtu"] = nf.network.mtu
        links.append(link)
        for net in _networks(iface, nf, facts.iface(vm, iface), facts.pod_families, carriers):
            networks.append(net)
            if net["type"].endswith("_dhcp"):
                services += _guest_wide_dns(net, services)
    return {"links": links, "networks": networks, "services": services}


def _guest_wide_dns(net: dict[str, Any], have: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A DHCP network's DNS servers as top-level ``services`` (with cloud-init's ``search``): cloud-init's
    netplan and networkd renderers drop a DHCP subnet's own ``dns_nameservers``/``dns_search``
    (cloudinit/net/netplan.py ``_extract_addresses`` reads them on static subnets only, 22.4.2 and
    26.2), but render the top-level services as the guest's nameservers (``convert_net_json``
    turns each into a v1 ``nameserver`` entry, its other keys kept)."""
    known = {s["address"] for s in have}
    search = net.get("dns_search") or []
    out = []
    for address in net.get("dns_nameservers") or []:
        if address not in known:
            out.append({"type": "dns", "address": address, **({"search": list(search)} if search else {})})
    return out


def dump_network_data_json(data: dict[str, Any]) -> str:
    """The JSON text KubeVirt writes to the drive: sorted keys, compact (KubeVirt inlines at most
    2048 bytes; more moves into the cloud-init Secret), newline-terminated."""
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"
