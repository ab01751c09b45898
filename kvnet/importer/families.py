"""What ``kvnet import`` reads back of dual-stack guests (issue 25): the pod network's address
families, and which NICs the plan marks ``defaultRoute``.

- **Pod IPv6.** On a dual-stack cluster kvnet gives the pod NIC KubeVirt's masquerade IPv6
  address (:data:`kvnet.input.families.MASQUERADE_IPV6`, gateway6 fd10:0:2::1) when the plan says
  ``spec.cluster.ipFamilies: [IPv4, IPv6]``; a VM whose networkData gives its pod NIC that address
  is read back as such a plan (a spec.cluster that only says ``ipFamilies`` asks for no node
  side: :func:`kvnet.input.cluster_settings.node_side`).
- **defaultRoute.** ``defaultRoute: true`` makes a NIC carry the default route of every family it
  has (:func:`kvnet.expand.cloudinit.default_route_carriers`). A NIC whose networkData carries the
  default route of only some of its families (IPv6 beside a pod NIC carrying IPv4) is not marked:
  marking it would move the other family's default route onto it; kvnet then picks it as it did
  when it wrote the networkData (the first NIC with a gateway of that family).
"""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.families import MASQUERADE_IPV6
from kvnet.input.model import POD_NETWORK, Interface
from kvnet.input.model import VM as ModelVM
from kvnet.lint.netdata import CloudInit
from kvnet.lint.vms import VmInfo

CANNOT_EXPRESS = "KV311"
DUAL_STACK_POD = ["IPv4", "IPv6"]


def _version(address: str) -> int:
    return 6 if ":" in address else 4


def pod_ipv6(ci: CloudInit, model: ModelVM) -> bool | None:
    """Whether the VM's networkData gives its pod NIC KubeVirt's masquerade IPv6 address; None
    for a VM without a pod NIC or without networkData (nothing to say either way)."""
    pod = next((i for i in model.interfaces if i.network == POD_NETWORK), None)
    if pod is None or ci.network_data is None:
        return None
    return str(MASQUERADE_IPV6) in ci.address_for(pod.mac, pod.index)


def marks_default_route(iface: Interface, ci: CloudInit) -> bool:
    """Whether the plan interface gets ``defaultRoute: true``: its networkData carries a default
    route (a gateway key or a default-route destination), for each family of its addresses."""
    if iface.network == POD_NETWORK or not iface.attached:
        return False
    gateways = ci.segment_for(iface.mac, iface.index).get("gateways") or []
    carried = {_version(str(g)) for g in gateways if g}
    return bool(carried) and {_version(a) for a in iface.addresses} <= carried


def pod_families(vms: list[tuple[VmInfo, CloudInit, ModelVM]]) -> tuple[dict[str, bool], list[Diagnostic]]:
    """Namespace -> whether its plan's pod network is dual-stack (a VM's pod NIC has the
    masquerade IPv6 address); KV311 for each VM of such a namespace whose pod NIC does not (the
    plan's ipFamilies gives it IPv6 too)."""
    said: dict[str, list[tuple[VmInfo, bool]]] = {}
    for vm, ci, model in vms:
        six = pod_ipv6(ci, model)
        if six is not None:
            said.setdefault(vm.found.namespace, []).append((vm, six))
    out = {ns: any(six for _, six in items) for ns, items in said.items()}
    notes = [warning(CANNOT_EXPRESS, f"{vm.found.kind} {vm.found.name!r}: its pod NIC has no IPv6 address while "
                     "other VMs of the namespace have KubeVirt's masquerade IPv6: the plan's spec.cluster.ipFamilies "
                     "gives every pod NIC IPv6", vm.found.loc("metadata", "name"),
                     hint="ipFamilies is the cluster's; give this VM its own plan if it must stay IPv4-only")
             for ns, items in said.items() if out[ns] for vm, six in items if not six]
    return out, notes


def cluster_entry(distribution: str | None, dual_stack_pod: bool) -> dict[str, Any] | None:
    """The imported plan's ``spec.cluster``: the distribution the input implies, the pod
    network's families; None when there is nothing to say."""
    if distribution is None and not dual_stack_pod:
        return None
    cluster: dict[str, Any] = {}
    if distribution is not None:
        cluster["distribution"] = distribution
    if dual_stack_pod:
        cluster["ipFamilies"] = list(DUAL_STACK_POD)
    return cluster
