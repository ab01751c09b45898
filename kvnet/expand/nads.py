"""NetworkAttachmentDefinitions from networks (SPEC §3 Addressing, NADs)."""

from __future__ import annotations

import json
from kvnet.record import dataclass
from typing import Any

from kvnet import labels as meta
from kvnet import nettypes
from kvnet.expand.emitted import Emitted
from kvnet.input.facts import Facts, NetFacts, cni_type, resource_name
from kvnet.input.families import Family
from kvnet.input.model import VM, Network, Plan
from kvnet.netmath import IPInterface, bounded_name
from kvnet.profiles import Profile


@dataclass(frozen=True)
class NadRef:
    name: str
    network: str
    plugin: str
    ipam: str | None


def nad_name(plan: Plan, net: Network, vm: VM | None) -> str:
    if net.ipam == "static" and vm is not None:
        return bounded_name(f"{vm.name}-{net.name}")
    return net.name


def _dns(net: Network) -> dict[str, Any]:
    dns: dict[str, Any] = {}
    if net.nameservers:
        dns["nameservers"] = list(net.nameservers)
    if net.search:
        dns["search"] = list(net.search)
    return dns


def ipam_config(nf: NetFacts, addresses: list[IPInterface], profile: Profile | None) -> dict[str, Any] | None:
    """The CNI IPAM section, one entry per address family (issue 25), as each plugin reads it:
    static ``addresses`` (one per family, each with its family's gateway: plugins/ipam/static),
    host-local ``ranges`` (one range set per family: plugins/ipam/host-local README),
    whereabouts ``range`` for the first family and ``ipRanges`` for the other (whereabouts
    pkg/config/config.go LoadIPAMConfig turns ``range`` into ipRanges[0]). No routes: the pod
    network owns the pod's default route, and a second one makes CNI ADD fail ('file exists');
    the guest's default route comes from cloud-init networkData."""
    net = nf.network
    if net.ipam == "none":
        return None
    if net.ipam == "dhcp":
        return {"type": "dhcp"}
    if net.ipam == "static":
        entries: list[dict[str, Any]] = []
        for ip in addresses:
            fam = nf.families[ip.version]
            assert fam.subnet is not None
            entry: dict[str, Any] = {"address": f"{ip.ip}/{fam.subnet.prefixlen}"}
            if fam.gateway is not None:
                entry["gateway"] = str(fam.gateway)
            entries.append(entry)
        cfg: dict[str, Any] = {"type": "static", "addresses": entries}
        if _dns(net):
            cfg["dns"] = _dns(net)
        return cfg
    assert nf.subnet is not None
    if net.ipam == "host-local":
        return {"type": "host-local", "ranges": [[_host_local_range(f)] for f in nf.families.values()
                                                 if f.subnet is not None]}
    return _whereabouts(nf, profile)


def _host_local_range(fam: Family) -> dict[str, Any]:
    rng: dict[str, Any] = {"subnet": str(fam.subnet)}
    if fam.pool:
        rng["rangeStart"], rng["rangeEnd"] = str(fam.pool[0]), str(fam.pool[1])
    if fam.gateway is not None:
        rng["gateway"] = str(fam.gateway)
    return rng


def _whereabouts_range(fam: Family, excludes: list[str]) -> dict[str, Any]:
    """One whereabouts range: ``range``, its pool bounds, ``exclude`` (the family's own excludes,
    and its gateway when in the pool: whereabouts, unlike host-local, does not skip it)."""
    cfg: dict[str, Any] = {"range": str(fam.subnet)}
    if fam.pool:
        cfg["range_start"], cfg["range_end"] = str(fam.pool[0]), str(fam.pool[1])
    exclude = list(excludes)
    if fam.gateway is not None and _in_pool(fam):
        gw = f"{fam.gateway}/{fam.gateway.max_prefixlen}"
        if gw not in exclude:
            exclude.append(gw)
    if exclude:
        cfg["exclude"] = exclude
    return cfg


def _whereabouts(nf: NetFacts, profile: Profile | None) -> dict[str, Any]:
    fams = [f for f in nf.families.values() if f.subnet is not None]
    first = fams[0]
    mine = [e for e in nf.network.exclude if _family_of(e) != fams[1].version] if len(fams) > 1 else nf.network.exclude
    cfg: dict[str, Any] = {"type": "whereabouts", **_whereabouts_range(first, mine)}
    if len(fams) > 1:
        other = [e for e in nf.network.exclude if _family_of(e) == fams[1].version]
        cfg["ipRanges"] = [_whereabouts_range(fams[1], other)]
    if first.gateway is not None:
        cfg["gateway"] = str(first.gateway)
    if profile is not None and profile.distribution == "k3s":
        # SPEC §7: k3s keeps CNI config under its own conf dir, where whereabouts' defaults
        # (/etc/cni/net.d/whereabouts.d/...) do not look: name both the flat file and the kubeconfig
        cfg["configuration_path"] = profile.whereabouts_config
        cfg["kubernetes"] = {"kubeconfig": profile.whereabouts_kubeconfig}
    return cfg


