"""Address expectations: what the plugins report and configure must be what was asked.

- static IPAM: the reported addresses equal the configured ``addresses``;
- host-local: one address per range set, inside its subnet and range, not the gateway;
- no IPAM: no addresses at all.

Some mistakes the plugins accept silently (a static address that is the network or
broadcast address of its subnet, a gateway outside the subnet); :func:`config_problems`
reports those from the config itself.
"""

from __future__ import annotations

import ipaddress
import json
from kvnet.record import dataclass, field
from typing import Any

from kvnet.verify.plugins import ipam_type

IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _iface(text: Any) -> IPInterface | None:
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


def _addr(text: Any) -> IPAddress | None:
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Range:
    subnet: IPNetwork
    start: IPAddress
    end: IPAddress
    gateway: IPAddress | None

    def contains(self, addr: IPAddress) -> bool:
        return addr.version == self.start.version and int(self.start) <= int(addr) <= int(self.end)

    def __str__(self) -> str:
        return f"{self.start}-{self.end} in {self.subnet}"


@dataclass
class Expectation:
    kind: str  # "none" | "static" | "host-local" | "unchecked"
    static: list[IPInterface] = field(default_factory=list)
    range_sets: list[list[Range]] = field(default_factory=list)

    def describe(self) -> str:
        if self.kind == "none":
            return "no IPAM"
        if self.kind == "static":
            return "static " + ", ".join(str(a) for a in self.static)
        if self.kind == "host-local":
            return "host-local " + "; ".join(", ".join(str(r) for r in rs) for rs in self.range_sets)
        return "addresses not checked"


def _range(raw: dict[str, Any]) -> Range | None:
    try:
        subnet = ipaddress.ip_network(str(raw.get("subnet")), strict=False)
    except ValueError:
        return None
    first = subnet.network_address + 1
    last = subnet.broadcast_address - (1 if subnet.version == 4 else 0)
    if subnet.num_addresses <= 2:
        first, last = subnet.network_address, subnet.broadcast_address
    start = _addr(raw.get("rangeStart"))
    end = _addr(raw.get("rangeEnd"))
    start = first if start is None else start
    end = last if end is None else end
    return Range(subnet, start, end, _addr(raw.get("gateway")))


def _host_local_ranges(ipam: dict[str, Any]) -> list[list[Range]]:
    sets: list[list[Range]] = []
    raw_sets = ipam.get("ranges")
    if isinstance(raw_sets, list):
        for raw_set in raw_sets:
            raws = raw_set if isinstance(raw_set, list) else []
            ranges = [r for r in (_range(x) for x in raws if isinstance(x, dict)) if r is not None]
            if ranges:
                sets.append(ranges)
    elif ipam.get("subnet"):
        r = _range(ipam)
        if r:
            sets.append([r])
    return sets


def expectation(plugins: list[dict[str, Any]]) -> Expectation:
    """What addresses the config asks for (the first plugin with IPAM decides)."""
    for plugin in plugins:
        kind = ipam_type(plugin)
        if kind is None:
            continue
        ipam = plugin["ipam"]
        if kind == "static":
            addrs = ipam.get("addresses") if isinstance(ipam.get("addresses"), list) else []
            parsed = [_iface(a.get("address")) for a in addrs if isinstance(a, dict)]
            if all(p is not None for p in parsed):
                return Expectation("static", static=[p for p in parsed if p is not None])
            return Expectation("unchecked")
        if kind == "host-local":
            sets = _host_local_ranges(ipam)
            return Expectation("host-local", range_sets=sets) if sets else Expectation("unchecked")
        return Expectation("unchecked")
    return Expectation("none")


def _host_local_problems(exp: Expectation, got: list[IPInterface]) -> list[str]:
    """Addresses a host-local plugin reported against its range sets: one address per range set,
    each inside a range, with the subnet's prefix, not the gateway (CNI plugins
    plugins/ipam/host-local/backend/allocator)."""
    problems: list[str] = []
    if len(got) != len(exp.range_sets):
        problems.append(f"host-local has {len(exp.range_sets)} range set(s) but the plugin reported {_show(got)}")
    for ip in got:
        matching = [r for rs in exp.range_sets for r in rs if r.contains(ip.ip)]
        if not matching:
            problems.append(f"reported address {ip} is outside the configured range(s) "
                            f"{'; '.join(str(r) for rs in exp.range_sets for r in rs)}")
            continue
        r = matching[0]
        if ip.network.prefixlen != r.subnet.prefixlen:
            problems.append(f"reported address {ip} has prefix /{ip.network.prefixlen}, subnet is {r.subnet}")
        if r.gateway is not None and ip.ip == r.gateway:
            problems.append(f"reported address {ip} is the gateway")
    return problems


