"""What a VM's declared guest (``guest: {renderer, cloudInit}``) does not apply of kvnet's
networkData: the limits booted Debian 12 guests (cloud-init 22.4.2) showed per renderer
(``tests/boot``, README "The booted guest"). kvnet cannot see the VM image, so it reports these
only for a VM that declares its guest; the README's table states them for everyone.

- KV227: a DHCP NIC that must not carry the IPv4 default route (the pod NIC beside a
  ``defaultRoute: true`` secondary) gets ``dhcp4-overrides``. cloud-init 22.4's NetworkManager
  renderer drops them (``cloudinit/net/network_manager.py`` writes only ``method=auto``), so the
  NIC's DHCP default route (metric 100) wins over the carrier's; eni keeps it, at metric 200
  behind the carrier (issue 20 G3).
- KV228: a network's ``routes``. eni writes them as ``post-up route add`` (net-tools, absent from
  Debian 12: every route is lost; canonical/cloud-init#6250, fixed by PR #6460); networkd and
  NetworkManager of cloud-init 22.4 drop a route's ``metric``.
- KV229: DNS servers of a static NIC. eni writes ``dns-nameservers``, which only the
  ``resolvconf`` package applies; NetworkManager of cloud-init 22.4 applies none.
- KV244: a trunk NIC's guest ``vlans`` (issue 24) on networkd. cloud-init 22.4's networkd renderer
  (``cloudinit/net/networkd.py``) writes ``.network`` files only, no ``.netdev``, so the VLAN
  sub-interface never exists (booted guest: no ``eth<N>.<id>``); 26.2's renders a ``.netdev``
  per VLAN (``render_vlans``, ``vlan_netdev``).

Versions: the limits were measured on cloud-init 22.4.2 and are absent from 26.2 (tests/guest,
``net-convert``); a version in between, or none given, is reported as having them. eni's DNS
limit depends on the image (resolvconf), not on cloud-init's version.
"""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, warning
from kvnet.expand.cloudinit import default_route_carriers, guest_addressing
from kvnet.input.facts import Facts
from kvnet.input.model import VM, Interface, Plan

DHCP_DEFAULT = "KV227"
ROUTES = "KV228"
STATIC_DNS = "KV229"
GUEST_VLANS = "KV244"
#: the first cloud-init version measured without the limits (tests/guest renders with 26.2)
FIXED = (26, 2)


def _old(vm: VM) -> bool:
    """True when the VM's declared cloud-init is older than :data:`FIXED` (or not given)."""
    version = (vm.guest or {}).get("cloudInit")
    if not version:
        return True
    parts = tuple(int(p) for p in str(version).split(".")[:2])
    return parts < FIXED


def _guest(renderer: str) -> str:
    return f"{'an' if renderer == 'eni' else 'a'} {renderer} guest"


def _dhcp4(vm: VM, iface: Interface, facts: Facts) -> bool:
    """The NIC gets ``dhcp4: true`` (:func:`kvnet.expand.cloudinit.guest_addressing`: no IPv4
    address, written or allocated, on a network with IPv4 or no subnet; the pod NIC)."""
    nf = facts.networks.get(iface.network)
    return 4 in guest_addressing(iface, nf, facts.iface(vm, iface), facts.pod_families)[1]


def _dhcp_default(vm: VM, facts: Facts, renderer: str, old: bool) -> list[Diagnostic]:
    carrier = default_route_carriers(vm, facts).get(4)
    if carrier is None or renderer not in ("network-manager", "eni") or (renderer == "network-manager" and not old):
        return []
    out = []
    for iface in vm.interfaces:
        if iface.attached and iface.index != carrier and _dhcp4(vm, iface, facts):
            what = ("its DHCP default route (metric 100) wins over the carrier's: cloud-init before 26.2 drops "
                    "dhcp4-overrides" if renderer == "network-manager"
                    else "it keeps a DHCP default route at metric 200, behind the carrier's")
            out.append(warning(
                DHCP_DEFAULT, f"VM {vm.name!r}: interfaces[{iface.index}] (network {iface.network!r}) on a "
                f"{_guest(renderer)}: {what} (interfaces[{carrier}] carries the IPv4 default route)",
                iface.where.at("network"),
                hint="use a netplan or networkd guest, or cloud-init 26.2 or later, for the plan's default route"
                     if renderer == "network-manager" else "harmless while the carrier is up; a netplan or "
                     "networkd guest has only the carrier's"))
    return out


