"""What a node needs for the given plans: CNI plugins, node bridges (Linux, Open vSwitch), Multus flavor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kvnet import nettypes
from kvnet.input.facts import network_plugins
from kvnet.input.model import Plan


@dataclass
class Needs:
    plugins: dict[str, list[str]] = field(default_factory=dict)  # CNI type -> networks
    bridges: dict[str, list[str]] = field(default_factory=dict)  # node bridge -> networks
    uplinks: dict[str, str] = field(default_factory=dict)  # node bridge -> the plan's uplink (first given)
    ovs_bridges: dict[str, list[str]] = field(default_factory=dict)  # Open vSwitch bridge -> ovs networks
    vlans: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # Linux node bridge -> VLAN ID -> networks
    cluster: dict[str, Any] | None = None  # the first plan's spec.cluster
    plan_path: str | None = None


def plan_needs(plans: list[Plan], plan_path: str | None) -> Needs:
    plugins: dict[str, set[str]] = {}
    bridges: dict[str, set[str]] = {}
    uplinks: dict[str, str] = {}
    ovs: dict[str, set[str]] = {}
    vlans: dict[str, dict[int, set[str]]] = {}
    cluster = None
    for plan in plans:
        if cluster is None and plan.cluster is not None:
            cluster = plan.cluster
        for net in plan.networks:
            used = network_plugins(net)
            if not used:
                continue
            for plugin in used:
                plugins.setdefault(plugin, set()).add(net.name)
            kind = nettypes.node_bridge(net.type)
            if kind == nettypes.LINUX_BRIDGE and net.bridge:
                bridges.setdefault(net.bridge, set()).add(net.name)
                if net.uplink:
                    uplinks.setdefault(net.bridge, net.uplink)
                # an access VLAN, or every VLAN a trunk (vlanTrunk) passes to VMs: the bridge filters
                # VLANs and the uplink carries each tagged (KV515, KV516; issue 24)
                ids = [net.vlan] if net.vlan is not None else []
                ids += [v for t in net.trunk for v in (range(t["minID"], t["maxID"] + 1) if "minID" in t
                                                       and "maxID" in t else [t.get("id")]) if isinstance(v, int)]
                for vid in ids:
                    vlans.setdefault(net.bridge, {}).setdefault(vid, set()).add(net.name)
            if kind == nettypes.OVS_BRIDGE and net.bridge:
                ovs.setdefault(net.bridge, set()).add(net.name)
    return Needs(plugins={k: sorted(v) for k, v in sorted(plugins.items())},
                 bridges={k: sorted(v) for k, v in sorted(bridges.items())}, uplinks=uplinks,
                 ovs_bridges={k: sorted(v) for k, v in sorted(ovs.items())}, cluster=cluster, plan_path=plan_path,
                 vlans={br: {vid: sorted(n) for vid, n in sorted(ids.items())} for br, ids in sorted(vlans.items())})


def flavor_of(cluster: dict[str, Any] | None) -> str | None:
    if not cluster:
        return None
    return (cluster.get("multus") or {}).get("flavor")
