"""Plan networks from the NADs of existing manifests (``kvnet import``, SPEC §8): the fields a
NetworkPlan has for each CNI type, and a KV311 warning for every config key it has not."""

from __future__ import annotations

import ipaddress
import json
from kvnet.record import replace
from typing import Any

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import resource_name
from kvnet.input.model import Network
from kvnet.lint.convert import Segment
from kvnet.lint.nads import NadInfo
from kvnet.netmath import parse_ip
from kvnet.profiles import PROFILES

CANNOT_EXPRESS = "KV311"
#: the network types a NAD can be imported as (kvnet/nettypes: those kvnet writes the NAD of)
PLAN_TYPES = tuple(t.name for t in sorted(
    (t for t in nettypes.CATALOG if t.writes_nad),  # listed: node-bridge types, OVN-Kubernetes, device plugins, others
    key=lambda t: (t.node_bridge is None, t.topology is None, t.node_bridge is None and not t.resource_annotation)))
PLAN_IPAM = ("none", "static", "host-local", "whereabouts", "dhcp")
#: config keys a NetworkPlan expresses, per CNI type (SPEC §2; kvnet/expand/nads.py writes them)
PLUGIN_KEYS: dict[str, tuple[str, ...]] = {}
for _entry in nettypes.CATALOG:
    if _entry.cni_type is not None:
        PLUGIN_KEYS[_entry.cni_type] = tuple(dict.fromkeys((*PLUGIN_KEYS.get(_entry.cni_type, ()),
                                                            *_entry.config_keys)))
IPAM_KEYS: dict[str, tuple[str, ...]] = {
    "static": ("type", "addresses", "dns"),
    "host-local": ("type", "ranges"),
    "whereabouts": ("type", "range", "range_start", "range_end", "exclude", "gateway", "configuration_path",
                    "ipRanges"),
    "dhcp": ("type",),
}


def cannot(info: NadInfo, what: str) -> Diagnostic:
    """KV311 at the NAD's config: ``what`` is left out of the plan."""
    return warning(CANNOT_EXPRESS, f"NAD {info.found.name!r}: {what}", info.config_loc,
                   hint="the imported plan leaves it out; kvnet build will not reproduce it")


def _dropped(info: NadInfo, out: list[Diagnostic]) -> None:
    plugin = info.plugin or {}
    ptype = str(plugin.get("type"))
    keep = set(PLUGIN_KEYS.get(ptype, ())) | {"cniVersion", "name", "type", "ipam"}
    extra = sorted(k for k in plugin if k not in keep)
    if extra:
        out.append(cannot(info, f"config keys a NetworkPlan has no field for: {', '.join(extra)}"))
    raw_plugins = _raw_plugins(info)
    if len(raw_plugins) > 1:
        chained = ", ".join(str(p.get("type")) for p in raw_plugins[1:] if isinstance(p, dict))
        out.append(cannot(info, f"chained plugins after the first: {chained}"))
    ipam = info.ipam
    kind = ipam.get("type")
    if kind in IPAM_KEYS:
        extra = sorted(k for k in ipam if k not in IPAM_KEYS[str(kind)])
        if extra:
            out.append(cannot(info, f"ipam keys a NetworkPlan has no field for: {', '.join(extra)}"))
    problem = _pools_per_family(str(kind), ipam)
    if problem:
        out.append(cannot(info, problem))


def _pools_per_family(kind: str, ipam: dict[str, Any]) -> str | None:
    """What a plan network cannot say of a pool IPAM's ranges: it has one pool per address family
    (issue 25): host-local range sets of one range each, whereabouts ``range`` plus ``ipRanges``
    items, at most one of each family (whereabouts pkg/config/config.go reads ``range`` as the
    first of ipRanges; containernetworking/plugins host-local: one range set per family)."""
    if kind == "host-local":
        sets = ipam.get("ranges")
        if not isinstance(sets, list) or not sets:
            return None
        if any(not isinstance(r, list) or len(r) != 1 for r in sets):
            return "a host-local range set with more than one range (a plan network has one pool per family)"
        pools = [r[0].get("subnet") if isinstance(r[0], dict) else None for r in sets]
    elif kind == "whereabouts" and isinstance(ipam.get("ipRanges"), list):
        items = [ipam] if "range" in ipam else []
        items += [i for i in ipam["ipRanges"] if isinstance(i, dict)]
        extra = sorted({k for i in ipam["ipRanges"] if isinstance(i, dict) for k in i} - {"range", "range_start",
                                                                                      "range_end", "exclude"})
        if extra:
            return f"whereabouts ipRanges keys a NetworkPlan has no field for: {', '.join(extra)}"
        pools = [i.get("range") for i in items]
    else:
        return None
    families = [":" in str(p) for p in pools]
    if len(families) > 2 or len(set(families)) != len(families):
        return f"{len(pools)} {kind} pools of {'one family' if len(set(families)) == 1 else 'two families'} " \
               "(a plan network has one pool per address family)"
    return None


def _raw_plugins(info: NadInfo) -> list[Any]:
    try:
        config = json.loads(info.found.get("spec", "config"))
    except (TypeError, ValueError):
        return []
    plugins = config.get("plugins") if isinstance(config, dict) else None
    return plugins if isinstance(plugins, list) else []


def one_or_list(values: Any) -> Any:
    """A per-family plan value: the one value, or the list of one per family (issue 25)."""
    return values[0] if len(values) == 1 else list(values)


