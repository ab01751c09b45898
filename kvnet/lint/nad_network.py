"""The plan network a NetworkAttachmentDefinition describes: the inverse of kvnet/expand/nads.py
for the plugins and IPAM types kvnet writes (SPEC §8 "each NAD")."""

from __future__ import annotations

from functools import partial
from typing import Any

from kvnet import nettypes
from kvnet.input.model import Network
from kvnet.lint.nads import NadInfo
from kvnet.lint.where import MappedWhere
from kvnet.nettypes.spec import loose_network, str_or_none
from kvnet.outputcheck.cni_semantics import whereabouts_range


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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


def _plugin_fields(p: dict[str, Any]) -> dict[str, Any]:
    """The plan fields a plugin config gives (the inverse of kvnet/expand/nads.py): the keys every
    config is read for, then those of its type's catalog entry (kvnet/nettypes)."""
    ptype = str(p.get("type"))
    entry = nettypes.by_config(ptype, p.get("topology"))
    fields: dict[str, Any] = {"type": entry.name if entry is not None else ptype}
    for ck in (*nettypes.GENERIC_KEYS, *(entry.cni_keys if entry is not None else ())):
        if ck.field is not None:
            fields[nettypes.PLAN_FIELDS.get(ck.field, ck.field)] = ck.decode(p.get(ck.key))
    return fields


def network_from_nad(info: NadInfo, name: str) -> Network:
    """The plan network a NAD describes; every field positioned at the NAD's ``config`` key."""
    p = info.plugin or {}
    found = info.found
    where = MappedWhere(found.doc, found.path, locs={"name": partial(found.loc, "metadata", "name")},
                        fallback=info.config_loc)
    net = Network(name=name, where=where, resource_name=info.resource_name, cni_version=str(p.get("cniVersion")),
                  **_plugin_fields(p))
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
