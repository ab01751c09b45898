"""What a node's own network stack needs for a plan: node bridges (uplink, VLAN filtering and the
VLANs the uplink trunks) and bonds of uplinks (SPEC §9, ``spec.cluster.nodeNetwork``), rendered as
netplan or systemd-networkd files (:mod:`kvnet.nodenet.netplan`, :mod:`kvnet.nodenet.networkd`)."""

from __future__ import annotations

from kvnet.record import dataclass
from typing import Any

from kvnet.input.model import Network, Plan, node_bridges

DEFAULT_MODE = "active-backup"
DEFAULT_MIIMON = 100  # ms


@dataclass(frozen=True)
class NodeBond:
    """A bond of node NICs (``spec.cluster.bonds[]``), defaults applied."""

    name: str
    interfaces: tuple[str, ...]
    mode: str = DEFAULT_MODE
    miimon: int = DEFAULT_MIIMON  # ms; 0: no link monitoring
    mtu: int | None = None


@dataclass(frozen=True)
class NodeBridge:
    """A node bridge with its one uplink (a NIC or a bond) and the VLANs its networks use: their
    ``vlan`` and their ``trunk`` items (issue 24), as systemd-networkd writes them (``30``, a range
    ``40-49``: systemd.network(5) [BridgeVLAN] VLAN=); non-empty: VLAN filtering on, the uplink a
    tagged member of each."""

    name: str
    uplink: str
    vlans: tuple[str, ...]
    networks: tuple[str, ...]


@dataclass(frozen=True)
class NodeLayout:
    bridges: tuple[NodeBridge, ...]
    bonds: tuple[NodeBond, ...]

    def bond(self, name: str) -> NodeBond | None:
        return next((b for b in self.bonds if b.name == name), None)


def bonds_of(cluster: dict[str, Any] | None) -> tuple[NodeBond, ...]:
    """``spec.cluster.bonds`` with defaults (mode active-backup, miimon 100 ms), in plan order."""
    out = []
    for raw in (cluster or {}).get("bonds") or []:
        out.append(NodeBond(name=raw["name"], interfaces=tuple(raw["interfaces"]),
                            mode=raw.get("mode") or DEFAULT_MODE,
                            miimon=raw["miimon"] if raw.get("miimon") is not None else DEFAULT_MIIMON,
                            mtu=raw.get("mtu")))
    return tuple(out)


def layout(plan: Plan) -> NodeLayout:
    """The node bridges (sorted by name) that have an uplink, and the plan's bonds."""
    bridges = []
    for name, nets in node_bridges(plan).items():
        uplink = next((n.uplink for n in nets if n.uplink), None)
        if uplink is None:
            continue  # KV268 when kvnet creates the bridges
        bridges.append(NodeBridge(name, uplink, _uplink_vlans(nets), tuple(n.name for n in nets)))
    return NodeLayout(tuple(bridges), bonds_of(plan.cluster))


def _uplink_vlans(nets: list[Network]) -> tuple[str, ...]:
    """The VLANs the uplink of one node bridge carries tagged: each network's ``vlan`` and trunk
    IDs, sorted, then the trunk ranges as ``M-N`` (systemd.network(5) [BridgeVLAN] VLAN= and
    netplan take an ID or a range)."""
    ids = {n.vlan for n in nets if n.vlan is not None} | {t["id"] for n in nets for t in n.trunk if "id" in t}
    ranges = sorted({(t["minID"], t["maxID"]) for n in nets for t in n.trunk if "minID" in t and "maxID" in t})
    return tuple([str(i) for i in sorted(ids)] + [f"{lo}-{hi}" for lo, hi in ranges])
