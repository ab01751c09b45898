"""Per-type network fields: what each CNI type needs and what it cannot use."""

from __future__ import annotations

from kvnet.record import replace

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Network, Plan

#: field (plan spelling) -> network types that use it (kvnet/nettypes)
FIELD_TYPES: dict[str, tuple[str, ...]] = nettypes.field_types()


POOL_IPAM = ("host-local", "whereabouts")
ALLOCATE_IPAM = ("none", "static")  # SPEC §7: kvnet allocates where the NAD does not


def _fields(net: Network) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    w = net.where
    for fname, types in FIELD_TYPES.items():
        if net.raw.get(fname) is not None and net.type not in types:
            out.append(error("KV208", f"network {net.name!r}: field {fname!r} does not apply to type {net.type!r}",
                             w.at(fname, key=True), hint=f"{fname!r} is used by type " + ", ".join(types)))
    entry = nettypes.get(net.type)
    if entry is not None and entry.ipam_owner and net.raw.get("ipam") not in (None, "none"):
        out.append(error("KV208", f"network {net.name!r}: 'ipam' does not apply to type {net.type!r}: "
                         f"{entry.ipam_owner}", w.at("ipam"), hint="remove 'ipam'"))
    for need in entry.required if entry is not None else ():
        if not any(getattr(net, nettypes.PLAN_FIELDS[f]) for f in need.any_of):
            out.append(error("KV209", f"network {net.name!r}: type {net.type!r} needs {need.text}", w.at("type"),
                             hint=need.hint))
    modes = entry.modes if entry is not None else ()
    if net.mode is not None and modes and net.mode not in modes:
        out.append(error("KV104", f"network {net.name!r}: mode {net.mode!r} is not a {net.type} mode "
                         f"(one of: {', '.join(modes)})", w.at("mode")))
    if net.ipam in ("static", *POOL_IPAM) and net.subnet is None:
        out.append(error("KV209", f"network {net.name!r}: ipam {net.ipam!r} needs 'subnet'", w.at("ipam"),
                         hint="give the segment's network address, e.g. 'subnet: 192.168.1.0/24'"))
    if net.range is not None and net.ipam not in POOL_IPAM:
        out.append(error("KV208", f"network {net.name!r}: 'range' is only used with ipam host-local or whereabouts "
                         f"(ipam is {net.ipam!r})", w.at("range", key=True)))
    if net.exclude and net.ipam != "whereabouts" and net.allocate is None \
            and not (entry is not None and entry.carries("exclude")):
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
    if net.ipam in POOL_IPAM and net.subnets and all(":" in sn for sn in net.subnets):  # dual-stack: KV601
        out.append(replace(error("KV219", f"network {net.name!r}: ipam {net.ipam!r} with an IPv6 subnet cannot "
                                 "reach the guest: KubeVirt's DHCP hands the pod address to the guest for IPv4 "
                                 "only", w.at("ipam"), hint="use 'ipam: static' with an address per interface, "
                                 "or 'ipam: none' with router advertisements"), about=("network", net.name)))
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
