"""Read back what a cloud-init renderer (or netplan) wrote, as one model per guest.

Each ``parse_<kind>(root)`` (here and in guest_parse_rh) reads the files under ``root`` the way
the guest's network service would and returns a :class:`Guest`: per NIC its MAC, addresses, DHCP, DNS, routes (a default
route as destination ``default``), and whether its DHCP client may install a router offered by
the DHCP server, with the metric it would get. Default metrics are the consumers' own:
systemd-networkd (DHCP 1024, static IPv4 0 / IPv6 1024), netplan (DHCP 100), NetworkManager
(100 for ethernet, also behind sysconfig's ifcfg files), dhclient under ifupdown (0).
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class Route:
    to: str  # a network, or "default" (0.0.0.0/0 and ::/0 are normalised to it)
    via: str
    metric: int | None
    family: int


@dataclass
class Nic:
    name: str
    mac: str = ""
    addresses: set[str] = field(default_factory=set)
    dhcp4: bool = False
    dhcp6: bool = False
    dns: set[str] = field(default_factory=set)
    search: set[str] = field(default_factory=set)
    routes: list[Route] = field(default_factory=list)
    dhcp_takes_router: bool = True  # the DHCP client would install an offered router
    dhcp_metric: int | None = None


@dataclass
class Guest:
    nics: dict[str, Nic] = field(default_factory=dict)
    dns: set[str] = field(default_factory=set)  # guest-wide (resolv.conf, the lo stanza)
    search: set[str] = field(default_factory=set)
    dhcp_default_metric: int = 100
    static_default_metric: dict[int, int] = field(default_factory=lambda: {4: 0, 6: 1024})

    def nic(self, name: str) -> Nic:
        return self.nics.setdefault(name, Nic(name))

    def by_mac(self, mac: str) -> Nic | None:
        found = [n for n in self.nics.values() if n.mac.lower() == mac.lower()]
        return found[0] if len(found) == 1 else None


def _route(to: str, via: str, metric: int | None) -> Route:
    to = to.strip()
    family = 6 if ":" in via or ":" in to else 4
    if to in ("default", "0.0.0.0/0", "::/0", "0.0.0.0", "::"):
        to = "default"
    else:
        to = str(ipaddress.ip_network(to, strict=False))
    return Route(to, via.strip(), metric, family)


def _ini_sections(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """systemd unit style: repeated sections kept apart, repeated keys kept as lists."""
    out: list[tuple[str, dict[str, list[str]]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            out.append((line[1:-1], {}))
        elif "=" in line and out:
            k, _, v = line.partition("=")
            out[-1][1].setdefault(k.strip(), []).append(v.strip())
    return out


def _flag(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "on")


def parse_networkd(root: Path, dhcp_metric: int = 1024) -> Guest:
    g = Guest(dhcp_default_metric=dhcp_metric)
    for unit in sorted((root / "etc/systemd/network").glob("*.network")) + sorted(
            (root / "run/systemd/network").glob("*.network")):
        sections = _ini_sections(unit.read_text())
        match = next((s for n, s in sections if n == "Match"), {})
        name = (match.get("Name") or [unit.stem])[0]
        nic = g.nic(name)
        nic.mac = (match.get("MACAddress") or match.get("PermanentMACAddress") or [""])[0]
        for sec_name, sec in sections:
            if sec_name == "Network":
                dhcp = (sec.get("DHCP") or ["no"])[0]
                nic.dhcp4 = dhcp in ("ipv4", "yes", "true")
                nic.dhcp6 = dhcp in ("ipv6", "yes", "true")
                nic.addresses.update(sec.get("Address", []))
                nic.dns.update(x for v in sec.get("DNS", []) for x in v.split())
                nic.search.update(x for v in sec.get("Domains", []) for x in v.split())
                nic.routes += [_route("default", gw, None) for gw in sec.get("Gateway", [])]
            elif sec_name == "Address":
                nic.addresses.update(sec.get("Address", []))
            elif sec_name == "Route":  # no Destination: a default route
                metric = sec.get("Metric")
                nic.routes.append(_route((sec.get("Destination") or ["default"])[0], sec["Gateway"][0],
                                         int(metric[0]) if metric else None))
            elif sec_name in ("DHCP", "DHCPv4"):
                if "RouteMetric" in sec:
                    nic.dhcp_metric = int(sec["RouteMetric"][0])
                for key in ("UseRoutes", "UseGateway"):
                    if key in sec and not _flag(sec[key][-1]):
                        nic.dhcp_takes_router = False
    return g


def parse_netplan_yaml(root: Path) -> Guest:
    """The netplan file itself, read with netplan's networkd-backend defaults."""
    g = Guest()
    for path in sorted((root / "etc/netplan").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text()) or {}
        doc = doc.get("network", doc)
        for name, eth in (doc.get("ethernets") or {}).items():
            nic = g.nic(name)
            nic.mac = (eth.get("match") or {}).get("macaddress", "")
            nic.addresses.update(eth.get("addresses") or [])
            nic.dhcp4, nic.dhcp6 = bool(eth.get("dhcp4")), bool(eth.get("dhcp6"))
            ns = eth.get("nameservers") or {}
            nic.dns.update(ns.get("addresses") or [])
            nic.search.update(ns.get("search") or [])
            for r in eth.get("routes") or []:
                nic.routes.append(_route(str(r["to"]), str(r["via"]), r.get("metric")))
            nic.routes += [_route("default", str(eth[k]), None) for k in ("gateway4", "gateway6") if eth.get(k)]
            over = eth.get("dhcp4-overrides") or {}
            nic.dhcp_metric = over.get("route-metric")
            nic.dhcp_takes_router = over.get("use-routes", True) is not False
    return g


