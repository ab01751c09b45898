"""Per-type network fields: what each CNI type needs and what it cannot use."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Network, Plan

# field (plan spelling) -> network types that use it
OVN_TYPES = ("ovn-layer2", "ovn-localnet")
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "bridge": ("bridge", "ovs"),
    "vlan": ("bridge", "ovs", "ovn-localnet", "sriov"),  # SPEC §2, §9 (OVN-K: vlanID is localnet only)
    "trunk": ("bridge", "ovs"),  # bridge: vlanTrunk (containernetworking/plugins v1.3.0)
    "master": ("macvlan", "ipvlan", "macvtap", "host-device"),
    "mode": ("macvlan", "ipvlan", "macvtap"),
    "mtu": ("bridge", "macvlan", "ipvlan", "macvtap", "ovs", *OVN_TYPES),
    "resourceName": ("sriov", "macvtap"),
    "allowPersistentIPs": OVN_TYPES,
    "nad": ("external",),
    "spoofchk": ("sriov",),
    "trust": ("sriov",),
    "uplink": ("bridge",),
    "cniVersion": ("bridge", "macvtap", "sriov", "macvlan", "ipvlan", "host-device", "ovs", *OVN_TYPES),
}
# Types whose addresses no CNI IPAM of kvnet's assigns: OVN-Kubernetes is its own IPAM (from
# 'subnet'), and an external NAD is someone else's; 'ipam' stays 'none' on them.
NO_IPAM_TYPES = (*OVN_TYPES, "external")

MODES: dict[str, tuple[str, ...]] = {
    "macvlan": ("bridge", "private", "vepa", "passthru"),
    "macvtap": ("bridge", "private", "vepa", "passthru"),
    "ipvlan": ("l2", "l3", "l3s"),
}

POOL_IPAM = ("host-local", "whereabouts")
ALLOCATE_IPAM = ("none", "static")  # SPEC §7: kvnet allocates where the NAD does not


def _fields(net: Network) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    w = net.where
    for fname, types in FIELD_TYPES.items():
        if net.raw.get(fname) is not None and net.type not in types:
            out.append(error("KV208", f"network {net.name!r}: field {fname!r} does not apply to type {net.type!r}",
                             w.at(fname, key=True), hint=f"{fname!r} is used by type " + ", ".join(types)))
    if net.type in NO_IPAM_TYPES and net.raw.get("ipam") not in (None, "none"):
        who = "OVN-Kubernetes assigns the addresses of 'subnet' itself" if net.type in OVN_TYPES else \
            "kvnet does not write the NAD of an external network"
        out.append(error("KV208", f"network {net.name!r}: 'ipam' does not apply to type {net.type!r}: {who}",
                         w.at("ipam"), hint="remove 'ipam'"))
    if net.type == "ovs" and not net.bridge:
        out.append(error("KV209", f"network {net.name!r}: type 'ovs' needs 'bridge', the Open vSwitch bridge on "
                         "the node", w.at("type"), hint="e.g. 'bridge: br1' (ovs-vsctl add-br br1 on each node)"))
    if net.type == "external" and not net.nad:
        out.append(error("KV209", f"network {net.name!r}: type 'external' needs 'nad', the "
                         "'<namespace>/<name>' of the NetworkAttachmentDefinition to attach to", w.at("type"),
                         hint="e.g. 'nad: team-net/shared-lan'"))
    if net.type == "bridge" and not net.bridge:
        out.append(error("KV209", f"network {net.name!r}: type 'bridge' needs 'bridge', the node bridge to attach to",
                         w.at("type"), hint="e.g. 'bridge: br-ext' (create it on each node, with the uplink enslaved)"))
    if net.type == "host-device" and not net.master:
        out.append(error("KV209", f"network {net.name!r}: type 'host-device' needs 'master', the node device to move "
                         "into the VM pod", w.at("type")))
    if net.type == "sriov" and not net.resource_name:
        out.append(error("KV209", f"network {net.name!r}: type 'sriov' needs 'resourceName', the SR-IOV device plugin "
                         "resource", w.at("type"), hint="e.g. 'resourceName: intel.com/sriov_netdevice'"))
    if net.type == "macvtap" and not net.resource_name and not net.master:
        out.append(error("KV209", f"network {net.name!r}: type 'macvtap' needs 'master' (lower device) or "
                         "'resourceName'", w.at("type"),
                         hint="e.g. 'master: eth0' gives resourceName macvtap.network.kubevirt.io/eth0"))
    if net.mode is not None and net.type in MODES and net.mode not in MODES[net.type]:
        out.append(error("KV104", f"network {net.name!r}: mode {net.mode!r} is not a {net.type} mode "
                         f"(one of: {', '.join(MODES[net.type])})", w.at("mode")))
    if net.ipam in ("static", *POOL_IPAM) and net.subnet is None:
        out.append(error("KV209", f"network {net.name!r}: ipam {net.ipam!r} needs 'subnet'", w.at("ipam"),
                         hint="give the segment's network address, e.g. 'subnet: 192.168.1.0/24'"))
    if net.range is not None and net.ipam not in POOL_IPAM:
        out.append(error("KV208", f"network {net.name!r}: 'range' is only used with ipam host-local or whereabouts "
                         f"(ipam is {net.ipam!r})", w.at("range", key=True)))
    if net.exclude and net.ipam != "whereabouts" and net.allocate is None and net.type not in OVN_TYPES:
        out.append(error("KV208", f"network {net.name!r}: 'exclude' is only used with ipam whereabouts, "
                         "with 'allocate' and by OVN-Kubernetes networks (excludeSubnets)",
                         w.at("exclude", key=True)))
    out.extend(_allocate(net))
    if net.ipam == "dhcp":
        out.append(warning("KV220", f"network {net.name!r}: ipam 'dhcp' needs the CNI DHCP daemon ('dhcp daemon', "
                           "socket /run/cni/dhcp.sock) running on every node; kvnet does not deploy it, and "
                           "without it CNI ADD fails and the VM stays in Starting", w.at("ipam"),
                           hint="run the reference plugins' 'dhcp daemon' as a DaemonSet, or use 'ipam: none' "
                                "and let the guest's own DHCP client ask the segment's server"))
    if net.ipam in POOL_IPAM and net.subnet and ":" in net.subnet:
        out.append(error("KV219", f"network {net.name!r}: ipam {net.ipam!r} with an IPv6 subnet cannot reach the "
                         "guest: KubeVirt's DHCP hands the pod address to the guest for IPv4 only", w.at("ipam"),
                         hint="use 'ipam: static' with an address per interface, "
                              "or 'ipam: none' with router advertisements"))
    return out


def _allocate(net: Network) -> list[Diagnostic]:
    """SPEC §7: 'allocate' on ipam none|static, inside a subnet (the range itself: facts, KV215)."""
    if net.allocate is None:
        return []
    w = net.where
    if net.ipam not in ALLOCATE_IPAM:
        return [error("KV208", f"network {net.name!r}: 'allocate' is only used with ipam none or static "
                      f"(ipam is {net.ipam!r}, which assigns addresses itself)", w.at("allocate", key=True),
                      hint="use 'ipam: static' (or none) with 'allocate', or drop 'allocate' and keep the pool")]
    if net.subnet is None:
        return [error("KV209", f"network {net.name!r}: 'allocate' needs 'subnet' (the addresses' prefix and "
                      "the range's bounds)", w.at("allocate", key=True),
                      hint="give the segment's network address, e.g. 'subnet: 192.168.1.0/24'")]
    return []


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for net in plan.networks:
        out.extend(_fields(net))
    return out