def _from_guest(entry: dict[str, Any], guest: dict[str, Any]) -> None:
    """subnet, gateway and DNS of an L2 network, as a guest's networkData gives them (every
    family its addresses have)."""
    try:
        ifaces = [ipaddress.ip_interface(str(a)) for a in guest["address"]]
    except ValueError:
        return
    if any("/" not in str(a) for a in guest["address"]):
        return
    entry["subnet"] = one_or_list([str(i.network) for i in ifaces])
    gws = [gw for g in guest.get("gateways") or [] if (gw := parse_ip(str(g))) is not None
           and any(gw in i.network for i in ifaces)]
    if gws:
        entry["gateway"] = one_or_list([str(g) for g in gws])
    dns: dict[str, Any] = {}
    for key in ("nameservers", "search"):
        values = guest.get(key)
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            dns[key] = list(values)
    if dns:
        entry["dns"] = dns
    routes = guest.get("routes")
    if isinstance(routes, list) and routes:
        entry["routes"] = [dict(r) for r in routes]


def network_entry(seg: Segment, out: list[Diagnostic], guest: dict[str, Any] | None = None
                  ) -> tuple[dict[str, Any] | None, str | None]:
    """(plan network, distribution its whereabouts config path implies) of one segment;
    None when its type has no NetworkPlan equivalent. ``guest``: what a guest's networkData
    says of an L2 segment (subnet, gateway, DNS), which its NAD cannot hold."""
    net = seg.network
    first = seg.nads[0]
    if net.type not in PLAN_TYPES:
        out.append(cannot(first, f"CNI type {net.type!r} has no NetworkPlan network type "
                                 f"(one of {', '.join(PLAN_TYPES)}); the network and its VM interfaces are left out"))
        return None, None
    for info in seg.nads:
        _dropped(info, out)
    entry: dict[str, Any] = {"name": seg.name, "type": net.type}
    _link_fields(net, entry)
    ipam = net.ipam if net.ipam in PLAN_IPAM else "none"
    if ipam != net.ipam:
        out.append(cannot(first, f"IPAM type {net.ipam!r} has no NetworkPlan equivalent; imported as ipam: none"))
    _address_fields(net, entry, ipam, guest)
    dist = _distribution_of(first)
    if dist is None and "configuration_path" in first.ipam:
        out.append(cannot(first, f"whereabouts configuration_path {first.ipam['configuration_path']!r} is not "
                                 "the k3s one kvnet writes"))
    return entry, dist


def _link_fields(net: Network, entry: dict[str, Any]) -> None:
    """The plan fields of the link itself (bridge, VLAN, parent, MTU, trunk...), in plan order;
    ``resourceName`` only where it is not the one kvnet derives (kvnet/input/facts.resource_name)."""
    for key, value in (("bridge", net.bridge), ("vlan", net.vlan), ("master", net.master), ("mode", net.mode),
                       ("mtu", net.mtu), ("spoofchk", net.spoofchk), ("trust", net.trust)):
        if value is not None:
            entry[key] = value
    if net.trunk:
        entry["trunk"] = [dict(t) for t in net.trunk]
    if net.allow_persistent_ips:
        entry["allowPersistentIPs"] = True
    rn = net.resource_name
    nt = nettypes.get(net.type)
    if rn and nt is not None and nt.resource_annotation and rn != resource_name(_without_rn(net)):
        entry["resourceName"] = rn
    if net.cni_version != "1.0.0":
        entry["cniVersion"] = net.cni_version


def _address_fields(net: Network, entry: dict[str, Any], ipam: str, guest: dict[str, Any] | None) -> None:
    """Subnet, gateway, DNS (from the guest's networkData on an L2 segment), ipam, pool and
    excluded ranges, in plan order; OVN-Kubernetes types keep a subnet without ipam."""
    nt = nettypes.get(net.type)
    ovn = nt is not None and nt.address_pool is not None
    for key, values in (("subnet", net.subnets), ("gateway", net.gateways)):
        if values and (ipam != "none" or ovn):
            entry[key] = one_or_list(values)
    dns: dict[str, Any] = {}
    if net.nameservers:
        dns["nameservers"] = list(net.nameservers)
    if net.search:
        dns["search"] = list(net.search)
    if dns:
        entry["dns"] = dns
    if ipam == "none" and guest:
        _from_guest(entry, guest)
    entry["ipam"] = ipam
    if net.ranges and ipam in ("host-local", "whereabouts"):
        entry["range"] = one_or_list(net.ranges)
    exclude = [e for e in net.exclude if not any(_auto_gateway_exclude(e, g) for g in net.gateways)]
    if exclude and (ipam == "whereabouts" or ovn):
        entry["exclude"] = exclude


def _without_rn(net: Any) -> Any:
    return replace(net, resource_name=None)


def _auto_gateway_exclude(item: str, gateway: str | None) -> bool:
    """kvnet excludes a whereabouts pool's own gateway by itself (kvnet/expand/nads.py)."""
    gw = parse_ip(gateway) if gateway else None
    return gw is not None and item == f"{gw}/{gw.max_prefixlen}"


def _distribution_of(info: NadInfo) -> str | None:
    path = info.ipam.get("configuration_path")
    if not isinstance(path, str):
        return None
    return "k3s" if path == PROFILES["k3s"].whereabouts_config else None
