"""What the CNI configuration schemas cannot say: a subnet is a network address, pool bounds
and gateways lie inside their subnet, in order (host-local, whereabouts and static IPAM, as
the reference plugins and whereabouts read them)."""

from __future__ import annotations

import ipaddress
from typing import Any

from kvnet.outputcheck.problem import Cause, PathT, Problem, problem_at


def _network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return None


def _address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        return None


def whereabouts_range(text: object) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                             ipaddress.IPv4Address | ipaddress.IPv6Address | None,
                                             ipaddress.IPv4Address | ipaddress.IPv6Address | None] | None:
    """(network, first, last) of a whereabouts ``range`` as whereabouts reads it, None if it
    cannot: ``a.b.c.d/n`` (host bits masked off: the README's own ``192.168.2.225/28``) or
    ``FIRST-LAST/n`` (whereabouts pkg/config/config.go, LoadIPAMConfig: FIRST inside LAST/n)."""
    if not isinstance(text, str):
        return None
    first_text, dash, cidr = text.rpartition("-") if "-" in text else ("", "", text)
    try:
        iface = ipaddress.ip_interface(cidr.strip())
        first = ipaddress.ip_address(first_text.strip()) if dash else None
    except ValueError:
        return None
    if first is not None and (first.version != iface.version or first not in iface.network):
        return None
    return iface.network, first, iface.ip if dash else None


def _pool_problems(
    where: PathT,
    subnet: object,
    start: object,
    end: object,
    gateway: object,
    names: tuple[str, str, str, str],
    host_bits: bool = False,
) -> list[Problem]:
    """Subnet must be a network address (``host_bits``: the plugin masks them off); pool bounds
    and gateway inside it, in order."""
    problems: list[Problem] = []
    net = _network(subnet)
    if net is None:
        return problems  # the schema already reported it
    sub_key, start_key, end_key, gw_key = names
    try:
        ipaddress.ip_network(str(subnet), strict=True)
    except ValueError:
        if not host_bits:
            problems.append(problem_at((*where, sub_key), f"{str(subnet)!r} has host bits set (network is {net})",
                                       Cause.HOST_BITS))
    bounds: dict[str, ipaddress.IPv4Address | ipaddress.IPv6Address] = {}
    for key, value in ((start_key, start), (end_key, end), (gw_key, gateway)):
        if value is None:
            continue
        addr = _address(value)
        if addr is None:
            continue
        if addr.version != net.version or addr not in net:
            problems.append(problem_at((*where, key), f"{str(value)!r} is outside {sub_key} {net}", Cause.OUTSIDE))
        else:
            bounds[key] = addr
    if start_key in bounds and end_key in bounds and bounds[start_key] > bounds[end_key]:  # type: ignore[operator]
        problems.append(problem_at((*where, end_key), f"{str(end)!r} is before {start_key} {str(start)!r}",
                                   Cause.OUTSIDE))
    return problems


def _whereabouts_problems(where: PathT, ipam: dict[str, Any], gateway: object, foreign: bool) -> list[Problem]:
    """A whereabouts range (``ipam`` or an ``ipRanges`` entry): its pool bounds, gateway and
    ``exclude`` inside it; in a configuration kvnet did not write, every form whereabouts reads."""
    read = whereabouts_range(ipam.get("range")) if foreign else None
    dashed = read is not None and read[1] is not None  # FIRST-LAST/n sets both bounds
    problems = _pool_problems(
        where,
        str(read[0]) if read is not None else ipam.get("range"),
        read[1] if read is not None and dashed else ipam.get("range_start"),
        read[2] if read is not None and dashed else ipam.get("range_end"),
        gateway,
        ("range", "range_start", "range_end", "gateway"),
        host_bits=foreign,
    )
    excludes = ipam.get("exclude")
    net = read[0] if read is not None else _network(ipam.get("range"))
    if isinstance(excludes, list) and net is not None:
        for i, item in enumerate(excludes):
            ex = _network(item)
            if ex is not None and (ex.version != net.version or not ex.subnet_of(net)):  # type: ignore[arg-type]
                problems.append(problem_at((*where, "exclude", i), f"{str(item)!r} is outside range {net}",
                                           Cause.OUTSIDE))
    return problems


