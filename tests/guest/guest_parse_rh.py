"""Read back the RHEL-family outputs: sysconfig ifcfg files and NetworkManager keyfiles
(the model and defaults are guest_parse's)."""

from __future__ import annotations

import configparser
import ipaddress
import re
from pathlib import Path

from guest_parse import Guest, _flag, _route


def _kv_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip().strip('"')
    return out


def parse_sysconfig(root: Path) -> Guest:
    """RHEL-style ifcfg files, as NetworkManager's ifcfg-rh plugin reads them."""
    g = Guest(dhcp_default_metric=100, static_default_metric={4: 100, 6: 100})
    scripts = root / "etc/sysconfig/network-scripts"
    for path in sorted(scripts.glob("ifcfg-*")):
        cfg = _kv_file(path)
        nic = g.nic(cfg.get("DEVICE", path.name[6:]))
        nic.mac = cfg.get("HWADDR", "")
        boot = cfg.get("BOOTPROTO", "none")
        nic.dhcp4 = boot in ("dhcp", "dhcp4")
        nic.dhcp6 = _flag(cfg.get("DHCPV6C", "no"))
        for k, v in cfg.items():
            if re.fullmatch(r"IPADDR\d*", k):
                mask = cfg.get("NETMASK" + k[6:])
                prefix = cfg.get("PREFIX" + k[6:])
                plen = ipaddress.ip_network(f"0.0.0.0/{mask}").prefixlen if mask else int(prefix or 32)
                nic.addresses.add(f"{v}/{plen}")
            elif k == "IPV6ADDR" or k == "IPV6ADDR_SECONDARIES":
                nic.addresses.update(v.split())
            elif re.fullmatch(r"DNS\d+", k):
                nic.dns.add(v)
        nic.search.update(cfg.get("DOMAIN", "").split())
        metric_s = cfg.get("IPV4_ROUTE_METRIC") or cfg.get("METRIC")
        metric = int(metric_s) if metric_s else None
        nic.dhcp_metric = metric
        defroute = _flag(cfg.get("DEFROUTE", "yes"))
        nic.dhcp_takes_router = defroute and _flag(cfg.get("DHCLIENT_SET_DEFAULT_ROUTE", "yes"))
        if defroute and cfg.get("GATEWAY"):
            nic.routes.append(_route("default", cfg["GATEWAY"], metric))
        if defroute and cfg.get("IPV6_DEFAULTGW"):
            v6m = cfg.get("IPV6_ROUTE_METRIC")
            nic.routes.append(_route("::/0", cfg["IPV6_DEFAULTGW"].split("%")[0], int(v6m) if v6m else None))
    for path in sorted(scripts.glob("route-*")):
        cfg = _kv_file(path)
        nic = g.nic(path.name[6:])
        for k, v in cfg.items():
            if k.startswith("ADDRESS"):
                n = k[7:]
                plen = ipaddress.ip_network(f"0.0.0.0/{cfg['NETMASK' + n]}").prefixlen
                m = cfg.get("METRIC" + n)
                nic.routes.append(_route(f"{v}/{plen}", cfg["GATEWAY" + n], int(m) if m else None))
    for path in sorted(scripts.glob("route6-*")):
        nic = g.nic(path.name[7:])
        for line in path.read_text().splitlines():
            w = line.split()
            if len(w) >= 3 and w[1] == "via":
                m = int(w[w.index("metric") + 1]) if "metric" in w else None
                nic.routes.append(_route(w[0], w[2], m))
    resolv = root / "etc/resolv.conf"
    if resolv.exists():
        for line in resolv.read_text().splitlines():
            w = line.split()
            if w and w[0] == "nameserver":
                g.dns.add(w[1])
            elif w and w[0] == "search":
                g.search.update(w[1:])
    return g


def parse_network_manager(root: Path) -> Guest:
    g = Guest(dhcp_default_metric=100, static_default_metric={4: 100, 6: 100})
    for path in sorted((root / "etc/NetworkManager/system-connections").glob("*.nmconnection")):
        cp = configparser.ConfigParser(interpolation=None)
        cp.read_string(path.read_text())
        nic = g.nic(cp.get("connection", "interface-name", fallback=path.stem.replace("cloud-init-", "")))
        nic.mac = cp.get("ethernet", "mac-address", fallback="")
        for fam, sec in ((4, "ipv4"), (6, "ipv6")):
            if not cp.has_section(sec):
                continue
            s = cp[sec]
            method = s.get("method", "auto" if fam == 4 else "ignore")
            if fam == 4:
                nic.dhcp4 = method == "auto"
            else:
                nic.dhcp6 = method in ("auto", "dhcp")
            metric_s = s.get("route-metric")
            metric = int(metric_s) if metric_s else None
            if fam == 4 or method == "auto":
                nic.dhcp_metric = metric if fam == 4 else nic.dhcp_metric
            if fam == 4 and _flag(s.get("never-default", "no")):
                nic.dhcp_takes_router = False
            for k, v in s.items():
                if re.fullmatch(r"address\d+", k):
                    nic.addresses.add(v.split(",")[0])
                elif re.fullmatch(r"route\d+", k):
                    parts = v.split(",")
                    m = int(parts[2]) if len(parts) > 2 and parts[2] else metric
                    nic.routes.append(_route(parts[0], parts[1], m))
            if s.get("gateway"):
                nic.routes.append(_route("default", s["gateway"], metric))
            nic.dns.update(x for x in s.get("dns", "").split(";") if x)
            nic.search.update(x for x in s.get("dns-search", "").split(";") if x)
    return g
