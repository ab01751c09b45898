"""ConfigDrive networkData: OpenStack ``network_data.json`` for every NIC (issue 25 part 4).

A VM with ``cloudInit.datasource: configDrive`` gets a ``cloudInitConfigDrive`` volume; KubeVirt
writes its ``networkData`` verbatim as ``openstack/latest/network_data.json`` on the config-2
drive (KubeVirt pkg/cloud-init/cloud-init.go, ``ConfigDrive``; kubevirt/kubevirt#6268 for
Windows guests). The format is OpenStack Nova's (nova/virt/netutils.py
``get_network_metadata``): ``links`` (one per NIC, matched by ``ethernet_mac_address``),
``networks`` (one per address, ``link`` naming the link's ``id``), ``services`` (DNS).

What the readers take from it, and so what kvnet writes:

- cloud-init (``cloudinit/sources/helpers/openstack.py`` ``convert_net_json``, 22.4 and 26.2):
  a link's ``name`` names the NIC (kvnet: ``eth<N>``, as the NoCloud netplan's ``set-name``);
  a network of type ``ipv4``/``ipv6`` becomes a static subnet (``ip_address``, ``netmask``),
  ``ipv4_dhcp``/``ipv6_dhcp`` a DHCP one; ``routes`` entries (``network``, ``netmask``,
  ``gateway``, and cloud-init's ``metric``) are copied; the subnet keys ``dns_nameservers`` and
  ``dns_search`` are copied from the network as they stand (22.4.2 reads DNS only there), 26.2
  also reads the network's ``services`` of type ``dns``.
- cloudbase-init 1.1.9 (``cloudbaseinit/metadata/services/baseopenstackservice.py``
  ``get_network_details_v2``, applied by ``plugins/common/networkconfig.py``): a link's ``id``
  becomes the Windows adapter's name (found by MAC); only ``ipv4``/``ipv6`` networks are
  configured (DHCP NICs keep Windows' DHCP), with ``ip_address``/``netmask``, the gateway of a
  route whose prefix length is 0, and the network's ``services`` DNS (else the top-level
  ``services`` of the address's family). Other routes and search domains are not applied.

The default route per family is the NoCloud one (:func:`kvnet.expand.cloudinit.default_route_carriers`):
a route ``0.0.0.0``/``0.0.0.0`` (``::``/``::``) via the carrier's gateway. The format has no way
to make a DHCP NIC refuse its server's router (rule KV625 reports the case where that matters).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from kvnet.expand.cloudinit import default_route_carriers, guest_ifname, nic_family
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.families import IfaceFacts
from kvnet.input.model import POD_NETWORK, VM, Interface

#: the OpenStack link type of a plain NIC (cloudbase-init treats any other as physical too)
LINK_TYPE = "phy"
_ANY = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


def _route(to: ipaddress.IPv4Network | ipaddress.IPv6Network, via: str, metric: Any = None) -> dict[str, Any]:
    """One OpenStack route: ``network``/``netmask`` (a dotted or IPv6 mask, as Nova writes both)."""
    out: dict[str, Any] = {"network": str(to.network_address), "netmask": str(to.netmask), "gateway": via}
    if metric is not None:
        out["metric"] = metric  # cloud-init's route key; OpenStack readers ignore it
    return out


def _routes(nf: NetFacts | None, carries: bool) -> list[dict[str, Any]]:
    """The default route (when ``carries``), then the network's own ``routes``."""
    if nf is None:
        return []
    out: list[dict[str, Any]] = []
    if carries and nf.gateway is not None:
        out.append(_route(_ANY[nf.gateway.version], str(nf.gateway)))
    for route in nf.network.routes:
        to = ipaddress.ip_network(str(route["to"]).strip(), strict=False)
        out.append(_route(to, str(route["via"]).strip(), route.get("metric")))
    return out


def _address_fields(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts) -> dict[str, Any]:
    """``type`` (and ``ip_address``/``netmask`` of a static NIC): ``ipv4``/``ipv6`` with the address
    (written or from kvnet.lock; its prefix as written, else the subnet's), else DHCP of the NIC's
    family (the pod NIC: ``ipv4_dhcp``, KubeVirt's masquerade DHCP)."""
    ip = ifacts.addresses[0] if nf is not None and ifacts.addresses else None
    if ip is not None:
        return {"type": f"ipv{ip.version}", "ip_address": str(ip.ip), "netmask": str(ip.network.netmask)}
    family = 4 if iface.network == POD_NETWORK else nic_family(iface, nf)
    if nf is not None and nf.subnet is not None:
        family = nf.subnet.version
    return {"type": f"ipv{family}_dhcp"}


def _network(iface: Interface, nf: NetFacts | None, ifacts: IfaceFacts, carries: bool) -> dict[str, Any]:
    """The ``networks`` entry of one NIC: its address (or DHCP), routes and DNS."""
    net: dict[str, Any] = {"id": f"network{iface.index}", "link": guest_ifname(iface.index),
                           **_address_fields(iface, nf, ifacts)}
    routes = _routes(nf, carries)
    if routes:
        net["routes"] = routes
    if nf is not None and nf.network.nameservers:
        net["dns_nameservers"] = list(nf.network.nameservers)
        net["services"] = [{"type": "dns", "address": a} for a in nf.network.nameservers]
    if nf is not None and nf.network.search:
        net["dns_search"] = list(nf.network.search)
    return net


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
        carries = carriers.get(nic_family(iface, nf)) == iface.index
        net = _network(iface, nf, facts.iface(vm, iface), carries)
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