def _family_of(cidr: str) -> int:
    return 6 if ":" in cidr else 4


def _in_pool(fam: Family) -> bool:
    gw = fam.gateway
    if gw is None or fam.subnet is None or gw.version != fam.subnet.version or gw not in fam.subnet:
        return False
    if fam.pool is None:
        return True
    return bool(fam.pool[0] <= gw <= fam.pool[1])  # type: ignore[operator]


def _plugin_fields(plan: Plan, nf: NetFacts, name: str) -> dict[str, Any]:
    """The plugin-specific keys of the CNI config, as the network type's catalog entry maps them
    (kvnet/nettypes: bridge, ovs-cni docs/cni-plugin.md, OVN-Kubernetes multi-homing.md,
    sriov-cni configuration reference, host-device, macvlan/ipvlan/macvtap)."""
    net = nf.network
    entry = nettypes.get(net.type)
    subnets = ",".join(str(s) for s in nf.subnets)  # OVN-Kubernetes 'subnets': comma-separated, one per family
    target = nettypes.NadTarget(plan.namespace, name, subnets or None)
    cfg: dict[str, Any] = {}
    for ck in entry.cni_keys if entry is not None else ():
        value = ck.value(net, target)
        if value is not None:
            cfg[ck.key] = value
    return cfg


def cni_config(plan: Plan, nf: NetFacts, name: str, addresses: list[IPInterface],
               profile: Profile | None) -> dict[str, Any]:
    """The NAD's ``spec.config`` (SPEC §3 NADs, §9) before serialisation."""
    net = nf.network
    cfg: dict[str, Any] = {"cniVersion": net.cni_version, "name": name, "type": cni_type(net)}
    cfg.update(_plugin_fields(plan, nf, name))
    ipam = ipam_config(nf, addresses, profile)
    if ipam is not None:
        cfg["ipam"] = ipam
    return cfg


def nad_object(plan: Plan, nf: NetFacts, name: str, addresses: list[IPInterface],
               profile: Profile | None) -> dict[str, Any]:
    net = nf.network
    extra: dict[str, str] = {meta.SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}
    rn = resource_name(net)
    entry = nettypes.get(net.type)
    if rn and entry is not None and entry.resource_annotation:
        extra[meta.RESOURCE_NAME] = rn
    config = json.dumps(cni_config(plan, nf, name, addresses, profile), sort_keys=True, separators=(",", ":"))
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": meta.metadata(name, plan.namespace, plan.name, net.where.file, meta.WAVE_NAD,
                                  annotations=extra),
        "spec": {"config": config},
    }


def expand_nads(plan: Plan, facts: Facts, profile: Profile | None
                ) -> tuple[list[Emitted], dict[tuple[str, int], NadRef]]:
    """All NADs of the plan (each with its origin: the network, or the interface of a per-VM
    static NAD), and which NAD each (vm, interface index) attaches to."""
    objects: list[Emitted] = []
    refs: dict[tuple[str, int], NadRef] = {}
    for nf in facts.networks.values():
        net = nf.network
        if net.ipam != "static" and writes_nad(net):
            objects.append(Emitted(nad_object(plan, nf, net.name, [], profile), net.where.at("name")))
    for vm in plan.vms:
        for iface in vm.interfaces:
            attached = facts.networks.get(iface.network)
            if attached is None:
                continue
            net = attached.network
            if not writes_nad(net) and net.nad:
                refs[(vm.name, iface.index)] = NadRef(net.nad, net.name, net.type, None)
                continue
            name = nad_name(plan, net, vm)
            if net.ipam == "static":
                objects.append(Emitted(nad_object(plan, attached, name, facts.iface(vm, iface).addresses, profile),
                                       iface.where.at("network")))
            refs[(vm.name, iface.index)] = NadRef(name, net.name, net.type, None if net.ipam == "none" else net.ipam)
    return objects, refs


def writes_nad(net: Network) -> bool:
    """Whether kvnet writes ``net``'s NAD (an external network names someone else's)."""
    entry = nettypes.get(net.type)
    return entry is None or entry.writes_nad


def network_name_ref(plan: Plan, nad: str) -> str:
    """KubeVirt's ``multus.networkName``: ``<ns>/<nad>``, bare ``<nad>`` without a plan namespace,
    and an external network's ``<namespace>/<name>`` as given."""
    if "/" in nad:
        return nad
    return f"{plan.namespace}/{nad}" if plan.namespace else nad
