"""The plan network a NetworkAttachmentDefinition describes: the inverse of kvnet/expand/nads.py
for the plugins and IPAM types kvnet writes (SPEC §8 "each NAD")."""

from __future__ import annotations

import ipaddress
from functools import partial
from typing import Any

from kvnet.input.model import Network
from kvnet.lint.nads import NadInfo
from kvnet.lint.where import MappedWhere
from kvnet.outputcheck.cni_semantics import whereabouts_range


def str_or_none(value: Any) -> str | None:
    """``value`` when it is a non-empty string."""
    return value if isinstance(value, str) and value else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _i(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def loose_network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network of ``a.b.c.d/n`` (host bits masked off), None when ``text`` is not one."""
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False) if isinstance(text, str) else None
    except ValueError:
        return None


def _pool(ipam: dict[str, Any], net: Network) -> None:
    """subnet, gateway and range of a host-local or whereabouts IPAM section."""
    if net.ipam == "host-local":
        ranges = ipam.get("ranges")
        first = ranges[0][0] if isinstance(ranges, list) and ranges and isinstance(ranges[0], list) \
            and ranges[0] and isinstance(ranges[0][0], dict) else ipam
        subnet, start, end = first.get("subnet"), first.get("rangeStart"), first.get("rangeEnd")
        net.gateway = str_or_none(first.get("gateway"))
    else:
        ranges = ipam.get("ipRanges")  # whereabouts' list form: its first range, as kvnet models one
        if "range" not in ipam and isinstance(ranges, list) and ranges and isinstance(ranges[0], dict):
            ipam = {**ranges[0], "gateway": ipam.get("gateway")}
        subnet, start, end = ipam.get("range"), ipam.get("range_start"), ipam.get("range_end")
        read = whereabouts_range(subnet)  # a.b.c.d/n with host bits, or FIRST-LAST/n
        if read is not None:
            subnet = str(read[0])
            if read[1] is not None:  # FIRST-LAST/n: whereabouts takes both bounds from it
                start, end = str(read[1]), str(read[2])
        net.gateway = str_or_none(ipam.get("gateway"))
        net.exclude = [e for e in _list(ipam.get("exclude")) if isinstance(e, str)]
    loose = loose_network(subnet)
    net.subnet = str(loose) if loose is not None else None
    if str_or_none(start) and str_or_none(end):
        net.range = f"{start}-{end}"


#: OVN-Kubernetes secondary networks: the config's topology -> the plan type (SPEC §9)
OVN_TYPES = {"layer2": "ovn-layer2", "localnet": "ovn-localnet"}


def _on(value: Any) -> bool | None:
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def _plugin_fields(p: dict[str, Any], net: Network) -> None:
    """The fields of ovs, OVN-Kubernetes and sriov configs (the inverse of kvnet/expand/nads.py)."""
    if net.type in ("ovs", "bridge"):  # ovs-cni "trunk", the bridge plugin's "vlanTrunk" (same items)
        net.trunk = [t for t in _list(p.get("trunk" if net.type == "ovs" else "vlanTrunk")) if isinstance(t, dict)
                     and all(isinstance(v, int) and not isinstance(v, bool) for v in t.values())]
    elif net.type in OVN_TYPES.values():
        net.vlan = _i(p.get("vlanID"))
        net.allow_persistent_ips = p.get("allowPersistentIPs") is True
        net.ovn_network = str_or_none(p.get("name"))  # NADs of one name are one network
        subnets = str_or_none(p.get("subnets"))
        loose = loose_network(subnets) if subnets and "," not in subnets else None
        net.subnet = str(loose) if loose is not None else None
        excludes = str_or_none(p.get("excludeSubnets"))
        net.exclude = [e.strip() for e in excludes.split(",")] if excludes else []
    elif net.type == "sriov":
        net.spoofchk, net.trust = _on(p.get("spoofchk")), _on(p.get("trust"))


def network_from_nad(info: NadInfo, name: str) -> Network:
    """The plan network a NAD describes; every field positioned at the NAD's ``config`` key."""
    p = info.plugin or {}
    found = info.found
    where = MappedWhere(found.doc, found.path, locs={"name": partial(found.loc, "metadata", "name")},
                        fallback=info.config_loc)
    ptype = str(p.get("type"))
    if ptype == "ovn-k8s-cni-overlay":
        ptype = OVN_TYPES.get(str(p.get("topology")), ptype)
    net = Network(name=name, type=ptype, where=where, bridge=str_or_none(p.get("bridge")), vlan=_i(p.get("vlan")),
                  master=str_or_none(p.get("device")) if ptype == "host-device" else str_or_none(p.get("master")),
                  mode=str_or_none(p.get("mode")), mtu=_i(p.get("mtu")), resource_name=info.resource_name,
                  cni_version=str(p.get("cniVersion")))
    _plugin_fields(p, net)
    ipam = info.ipam
    kind = str_or_none(ipam.get("type"))
    net.ipam = kind or "none"
    if kind in ("host-local", "whereabouts"):
        _pool(ipam, net)
    elif kind == "static":
        addresses = ipam.get("addresses")
        first = addresses[0] if isinstance(addresses, list) and addresses and isinstance(addresses[0], dict) else {}
        loose = loose_network(first.get("address"))
        net.subnet = str(loose) if loose is not None else None
        net.gateway = str_or_none(first.get("gateway"))
    dns = ipam.get("dns")
    dns = dns if isinstance(dns, dict) else {}
    net.nameservers = [n for n in _list(dns.get("nameservers")) if isinstance(n, str)]
    net.search = [n for n in _list(dns.get("search")) if isinstance(n, str)]
    return net