def semantic_problems(config: dict[str, Any], prefix: PathT, foreign: bool = False) -> list[Problem]:
    """Checks JSON Schema cannot express: host bits in subnets, pools inside subnets (``prefix``
    leads every path). Run only on a configuration that passed its schema. ``foreign``: a
    configuration kvnet did not write, so every form the plugin reads is fine (whereabouts:
    see :func:`whereabouts_range`)."""
    ipam = config.get("ipam")
    if not isinstance(ipam, dict):
        return []
    base = (*prefix, "ipam")
    kind = ipam.get("type")
    if kind == "host-local":
        return _host_local_problems(base, ipam)
    if kind == "whereabouts":
        return _whereabouts_ipam_problems(base, ipam, foreign)
    if kind == "static" and isinstance(ipam.get("addresses"), list):
        return _static_problems(base, ipam["addresses"])
    return []


def _host_local_problems(base: PathT, ipam: dict[str, Any]) -> list[Problem]:
    """host-local's older single-range form (still read by containernetworking/plugins
    plugins/ipam/host-local/backend/allocator/config.go) and each range of its ``ranges``."""
    names = ("subnet", "rangeStart", "rangeEnd", "gateway")
    problems: list[Problem] = []
    if "subnet" in ipam:
        problems += _pool_problems(base, ipam.get("subnet"), ipam.get("rangeStart"), ipam.get("rangeEnd"),
                                   ipam.get("gateway"), names)
    for i, rangeset in enumerate(ipam["ranges"] if isinstance(ipam.get("ranges"), list) else []):
        for j, rng in enumerate(rangeset if isinstance(rangeset, list) else []):
            if isinstance(rng, dict):
                problems += _pool_problems((*base, "ranges", i, j), rng.get("subnet"), rng.get("rangeStart"),
                                           rng.get("rangeEnd"), rng.get("gateway"), names)
    return problems


def _whereabouts_ipam_problems(base: PathT, ipam: dict[str, Any], foreign: bool) -> list[Problem]:
    """whereabouts' ``range`` and its list form ``ipRanges`` (read as 'range' is: whereabouts
    pkg/config/config.go; kvnet writes a dual-stack network's second family there)."""
    problems: list[Problem] = []
    if "range" in ipam:
        problems += _whereabouts_problems(base, ipam, ipam.get("gateway"), foreign)
    ranges = ipam.get("ipRanges")
    if foreign and "range" not in ipam and not (isinstance(ranges, list) and ranges):
        problems.append(problem_at((*base, "ipRanges" if "ipRanges" in ipam else "range"),
                                   "whereabouts has no range to allocate from: give 'range' or a list "
                                   "'ipRanges' of {\"range\": ...}"))
    for i, item in enumerate(ranges if isinstance(ranges, list) else []):
        where = (*base, "ipRanges", i)
        if not isinstance(item, dict):
            problems.append(problem_at(where, f"{item!r} is not an object {{\"range\": ...}}"))
        elif whereabouts_range(item.get("range")) is None:
            problems.append(problem_at((*where, "range"), f"{str(item.get('range'))!r} is not a CIDR "
                                       "(or FIRST-LAST/n)"))
        else:
            problems += _whereabouts_problems(where, item, item.get("gateway"), foreign)
    return problems


def _static_problems(base: PathT, addresses: list[Any]) -> list[Problem]:
    """The static IPAM plugin: each address's gateway inside the address's network."""
    problems: list[Problem] = []
    for i, item in enumerate(addresses):
        if not isinstance(item, dict) or "gateway" not in item:
            continue
        net = _network(item.get("address"))
        gw = _address(item["gateway"])
        if net is not None and gw is not None and (gw.version != net.version or gw not in net):
            problems.append(problem_at((*base, "addresses", i, "gateway"),
                                       f"{str(item['gateway'])!r} is outside {net}", Cause.OUTSIDE))
    return problems
