"""What a node needs for the given plans: CNI plugins, node bridges (Linux, Open vSwitch), Multus flavor."""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any

from kvnet import nettypes
from kvnet.input.facts import network_plugins
from kvnet.input.model import Network, Plan


@dataclass
class Needs:
    plugins: dict[str, list[str]] = field(default_factory=dict)  # CNI type -> networks
    bridges: dict[str, list[str]] = field(default_factory=dict)  # node bridge -> networks
    uplinks: dict[str, str] = field(default_factory=dict)  # node bridge -> the plan's uplink (first given)
    ovs_bridges: dict[str, list[str]] = field(default_factory=dict)  # Open vSwitch bridge -> ovs networks
    vlans: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # Linux node bridge -> VLAN ID -> networks
    cluster: dict[str, Any] | None = None  # the first plan's spec.cluster
    plan_path: str | None = None


def vlan_ids(net: Network) -> list[int]:
    """The VLAN IDs a Linux node bridge carries for ``net``: its access VLAN, and every VLAN a trunk
    (``vlanTrunk``: ``id``, or ``minID``..``maxID`` inclusive) passes to VMs; the bridge filters
    VLANs and the uplink carries each tagged (KV515, KV516; issue 24; SPEC §5)."""
    ids = [net.vlan] if net.vlan is not None else []
    for t in net.trunk:
        span = range(t["minID"], t["maxID"] + 1) if "minID" in t and "maxID" in t else [t.get("id")]
        ids += [v for v in span if isinstance(v, int)]
    return ids


@dataclass
class _Collect:
    """What ``plan_needs`` gathers, as sets (sorted into ``Needs`` at the end)."""

    plugins: dict[str, set[str]] = field(default_factory=dict)
    bridges: dict[str, set[str]] = field(default_factory=dict)
    uplinks: dict[str, str] = field(default_factory=dict)
    ovs: dict[str, set[str]] = field(default_factory=dict)
    vlans: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    def add(self, net: Network) -> None:
        """Record what ``net`` needs on a node (nothing when it needs no CNI plugin)."""
        used = network_plugins(net)
        if not used:
            return
        for plugin in used:
            self.plugins.setdefault(plugin, set()).add(net.name)
        kind = nettypes.node_bridge(net.type)
        if kind == nettypes.LINUX_BRIDGE and net.bridge:
            self.bridges.setdefault(net.bridge, set()).add(net.name)
            if net.uplink:
                self.uplinks.setdefault(net.bridge, net.uplink)
            for vid in vlan_ids(net):
                self.vlans.setdefault(net.bridge, {}).setdefault(vid, set()).add(net.name)
        if kind == nettypes.OVS_BRIDGE and net.bridge:
            self.ovs.setdefault(net.bridge, set()).add(net.name)


def plan_needs(plans: list[Plan], plan_path: str | None) -> Needs:
    """What the nodes need for ``plans`` (each set sorted); ``cluster`` is the first plan's."""
    got = _Collect()
    cluster = None
    for plan in plans:
        if cluster is None and plan.cluster is not None:
            cluster = plan.cluster
        for net in plan.networks:
            got.add(net)
    return Needs(plugins={k: sorted(v) for k, v in sorted(got.plugins.items())},
                 bridges={k: sorted(v) for k, v in sorted(got.bridges.items())}, uplinks=got.uplinks,
                 ovs_bridges={k: sorted(v) for k, v in sorted(got.ovs.items())}, cluster=cluster,
                 plan_path=plan_path,
                 vlans={br: {vid: sorted(n) for vid, n in sorted(ids.items())}
                        for br, ids in sorted(got.vlans.items())})


def flavor_of(cluster: dict[str, Any] | None) -> str | None:
    if not cluster:
        return None
    return (cluster.get("multus") or {}).get("flavor")
