"""NetworkAttachmentDefinitions from networks (SPEC §3 Addressing, NADs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kvnet import labels as meta
from kvnet.expand.emitted import Emitted
from kvnet.input.facts import Facts, NetFacts, cni_type, resource_name
from kvnet.input.model import VM, Network, Plan
from kvnet.netmath import bounded_name, parse_interface
from kvnet.profiles import Profile


# Types whose CNI config takes "mtu" (sriov's MTU belongs to the VF's policy).
MTU_TYPES = ("bridge", "macvlan", "ipvlan", "macvtap", "ovs", "ovn-layer2", "ovn-localnet")


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


def ipam_config(nf: NetFacts, address: str | None, profile: Profile | None) -> dict[str, Any] | None:
    """The CNI IPAM section. No routes: the pod network owns the pod's default
    route, and a second one makes CNI ADD fail ('file exists'); the guest's
    default route comes from cloud-init networkData."""
    net = nf.network
    if net.ipam == "none":
        return None
    if net.ipam == "dhcp":
        return {"type": "dhcp"}
    if net.ipam == "static":
        assert nf.subnet is not None and address is not None
        ip = parse_interface(address)
        assert ip is not None
        entry: dict[str, Any] = {"address": f"{ip.ip}/{nf.subnet.prefixlen}"}
        if nf.gateway is not None:
            entry["gateway"] = str(nf.gateway)
        cfg: dict[str, Any] = {"type": "static", "addresses": [entry]}
        if _dns(net):
            cfg["dns"] = _dns(net)
        return cfg
    assert nf.subnet is not None
    if net.ipam == "host-local":
        rng: dict[str, Any] = {"subnet": str(nf.subnet)}
        if nf.pool:
            rng["rangeStart"], rng["rangeEnd"] = str(nf.pool[0]), str(nf.pool[1])
        if nf.gateway is not None:
            rng["gateway"] = str(nf.gateway)
        return {"type": "host-local", "ranges": [[rng]]}
    # whereabouts
    cfg = {"type": "whereabouts", "range": str(nf.subnet)}
    if nf.pool:
        cfg["range_start"], cfg["range_end"] = str(nf.pool[0]), str(nf.pool[1])
    exclude = list(net.exclude)
    if nf.gateway is not None and _in_pool(nf):
        # whereabouts (unlike host-local) does not skip the gateway: never hand out the router's address
        gw = f"{nf.gateway}/{nf.gateway.max_prefixlen}"
        if gw not in exclude:
            exclude.append(gw)
    if exclude:
        cfg["exclude"] = exclude
    if nf.gateway is not None:
        cfg["gateway"] = str(nf.gateway)
    if profile is not None and profile.distribution == "k3s":
        # SPEC §7: k3s keeps CNI config under its own conf dir, where whereabouts' defaults
        # (/etc/cni/net.d/whereabouts.d/...) do not look: name both the flat file and the kubeconfig
        cfg["configuration_path"] = profile.whereabouts_config
        cfg["kubernetes"] = {"kubeconfig": profile.whereabouts_kubeconfig}
    return cfg


def _in_pool(nf: NetFacts) -> bool:
    gw = nf.gateway
    if gw is None or nf.subnet is None or gw.version != nf.subnet.version or gw not in nf.subnet:
        return False
    if nf.pool is None:
        return True
    return bool(nf.pool[0] <= gw <= nf.pool[1])  # type: ignore[operator]


OVN_TOPOLOGY = {"ovn-layer2": "layer2", "ovn-localnet": "localnet"}


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _plugin_fields(plan: Plan, nf: NetFacts, name: str) -> dict[str, Any]:
    """The plugin-specific keys of the CNI config: bridge (containernetworking bridge), ovs
    (ovs-cni docs/cni-plugin.md), ovn-k8s-cni-overlay (OVN-Kubernetes multi-homing.md), sriov
    (sriov-cni configuration reference), host-device, macvlan/ipvlan/macvtap."""
    net = nf.network
    cfg: dict[str, Any] = {}
    if net.type in ("bridge", "ovs"):
        cfg["bridge"] = net.bridge
        if net.vlan is not None:
            cfg["vlan"] = net.vlan
        if net.trunk:  # ovs-cni's "trunk"; the bridge plugin's "vlanTrunk" (v1.3.0+), same items
            cfg["vlanTrunk" if net.type == "bridge" else "trunk"] = [dict(sorted(i.items())) for i in net.trunk]
    elif net.type in OVN_TOPOLOGY:
        cfg["topology"] = OVN_TOPOLOGY[net.type]
        cfg["netAttachDefName"] = f"{plan.namespace}/{name}"
        if nf.subnet is not None:
            cfg["subnets"] = str(nf.subnet)
        if net.exclude:
            cfg["excludeSubnets"] = ",".join(net.exclude)
        if net.vlan is not None:
            cfg["vlanID"] = net.vlan
        if net.allow_persistent_ips:
            cfg["allowPersistentIPs"] = True
    elif net.type == "host-device":
        cfg["device"] = net.master
    elif net.type == "sriov":
        # the VF itself comes from the device plugin resource (NAD annotation)
        if net.vlan is not None:
            cfg["vlan"] = net.vlan
        if net.spoofchk is not None:
            cfg["spoofchk"] = _on_off(net.spoofchk)
        if net.trust is not None:
            cfg["trust"] = _on_off(net.trust)
    else:  # macvlan, ipvlan, macvtap
        if net.master:
            cfg["master"] = net.master
        if net.mode:
            cfg["mode"] = net.mode
    return cfg


def cni_config(plan: Plan, nf: NetFacts, name: str, address: str | None,
               profile: Profile | None) -> dict[str, Any]:
    """The NAD's ``spec.config`` (SPEC §3 NADs, §9) before serialisation."""
    net = nf.network
    cfg: dict[str, Any] = {"cniVersion": net.cni_version, "name": name, "type": cni_type(net)}
    cfg.update(_plugin_fields(plan, nf, name))
    if net.mtu is not None and net.type in MTU_TYPES:
        cfg["mtu"] = net.mtu
    ipam = ipam_config(nf, address, profile)
    if ipam is not None:
        cfg["ipam"] = ipam
    return cfg


