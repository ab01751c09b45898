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


def _pool(ipam: dict[str, Any], kind: str) -> dict[str, Any]:
    """Network fields (subnets, gateways, ranges; whereabouts' exclude) of a host-local or
    whereabouts IPAM section ``kind``, one per family
    (issue 25): host-local's range sets (the first range of each), whereabouts' ``range`` and
    its ``ipRanges`` (whereabouts pkg/config/config.go reads ``range`` as ipRanges[0])."""
    out: dict[str, Any] = {}
    if kind == "host-local":
        ranges = [r[0] for r in _list(ipam.get("ranges")) if isinstance(r, list) and r and isinstance(r[0], dict)]
        found = [(r.get("subnet"), r.get("rangeStart"), r.get("rangeEnd"), r.get("gateway")) for r in ranges[:2]] \
            or [(ipam.get("subnet"), ipam.get("rangeStart"), ipam.get("rangeEnd"), ipam.get("gateway"))]
    else:
        items = ([ipam] if "range" in ipam else []) + [r for r in _list(ipam.get("ipRanges")) if isinstance(r, dict)]
        found = []
        for n, item in enumerate(items[:2] or [ipam]):
            subnet, start, end = item.get("range"), item.get("range_start"), item.get("range_end")
            read = whereabouts_range(subnet)  # a.b.c.d/n with host bits, or FIRST-LAST/n
            if read is not None:
                subnet = str(read[0])
                if read[1] is not None:  # FIRST-LAST/n: whereabouts takes both bounds from it
                    start, end = str(read[1]), str(read[2])
            found.append((subnet, start, end, ipam.get("gateway") if n == 0 else None))
        out["exclude"] = [e for item in items[:2] or [ipam] for e in _list(item.get("exclude")) if isinstance(e, str)]
    subnets = [loose_network(f[0]) for f in found]
    return out | {"subnets": tuple(str(s) for s in subnets if s is not None),
            "gateways": tuple(g for f in found if (g := str_or_none(f[3])) is not None),
            "ranges": tuple(f"{f[1]}-{f[2]}" for f in found if str_or_none(f[1]) and str_or_none(f[2]))}


def _plugin_fields(p: dict[str, Any]) -> dict[str, Any]:
    """The plan fields a plugin config gives (the inverse of kvnet/expand/nads.py): the keys every
    config is read for, then those of its type's catalog entry (kvnet/nettypes)."""
    ptype = str(p.get("type"))
    entry = nettypes.by_config(ptype, p.get("topology"))
    fields: dict[str, Any] = {"type": entry.name if entry is not None else ptype}
    for ck in (*nettypes.GENERIC_KEYS, *(entry.cni_keys if entry is not None else ())):
        if ck.field is not None:
            fields[nettypes.PLAN_FIELDS.get(ck.field, ck.field)] = ck.decode(p.get(ck.key))
    if "subnet" in fields:  # the model keeps one subnet per family (issue 25)
        fields["subnets"] = fields.pop("subnet")
    return fields


def network_from_nad(info: NadInfo, name: str) -> Network:
    """The plan network a NAD describes; every field positioned at the NAD's ``config`` key."""
    p = info.plugin or {}
    found = info.found
    where = MappedWhere(found.doc, found.path, locs={"name": partial(found.loc, "metadata", "name")},
                        fallback=info.config_loc)
    ipam = info.ipam
    kind = str_or_none(ipam.get("type"))
    fields = _plugin_fields(p)
    if kind in ("host-local", "whereabouts"):
        fields.update(_pool(ipam, kind))
    elif kind == "static":
        entries = [a for a in _list(ipam.get("addresses")) if isinstance(a, dict)][:2] or [{}]
        subnets = [loose_network(a.get("address")) for a in entries]
        fields["subnets"] = tuple(str(s) for s in subnets if s is not None)
        fields["gateways"] = tuple(g for a in entries if (g := str_or_none(a.get("gateway"))) is not None)
    dns = ipam.get("dns")
    dns = dns if isinstance(dns, dict) else {}
    fields.update(ipam=kind or "none", nameservers=[n for n in _list(dns.get("nameservers")) if isinstance(n, str)],
                  search=[n for n in _list(dns.get("search")) if isinstance(n, str)])
    return Network(name=name, where=where, resource_name=info.resource_name, cni_version=str(p.get("cniVersion")),
                   **fields)
