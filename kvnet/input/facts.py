"""Parsed values of a plan's networks, computed (and their problems reported) once."""

from __future__ import annotations

from dataclasses import dataclass, field

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error
from kvnet.input.cluster_settings import ClusterSettings, settings
from kvnet.input.model import POD_NETWORK, Interface, Network, Plan
from kvnet.netmath import IPAddress, IPNetwork, parse_ip, parse_network_strict
from kvnet.profiles import DEPLOYABLE_PLUGINS, REFERENCE_PLUGINS, Profile, resolve


@dataclass
class NetFacts:
    network: Network
    subnet: IPNetwork | None = None
    gateway: IPAddress | None = None
    pool: tuple[IPAddress, IPAddress] | None = None
    allocate: tuple[IPAddress, IPAddress] | None = None  # SPEC §7 'allocate: START-END', checked
    excluded: list[IPNetwork] = field(default_factory=list)  # 'exclude', parsed (those inside the subnet)
    broken: bool = False  # a value could not be parsed; dependent checks are skipped


@dataclass
class Facts:
    """What the rules and expansion share about one plan: parsed network values, and the node
    side resolved once (SPEC §3 "Profiles"): the distribution profile (None without spec.cluster
    or --distribution), spec.cluster with its defaults (None without spec.cluster), and the CNI
    binaries the plan's NADs need (type -> sorted network names)."""

    networks: dict[str, NetFacts] = field(default_factory=dict)
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


def _facts(net: Network, diags: list[Diagnostic]) -> NetFacts:
    f = NetFacts(net)
    w = net.where
    if net.subnet is not None:
        f.subnet, problem = parse_network_strict(net.subnet)
        if problem:
            f.broken = True
            hint = None
            if problem.host_bits:
                hint = ("put the network address in 'subnet' and the host's own address on the VM "
                        "interface ('address:')")
            diags.append(error("KV210", f"network {net.name!r}: subnet {net.subnet!r} {problem}",
                               w.at("subnet"), hint=hint))
    if net.gateway is not None:
        f.gateway = parse_ip(net.gateway)
        if f.gateway is None:
            f.broken = True
            diags.append(error("KV214", f"network {net.name!r}: gateway {net.gateway!r} is not an IP address",
                               w.at("gateway")))
        elif f.subnet is not None:
            if f.gateway.version != f.subnet.version or f.gateway not in f.subnet:
                diags.append(error("KV214", f"network {net.name!r}: gateway {net.gateway} is outside subnet {f.subnet}",
                                   w.at("gateway"), hint="the gateway must be an address inside 'subnet'"))
            elif f.gateway in (f.subnet.network_address, f.subnet.broadcast_address) and f.subnet.num_addresses > 2:
                diags.append(error("KV214", f"network {net.name!r}: gateway {net.gateway} is the network or "
                                   f"broadcast address of {f.subnet}", w.at("gateway")))
        elif f.subnet is None and not f.broken:
            diags.append(error("KV214", f"network {net.name!r}: gateway {net.gateway!r} needs a subnet",
                               w.at("gateway"), hint=f"add 'subnet:' (the network {net.gateway} belongs to)"))
    for i, ns in enumerate(net.nameservers):
        if parse_ip(ns) is None:
            diags.append(error("KV211", f"network {net.name!r}: nameserver {ns!r} is not an IP address",
                               w.at("dns", "nameservers", i)))
    if net.range is not None:
        f.pool = _range(net, "range", net.range, f, diags)
    if net.allocate is not None:
        f.allocate = _range(net, "allocate", net.allocate, f, diags)
    for i, ex in enumerate(net.exclude):
        exn, problem = parse_network_strict(ex)
        if problem:
            diags.append(error("KV215", f"network {net.name!r}: exclude {ex!r} {problem}", w.at("exclude", i)))
        elif f.subnet is not None and exn is not None and (
                exn.version != f.subnet.version or not exn.subnet_of(f.subnet)):  # type: ignore[arg-type]
            diags.append(error("KV215", f"network {net.name!r}: exclude {ex} is outside subnet {f.subnet}",
                               w.at("exclude", i)))
        elif exn is not None:
            f.excluded.append(exn)
    return f


def _range(net: Network, fname: str, text: str, f: NetFacts,
           diags: list[Diagnostic]) -> tuple[IPAddress, IPAddress] | None:
    """``FIRST-LAST`` of ``range`` or ``allocate`` parsed (KV215: not two addresses, reversed,
    mixed families, outside the subnet); None when it has a problem."""
    w = net.where
    first_s, _, last_s = text.partition("-")
    first, last = parse_ip(first_s), parse_ip(last_s)
    if first is None or last is None:
        f.broken = True
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text!r} is not 'FIRST-LAST' of two "
                           "IP addresses", w.at(fname)))
    elif first.version != last.version or first > last:  # type: ignore[operator]
        same_family = first.version == last.version
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text} is reversed or mixes IPv4 and IPv6",
                           w.at(fname), hint=f"write it as {last_s}-{first_s}" if same_family else None))
    elif f.subnet is not None and (first.version != f.subnet.version
                                   or first not in f.subnet or last not in f.subnet):
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text} is outside subnet {f.subnet}",
                           w.at(fname)))
    else:
        return first, last
    return None


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
            facts.networks[net.name] = _facts(net, diags)
    facts.plugins = used_plugins(facts.networks)
    if plan.cluster is not None or distribution:
        facts.profile = resolve(plan.cluster, distribution)
    if plan.cluster is not None and facts.profile is not None:
        facts.cluster = settings(plan.cluster, facts.profile)
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