def check_reported(exp: Expectation, reported: list[str]) -> list[str]:
    """Problems with the addresses a plugin reported, given what was asked for."""
    parsed = [_iface(r) for r in reported]
    bad = [r for r, p in zip(reported, parsed, strict=True) if p is None]
    if bad:
        return [f"plugin reported unparsable address(es): {', '.join(bad)}"]
    got = [p for p in parsed if p is not None]
    if exp.kind == "none":
        return [f"no IPAM configured but the plugin reported {', '.join(map(str, got))}"] if got else []
    if exp.kind == "static":
        if sorted(got, key=str) != sorted(exp.static, key=str):
            return [f"static IPAM asked for {_show(exp.static)} but the plugin reported {_show(got)}"]
        return []
    if exp.kind == "host-local":
        return _host_local_problems(exp, got)
    return []


def _show(addrs: list[IPInterface]) -> str:
    return ", ".join(str(a) for a in addrs) if addrs else "no address"


def check_configured(reported: list[str], link_json: str, ifname: str) -> list[str]:
    """Problems with the pod interface: it exists and carries every reported address.

    ``link_json`` is ``ip -j addr show dev IFNAME`` run in the pod namespace.
    """
    try:
        data = json.loads(link_json or "[]")
    except json.JSONDecodeError:
        return [f"cannot read the addresses of {ifname} in the pod namespace"]
    if not data:
        return [f"interface {ifname} is missing from the pod namespace after ADD"]
    present = set()
    for entry in data:
        for info in entry.get("addr_info", []) if isinstance(entry, dict) else []:
            if isinstance(info, dict) and "local" in info and "prefixlen" in info:
                present.add(ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}"))
    problems = []
    for text in reported:
        ip = _iface(text)
        if ip is not None and ip not in present:
            problems.append(f"reported address {ip} is not configured on {ifname} in the pod namespace")
    return problems


def _static_entry_problems(entry: object) -> list[str]:
    """Mistakes in one static IPAM ``addresses`` entry: the network or (IPv4) broadcast address of
    a subnet larger than /31, a gateway outside the subnet or equal to the address (the static
    plugin accepts these; CNI plugins plugins/ipam/static/main.go)."""
    iface = _iface(entry.get("address")) if isinstance(entry, dict) else None
    if iface is None or not isinstance(entry, dict):
        return []
    problems = []
    net = iface.network
    if net.num_addresses > 2 and iface.ip == net.network_address:
        problems.append(f"static address {iface} is the network address of {net}")
    elif net.version == 4 and net.num_addresses > 2 and iface.ip == net.broadcast_address:
        problems.append(f"static address {iface} is the broadcast address of {net}")
    gateway = _addr(entry.get("gateway"))
    if gateway is not None:
        if gateway not in net:
            problems.append(f"gateway {gateway} is outside the subnet {net} of {iface}")
        elif gateway == iface.ip:
            problems.append(f"gateway {gateway} is the interface's own address {iface}")
    return problems


def config_problems(plugins: list[dict[str, Any]]) -> list[str]:
    """Mistakes the plugins accept silently: unusable static addresses, stray gateways."""
    problems: list[str] = []
    for plugin in plugins:
        kind = ipam_type(plugin)
        raw_ipam = plugin.get("ipam")
        ipam: dict[str, Any] = raw_ipam if isinstance(raw_ipam, dict) else {}
        if kind == "static":
            for entry in ipam.get("addresses") or []:
                problems += _static_entry_problems(entry)
        elif kind == "host-local":
            for rs in _host_local_ranges(ipam):
                for r in rs:
                    if r.gateway is not None and r.gateway not in r.subnet:
                        problems.append(f"gateway {r.gateway} is outside the subnet {r.subnet}")
    return problems
