"""Which KubeVirt binding each network type can carry (SPEC §1 row 9, §4, §9).

ovs (ovs-cni: a veth into the pod) and the OVN-Kubernetes types carry the ``bridge`` binding
(KubeVirt user guide, interfaces_and_networks; OVN-Kubernetes multi-homing); an ``external``
network's plugin is unknown, so only the pod-network-only bindings are refused there.
"""

from __future__ import annotations

from typing import Iterator

from kvnet import nettypes
from kvnet.nettypes import bindings as kv_bindings
from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts, binding_of, network_type
from kvnet.input.model import POD_NETWORK, VM, Interface, Plan


BINDING_OWNERS = nettypes.binding_owners()
NO_DEFAULT_HINT = "leave binding out to get the default"
#: bindings that put the pod's interface on a bridge in the pod (l2bridge: KubeVirt's managedTap
#: domain attachment, pkg/network/setup/netpod/netpod.go managedTapSpec), so the bridge binding's
#: problems on a network type are theirs too
BRIDGING = (kv_bindings.BRIDGE.name, kv_bindings.L2BRIDGE.name)


def _problem(binding: str, net_type: str) -> tuple[str, str] | None:
    """(message, hint) when ``binding`` cannot carry a network of ``net_type`` (from its entry)."""
    entry = nettypes.get(net_type)
    no_binding = entry.no_binding_fix if entry is not None else None
    known = kv_bindings.binding(binding)
    if known is not None and known.pod_only and net_type != "pod":
        hint = ("KubeVirt has no binding for a macvlan/ipvlan network: " + no_binding
                if no_binding else "leave binding out to get the default for the network")
        return (f"binding {binding!r} only works on the pod network ('default') ({known.pod_only})", hint)
    if entry is not None and entry.any_binding:
        return None  # the NAD is not kvnet's: its plugin is unknown, so the given binding stands (SPEC §9)
    owner = BINDING_OWNERS.get(binding)
    if owner is not None and net_type != owner:
        return (f"binding {binding!r} needs a network of type {owner!r}", no_binding or NO_DEFAULT_HINT)
    if binding in BRIDGING and entry is not None and entry.bridge_binding is not None:
        return entry.bridge_binding
    return None


def known_interfaces(plan: Plan) -> Iterator[tuple[VM, Interface, str]]:
    """(VM, interface, its network's type) for every interface on the pod network or a network of
    the plan, in plan order (an unknown network is the names rule's finding)."""
    types = {n.name: n.type for n in plan.networks}
    for vm in plan.vms:
        for iface in vm.interfaces:
            if iface.network == POD_NETWORK or iface.network in types:
                yield vm, iface, network_type(types, iface.network)


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm, iface, net_type in known_interfaces(plan):
        binding = binding_of(iface, net_type)
        problem = _problem(binding, net_type)
        if problem:
            article = "an" if net_type[0] in "aeiou" else "a"
            label = "the pod network" if net_type == "pod" else f"{article} {net_type} network {iface.network!r}"
            at = iface.where.at("binding") if iface.binding else iface.where.at("network")
            out.append(error("KV230", f"VM {vm.name!r} interface {iface.network!r}: {problem[0]}; {label} cannot "
                             "carry it", at, hint=problem[1]))
    return out