def parse_eni(root: Path) -> Guest:
    g = Guest(dhcp_default_metric=0, static_default_metric={4: 0, 6: 1024})
    udev = root / "etc/udev/rules.d/70-persistent-net.rules"
    macs = dict(re.findall(r'ATTR\{address\}=="([^"]+)", NAME="([^"]+)"', udev.read_text())) if udev.exists() else {}
    names = {v: k for k, v in macs.items()}
    cur: Nic | None = None
    family = 4
    text = "\n".join(p.read_text() for p in sorted((root / "etc/network").rglob("*")) if p.is_file())
    for raw in text.splitlines():
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "iface":
            name, family, method = words[1], (6 if words[2] == "inet6" else 4), words[3]
            cur = None if name == "lo" else g.nic(name)
            if cur is not None:
                cur.mac = names.get(name, "")
                if method == "dhcp":
                    cur.dhcp4 = cur.dhcp4 or family == 4
                    cur.dhcp6 = cur.dhcp6 or family == 6
            continue
        if words[0] in ("auto", "allow-hotplug", "source", "source-directory"):
            continue
        key, args = words[0], words[1:]
        dns, search = (g.dns, g.search) if cur is None else (cur.dns, cur.search)
        if key == "dns-nameservers":
            dns.update(args)
        elif key == "dns-search":
            search.update(args)
        elif cur is None:
            continue
        elif key == "address":
            cur.addresses.add(args[0])
        elif key == "gateway":
            cur.routes.append(_route("default", args[0], None))
        elif key == "metric":
            cur.dhcp_metric = int(args[0])
        elif key == "post-up" and "route" in args:
            cur.routes.append(_eni_route(args, family))
    return g


def _eni_route(args: list[str], family: int) -> Route:
    """``route add [-A inet6] [-net] DEST gw GW [metric N]`` (22.4) or
    ``ip [-family inet6] route add DEST via GW [metric N]`` (26.2)."""
    words = shlex.split(" ".join(args).split("||")[0])
    for flag in ("-A", "-family"):  # route -A inet6, ip -family inet6
        if flag in words:
            del words[words.index(flag):words.index(flag) + 2]
    words = [w for w in words if w not in ("-net", "-host", "-6")]
    i = words.index("add")
    rest = words[i + 1:]
    dest = rest[0]
    via = rest[rest.index("gw" if "gw" in rest else "via") + 1]
    metric = int(rest[rest.index("metric") + 1]) if "metric" in rest else None
    return _route(dest, via, metric)