def nad_object(plan: Plan, nf: NetFacts, name: str, address: str | None,
               profile: Profile | None) -> dict[str, Any]:
    net = nf.network
    extra: dict[str, str] = {meta.SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}
    rn = resource_name(net)
    if rn and net.type in ("sriov", "macvtap", "ovs"):
        extra[meta.RESOURCE_NAME] = rn
    config = json.dumps(cni_config(plan, nf, name, address, profile), sort_keys=True, separators=(",", ":"))
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
        if net.ipam != "static" and net.type != "external":
            objects.append(Emitted(nad_object(plan, nf, net.name, None, profile), net.where.at("name")))
    for vm in plan.vms:
        for iface in vm.interfaces:
            attached = facts.networks.get(iface.network)
            if attached is None:
                continue
            net = attached.network
            if net.type == "external" and net.nad:
                refs[(vm.name, iface.index)] = NadRef(net.nad, net.name, "external", None)
                continue
            name = nad_name(plan, net, vm)
            if net.ipam == "static":
                objects.append(Emitted(nad_object(plan, attached, name, iface.address, profile),
                                       iface.where.at("network")))
            refs[(vm.name, iface.index)] = NadRef(name, net.name, net.type, None if net.ipam == "none" else net.ipam)
    return objects, refs


def network_name_ref(plan: Plan, nad: str) -> str:
    """KubeVirt's ``multus.networkName``: ``<ns>/<nad>``, bare ``<nad>`` without a plan namespace,
    and an external network's ``<namespace>/<name>`` as given."""
    if "/" in nad:
        return nad
    return f"{plan.namespace}/{nad}" if plan.namespace else nad
