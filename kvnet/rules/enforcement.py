"""Whether anything enforces a MultiNetworkPolicy on the VMs of a network (issue 24).

Sources: OVN-Kubernetes enforces MultiNetworkPolicy natively on its own secondary networks
(ovn-k8s-cni-overlay: layer2, localnet; OVN-Kubernetes docs/features/multiple-networks,
"multi-network policies"), at the logical switch port, so whatever the VM's binding. The
multi-networkpolicy daemons (k8snetworkplumbingwg/multi-networkpolicy-iptables and -nftables)
write their rules into the pod's network namespace, on the pod's interface: KubeVirt's
``bridge`` binding makes that interface a port of an in-pod bridge, so the VM's frames are
bridged past the rules (Sylva work item 2234), and the ``sriov``/``macvtap`` bindings give the VM
a device whose traffic never enters the pod's namespace. So for a VM nothing but OVN-Kubernetes
on an OVN network enforces a policy.
"""

from __future__ import annotations

#: spec.cluster.policyEnforcer values (the NetworkPlan schema's enum)
OVN_KUBERNETES = "ovn-kubernetes"
MULTI_NETWORKPOLICY = "multi-networkpolicy"
#: the CNI plugin of OVN-Kubernetes's secondary networks (the NAD config's "type")
OVN_PLUGIN = "ovn-k8s-cni-overlay"


def unenforced(plugin: str | None, bindings: list[str], enforcer: str | None) -> str | None:
    """Why a policy on a network of CNI ``plugin`` (None: unknown, an external NAD) is not enforced
    for VMs attached with ``bindings`` when ``enforcer`` (None: not declared) runs; None when it is."""
    if plugin == OVN_PLUGIN:
        if enforcer in (None, OVN_KUBERNETES):
            return None
        return (f"the policy enforcer is {enforcer!r}, and only OVN-Kubernetes enforces policies on "
                "its own networks")
    what = f"a {plugin!r} network" if plugin else "a NAD whose plugin kvnet does not know"
    if enforcer == OVN_KUBERNETES:
        return f"OVN-Kubernetes enforces policies only on its own networks, not on {what}"
    if enforcer == "none":
        return "spec.cluster.policyEnforcer is 'none'"
    daemons = (f"the multi-networkpolicy iptables/nftables daemons filter in the virt-launcher pod's network "
               f"namespace, which {_bypass(bindings)} (Sylva work item 2234)")
    if enforcer == MULTI_NETWORKPOLICY:
        return f"on {what}, {daemons}"
    return f"no policy enforcer is declared (spec.cluster.policyEnforcer), and on {what} {daemons}"


def _bypass(bindings: list[str]) -> str:
    names = sorted(set(bindings)) or ["bridge"]
    many = len(names) > 1
    return f"KubeVirt's {', '.join(map(repr, names))} binding{'s' if many else ''} bypass{'' if many else 'es'}"