def _loc(iface: Interface, facts: Facts, key: str) -> Loc:
    nf = facts.networks.get(iface.network)
    return nf.network.where.at(key) if nf is not None else iface.where.at("network")


def _route_why(renderer: str, old: bool, routes: list[dict[str, Any]]) -> str | None:
    """Why a network's ``routes`` are not applied as planned on ``renderer`` (KV228), or None."""
    if renderer == "eni" and old and routes:
        return ("every 'routes:' entry is lost: eni writes 'post-up route add', and the image has no "
                "net-tools (canonical/cloud-init#6250)")
    if renderer in ("networkd", "network-manager") and old and any(r.get("metric") is not None for r in routes):
        return "a route's 'metric' is dropped (the route comes up at the default metric)"
    return None


def _dns_why(renderer: str, old: bool) -> str | None:
    """Why a static NIC's DNS servers are not applied on ``renderer`` (KV229), or None."""
    if renderer == "eni":
        return "'dns-nameservers' needs the resolvconf package in the image"
    if renderer == "network-manager" and old:
        return "cloud-init before 26.2 applies no DNS server of a static NIC"
    return None


def _per_network(vm: VM, facts: Facts, renderer: str, old: bool) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for iface in vm.interfaces:
        nf = facts.networks.get(iface.network)
        if not iface.attached or nf is None or nf.broken:
            continue
        route_why = _route_why(renderer, old, nf.network.routes)
        if route_why and (iface.network, ROUTES) not in seen:
            seen.add((iface.network, ROUTES))
            out.append(warning(ROUTES, f"VM {vm.name!r}: network {iface.network!r} on {_guest(renderer)}: "
                               f"{route_why}", _loc(iface, facts, "routes"),
                               hint="use a netplan guest or cloud-init 26.2 or later; on eni, install net-tools "
                                    "in the image"))
        dns_why = _dns_why(renderer, old)
        static = facts.iface(vm, iface).static
        if dns_why and static and nf.network.nameservers and (iface.network, STATIC_DNS) not in seen:
            seen.add((iface.network, STATIC_DNS))
            out.append(warning(STATIC_DNS, f"VM {vm.name!r}: network {iface.network!r}'s DNS servers on "
                               f"{_guest(renderer)}: {dns_why}", _loc(iface, facts, "dns"),
                               hint="install resolvconf in the image" if renderer == "eni" else
                               "use a netplan or networkd guest, or cloud-init 26.2 or later"))
    return out


def _vlans(vm: VM, renderer: str, old: bool) -> list[Diagnostic]:
    """KV244: each trunk NIC with guest ``vlans`` on networkd before cloud-init 26.2."""
    if renderer != "networkd" or not old:
        return []
    return [warning(GUEST_VLANS, f"VM {vm.name!r}: interfaces[{iface.index}] (network {iface.network!r}) on "
                    f"{_guest(renderer)}: its VLAN sub-interfaces ({', '.join(str(v.id) for v in iface.vlans)}) are "
                    "not made: cloud-init before 26.2 writes no .netdev for a VLAN", iface.where.at("vlans"),
                    hint="use a netplan or network-manager guest, or cloud-init 26.2 or later")
            for iface in vm.interfaces if iface.attached and iface.vlans]


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV227/KV228/KV229/KV244 (warnings) for each VM that declares ``guest.renderer``."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        renderer = (vm.guest or {}).get("renderer")
        if not renderer or vm.network_data != "auto":
            continue
        old = _old(vm)
        out += _dhcp_default(vm, facts, renderer, old)
        out += _per_network(vm, facts, renderer, old)
        out += _vlans(vm, renderer, old)
    return out
