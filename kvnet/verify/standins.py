"""Stand-ins for the node's links, created inside the throwaway node namespace.

A NAD names links of the node: a macvlan/ipvlan/vlan ``master``, a host-device
``device`` (or ``hwaddr``), a ``bridge``. Each becomes a veth (its peer stays in the
node namespace too) or an empty bridge, so the plugin finds what it would find on a
node while the host's real interfaces stay untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from kvnet.record import dataclass
from typing import Any

from kvnet.verify.netns import Session

DEFAULT_UPLINK = "eth0"  # macvlan/ipvlan without master use the default-route interface


@dataclass(frozen=True)
class StandIn:
    name: str
    kind: str  # "veth" | "bridge"
    mac: str | None = None
    default_route: bool = False


class Unverifiable(Exception):
    """The config needs hardware no stand-in can replace (a PCI device, ...)."""


def _master(conf: dict[str, Any]) -> StandIn | None:
    """macvlan, ipvlan, vlan: the ``master`` link, or the default-route link the plugins use when
    it is unset (CNI plugins plugins/main/macvlan/macvlan.go getDefaultRouteInterfaceName)."""
    master = conf.get("master")
    if isinstance(master, str) and master:
        return StandIn(master, "veth")
    return StandIn(DEFAULT_UPLINK, "veth", default_route=True)


def _host_device(conf: dict[str, Any]) -> StandIn | None:
    """host-device: the ``device`` (with its ``hwaddr``), or a link found by ``hwaddr``; a PCI
    device or kernel path is Unverifiable (CNI plugins plugins/main/host-device/host-device.go)."""
    device, hwaddr = conf.get("device"), conf.get("hwaddr")
    if isinstance(device, str) and device:
        return StandIn(device, "veth", mac=hwaddr if isinstance(hwaddr, str) and hwaddr else None)
    if isinstance(hwaddr, str) and hwaddr:
        return StandIn("kvhostdev0", "veth", mac=hwaddr)
    if conf.get("pciBusID") or conf.get("kernelpath") or conf.get("runtimeConfig"):
        raise Unverifiable("host-device selects a PCI device or kernel path; "
                           "no stand-in can replace real hardware")
    return None


def _bridge(conf: dict[str, Any]) -> StandIn | None:
    """bridge: its ``bridge`` (default cni0; CNI plugins plugins/main/bridge/bridge.go)."""
    name = conf.get("bridge")
    return StandIn(name if isinstance(name, str) and name else "cni0", "bridge")


#: CNI plugin type -> the stand-in link a config of that type needs on the node (or None)
STANDINS: dict[str, Callable[[dict[str, Any]], StandIn | None]] = {
    "macvlan": _master, "ipvlan": _master, "vlan": _master, "host-device": _host_device, "bridge": _bridge,
}


def standins_for(plugins: list[dict[str, Any]]) -> list[StandIn]:
    """The stand-in links a config needs, first mention wins, in config order."""
    wanted: dict[str, StandIn] = {}
    for conf in plugins:
        kind = conf.get("type")
        make = STANDINS.get(kind) if isinstance(kind, str) else None
        item = make(conf) if make is not None else None
        if item is not None:
            wanted.setdefault(item.name, item)
    return list(wanted.values())


def create_standins(session: Session, node_ns: str, standins: list[StandIn]) -> str | None:
    """Create the stand-ins in ``node_ns``; returns an error message or None."""
    taken = {s.name for s in standins}
    peer_seq = 0
    for item in standins:
        steps: list[tuple[str, ...]]
        if item.kind == "bridge":
            steps = [("link", "add", "name", item.name, "type", "bridge")]
        else:
            peer_seq += 1
            peer = f"kvpeer{peer_seq}"
            while peer in taken:
                peer_seq += 1
                peer = f"kvpeer{peer_seq}"
            taken.add(peer)
            steps = [("link", "add", "name", item.name, "type", "veth", "peer", "name", peer),
                     ("link", "set", "dev", peer, "up")]
            if item.mac:
                steps.append(("link", "set", "dev", item.name, "address", item.mac))
        steps.append(("link", "set", "dev", item.name, "up"))
        if item.default_route:
            steps.append(("route", "add", "default", "dev", item.name))
        for step in steps:
            res = session.ip("-n", node_ns, *step)
            if not res.ok:
                what = "bridge" if item.kind == "bridge" else "link"
                return f"cannot create stand-in {what} {item.name!r} ({' '.join(step)}): {res.error_text()}"
    return None
