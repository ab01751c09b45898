"""What a VM's guest is told, read back from the emitted VirtualMachine (and its Secret)."""

from __future__ import annotations

import base64
from kvnet.record import dataclass, field
from typing import Any

import yaml

from kvnet.expand.cloudinit import DEFAULT_ROUTE_DESTINATIONS, GATEWAY_KEYS
from kvnet.input import safe_yaml

# the networkData read here is kvnet's own output, which kvnet.yamlwriter writes as libyaml's
# dumper does and libyaml reads back to the same objects (tests/test_emit_exact.py): read with
# libyaml, 7 times faster than PyYAML's own scanner (explain of 1,000 VMs: most of its time),
# and built by kvnet.input.safe_yaml (SafeConstructor's data, a third of the time again)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(text: str) -> Any:
    return safe_yaml.load(text) if safe_yaml.available() else yaml.load(text, Loader=_LOADER)


@dataclass
class GuestNic:
    """One NIC of networkData (netplan v2): addresses, DHCP, default route and its metric."""

    name: str = ""  # the guest's interface name (set-name)
    addresses: list[str] = field(default_factory=list)
    dhcp: list[str] = field(default_factory=list)  # "dhcp4", "dhcp6"
    default_via: list[str] = field(default_factory=list)  # gateways of default routes
    default_metric: int | None = None
    dhcp_routes: bool = False  # a DHCP NIC whose routes are used (dhcp4 without use-routes: false)
    dhcp_routed: list[int] = field(default_factory=list)  # the families (4, 6) whose DHCP routes are used


def _network_data(vm: dict[str, Any], secrets: dict[str, dict[str, Any]]) -> str | None:
    volumes = (((vm.get("spec") or {}).get("template") or {}).get("spec") or {}).get("volumes") or []
    for vol in volumes:
        cloud = vol.get("cloudInitNoCloud") if isinstance(vol, dict) else None
        if not isinstance(cloud, dict):
            continue
        if isinstance(cloud.get("networkData"), str):
            return str(cloud["networkData"])
        ref = (cloud.get("networkDataSecretRef") or {}).get("name")
        data = ((secrets.get(ref) if isinstance(ref, str) else None) or {}).get("data") or {}
        if "networkdata" in data:
            return base64.b64decode(data["networkdata"]).decode()
    return None


def _dhcp(nic: GuestNic, eth: dict[str, Any]) -> None:
    """``nic``'s DHCP families and whether their routes (and route metric) are used (netplan
    dhcp4/dhcp6 and dhcp4-overrides/dhcp6-overrides use-routes, route-metric; netplan.io
    reference)."""
    for fam in ("dhcp4", "dhcp6"):
        if eth.get(fam):
            nic.dhcp.append(fam)
            overrides = eth.get(f"{fam}-overrides") or {}
            if overrides.get("use-routes", True) is not False:
                nic.dhcp_routes = True
                nic.dhcp_routed.append(4 if fam == "dhcp4" else 6)
                if overrides.get("route-metric") is not None and nic.default_metric is None:
                    nic.default_metric = int(overrides["route-metric"])


def _default_routes(nic: GuestNic, eth: dict[str, Any]) -> None:
    """``nic``'s default gateways: gateway4/gateway6 and routes to a default destination (with
    their metric)."""
    for key in GATEWAY_KEYS:
        if eth.get(key):
            nic.default_via.append(str(eth[key]))
    for route in eth.get("routes") or []:
        if str(route.get("to")) in DEFAULT_ROUTE_DESTINATIONS:
            nic.default_via.append(str(route.get("via")))
            if route.get("metric") is not None:
                nic.default_metric = int(route["metric"])


def guest_nics(vm: dict[str, Any], secrets: dict[str, dict[str, Any]]) -> dict[str, GuestNic]:
    """MAC (lower case) -> what networkData configures on that NIC; empty without networkData."""
    text = _network_data(vm, secrets)
    doc = _load(text) if text else None
    out: dict[str, GuestNic] = {}
    for key, eth in ((doc or {}).get("ethernets") or {}).items():
        mac = str(((eth.get("match") or {}).get("macaddress")) or "").lower()
        nic = GuestNic(name=str(eth.get("set-name") or key), addresses=[str(a) for a in eth.get("addresses") or []])
        _dhcp(nic, eth)
        _default_routes(nic, eth)
        out[mac] = nic
    return out
