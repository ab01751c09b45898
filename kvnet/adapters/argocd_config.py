"""``kvnet argocd config``: the ``argocd-cm`` settings that make Argo CD understand kvnet's objects
(issue 26): resource health in Lua for ``kubevirt.io/VirtualMachine`` and
``nmstate.io/NodeNetworkConfigurationPolicy`` (``kvnet/data/argocd/*.lua``, Lua 5.1 as Argo CD's
gopher-lua runs it), and ``ignoreDifferences`` for the VM fields KubeVirt and its neighbours
write after admission, which would otherwise keep every VM OutOfSync.

Keys as Argo CD reads them (docs ``operator-manual/argocd-cm.yaml``,
``resource.customizations.<health|ignoreDifferences>.<group>_<kind>``). The fields ignored, each
never written by kvnet (it writes every NIC's MAC itself, so interfaces need no entry):

- ``metadata.annotations`` ``kubevirt.io/latest-observed-api-version`` and
  ``kubevirt.io/storage-observed-api-version`` (KubeVirt's VM controller records the API versions);
- ``metadata.annotations`` ``kubemacpool.io/transaction-timestamp`` (KubeMacPool, where deployed);
- ``metadata.finalizers`` (``kubevirt.io/virtualMachineControllerFinalize``);
- ``spec.template.metadata.annotations`` ``kubevirt.io/pci-topology-version`` (KubeVirt >= 1.6);
- ``spec.template.spec.architecture`` and ``domain.machine`` (virt-api's VM mutator defaults them,
  ``pkg/virt-api/webhooks/mutating-webhook/mutators/vm-mutator.go``);
- ``domain.firmware.serial`` and ``domain.firmware.uuid`` (persisted by KubeVirt).

Observed drifting on live VMs in projectbluefin/lab#97 (Argo CD OutOfSync on every VM).
"""

from __future__ import annotations

from typing import Any

from kvnet.emit import dump_yaml
from kvnet.resources import read_data

HEALTH = {
    "kubevirt.io_VirtualMachine": "argocd/virtualmachine-health.lua",
    "nmstate.io_NodeNetworkConfigurationPolicy": "argocd/nodenetworkconfigurationpolicy-health.lua",
}
VM_IGNORED = [
    "/metadata/annotations/kubevirt.io~1latest-observed-api-version",
    "/metadata/annotations/kubevirt.io~1storage-observed-api-version",
    "/metadata/annotations/kubemacpool.io~1transaction-timestamp",
    "/metadata/finalizers",
    "/spec/template/metadata/annotations/kubevirt.io~1pci-topology-version",
    "/spec/template/spec/architecture",
    "/spec/template/spec/domain/machine",
    "/spec/template/spec/domain/firmware/serial",
    "/spec/template/spec/domain/firmware/uuid",
]


def settings() -> dict[str, str]:
    """``argocd-cm`` data key -> value (Lua text, or the YAML of an ignoreDifferences entry)."""
    data = {f"resource.customizations.health.{key}": read_data(path) for key, path in HEALTH.items()}
    data["resource.customizations.ignoreDifferences.kubevirt.io_VirtualMachine"] = dump_yaml(
        {"jsonPointers": VM_IGNORED})
    return dict(sorted(data.items()))


def config_map(namespace: str) -> dict[str, Any]:
    """``argocd-cm`` with only these keys: a strategic-merge patch (``kubectl patch configmap
    argocd-cm -n argocd --patch-file FILE``) or a kustomize patch over an Argo CD install."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "argocd-cm", "namespace": namespace,
                         "labels": {"app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"}},
            "data": settings()}
