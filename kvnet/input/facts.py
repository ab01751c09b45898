"""Parsed values of a plan's networks, computed (and their problems reported) once."""

from __future__ import annotations

from kvnet.record import dataclass, field

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic
from kvnet.input.cluster_settings import ClusterSettings, node_side, settings
from kvnet.input.families import IfaceFacts, NetFacts, interface_facts, network_facts, pod_families
from kvnet.input.model import POD_NETWORK, VM, Interface, Network, Plan
from kvnet.profiles import DEPLOYABLE_PLUGINS, REFERENCE_PLUGINS, Profile, resolve


@dataclass
class Facts:
    """What the rules and expansion share about one plan: parsed network values, and the node
    side resolved once (SPEC §3 "Profiles"): the distribution profile (None without spec.cluster
    or --distribution), spec.cluster with its defaults (None without spec.cluster), and the CNI
    binaries the plan's NADs need (type -> sorted network names)."""

    networks: dict[str, NetFacts] = field(default_factory=dict)
    interfaces: dict[tuple[str, int], IfaceFacts] = field(default_factory=dict)  # (VM, index): addresses
    pod_families: tuple[int, ...] = (4,)  # spec.cluster.ipFamilies (issue 25)
    profile: Profile | None = None
    cluster: ClusterSettings | None = None
    plugins: dict[str, list[str]] = field(default_factory=dict)

    def vlan_network(self, net: Network, vlan_id: int) -> NetFacts | None:
        """The first plan network that is VLAN ``vlan_id`` of trunk network ``net``'s node bridge
        (same kind of bridge, same name, ``vlan: vlan_id``): it gives a guest VLAN sub-interface
        its subnet (issue 24); None if the plan has none."""
        kind = nettypes.node_bridge(net.type)
        return next((nf for nf in self.networks.values() if nf.network.vlan == vlan_id and not nf.network.trunk
                     and nettypes.node_bridge(nf.network.type) == kind and nf.network.bridge == net.bridge), None)

    def iface(self, vm: VM, iface: Interface) -> IfaceFacts:
        """The parsed addresses of ``vm``'s interface ``iface`` (empty for one gather never saw)."""
        return self.interfaces.get((vm.name, iface.index)) or IfaceFacts()

    @property
    def missing_plugins(self) -> dict[str, list[str]]:
        """Needed CNI binaries the profile does not ship -> the networks needing them."""
        if self.profile is None:
            return {}
        return {p: nets for p, nets in self.plugins.items() if p not in self.profile.plugins}

    @property
    def deployed_plugins(self) -> list[str]:
        """Plugins with their own DaemonSet that kvnet deploys (SPEC §9): whereabouts and macvtap
        when a NAD needs them, the profile lacks them, install is not 'never' and the nodes are
        not operator-managed (OpenShift)."""
        if self.cluster is None or self.profile is None or not self.profile.deploy_multus:
            return []
        if self.cluster.install == "never":
            return []
        return [p for p in DEPLOYABLE_PLUGINS if p in self.missing_plugins]

    @property
    def installs_plugins(self) -> bool:
        """Whether kvnet deploys DaemonSet kvnet-cni-plugins (SPEC §3 "Cluster"): install is
        'always', or 'auto' and a missing plugin is a reference plugin; never where the profile's
        operator owns the nodes (OpenShift)."""
        if self.cluster is None or self.profile is None or not self.profile.deploy_multus:
            return False
        if self.cluster.install == "always":
            return True
        return self.cluster.install == "auto" and any(p in REFERENCE_PLUGINS for p in self.missing_plugins)


def cni_type(net: Network) -> str | None:
    """The CNI plugin binary the network's NAD runs (the catalog's ``cni_type``); None for a
    network whose NAD kvnet does not write (external). A type the catalog does not have (lint's
    model of someone else's NAD) is its own plugin."""
    entry = nettypes.get(net.type)
    return entry.cni_type if entry is not None else net.type


def resource_name(net: Network) -> str | None:
    """The NAD's device-plugin resource (k8s.v1.cni.cncf.io/resourceName): given, else the type's
    default resource from one of its fields (macvtap's per-master resource, ovs-cni's per-bridge
    marker resource: ovs-cni docs/marker.md)."""
    if net.resource_name:
        return net.resource_name
    entry = nettypes.get(net.type)
    default = entry.resource if entry is not None else None
    value = getattr(net, nettypes.PLAN_FIELDS[default.field]) if default is not None else None
    return default.prefix + value if default is not None and value else None


def network_plugins(net: Network) -> list[str]:
    """The CNI binaries ``net``'s NAD runs: its plugin, then its IPAM plugin; [] when kvnet
    writes no NAD config for it."""
    plugin = cni_type(net)
    if plugin is None:
        return []
    return [plugin] + ([net.ipam] if net.ipam != "none" else [])


def used_plugins(networks: dict[str, NetFacts]) -> dict[str, list[str]]:
    """CNI binaries the plan's NADs need -> the networks needing them (sorted)."""
    need: dict[str, set[str]] = {}
    for nf in networks.values():
        for plugin in network_plugins(nf.network):
            need.setdefault(plugin, set()).add(nf.network.name)
    return {k: sorted(v) for k, v in sorted(need.items())}


def gather(plan: Plan, distribution: str | None = None) -> tuple[Facts, list[Diagnostic]]:
    """Facts of ``plan`` and the problems found parsing its network values (KV210-KV215).

    ``distribution`` (the command line's --distribution) wins over spec.cluster.distribution.
    """
    diags: list[Diagnostic] = []
    facts = Facts()
    for net in plan.networks:
        if net.name not in facts.networks:
            facts.networks[net.name] = network_facts(net, diags)
    for vm in plan.vms:
        for iface in vm.interfaces:
            nf = facts.networks.get(iface.network)
            facts.interfaces.setdefault((vm.name, iface.index),
                                        interface_facts(iface, nf.families if nf is not None else None))
    facts.plugins = used_plugins(facts.networks)
    cluster = node_side(plan.cluster)
    if cluster is not None or distribution:
        facts.profile = resolve(cluster, distribution)
    if plan.cluster is not None:
        facts.pod_families = pod_families(plan.cluster.get("ipFamilies"))
    if cluster is not None and facts.profile is not None:
        facts.cluster = settings(cluster, facts.profile)
    return facts, diags


def network_type(plan_types: dict[str, str], network: str) -> str:
    """The type of ``network`` for the binding rules: ``pod`` for the pod network, else its plan type
    ('' when the plan has no such network)."""
    return "pod" if network == POD_NETWORK else plan_types.get(network, "")


def default_binding(net_type: str) -> str:
    """The binding an interface gets without ``binding:`` (the catalog's ``default_binding``)."""
    if net_type == "pod":
        return "masquerade"
    entry = nettypes.get(net_type)
    return entry.default_binding if entry is not None else nettypes.BRIDGE.default_binding


def binding_of(iface: Interface, net_type: str) -> str:
    """The KubeVirt binding ``iface`` gets: its own, else its network type's default."""
    return iface.binding or default_binding(net_type)
