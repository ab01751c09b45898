"""What ``kvnet import`` does to its input before reading it (issue 26): the namespace of
namespace-less objects, and the fields the API server and KubeVirt set, which a plan must not
carry back into Git.

- ``-n/--namespace NS``: an object without ``metadata.namespace`` is in NS, as ``kubectl apply
  -n NS`` puts it (kubectl's ``--namespace``). Without it such VMs cannot name their NADs as an
  external network needs (``<namespace>/<name>``), and their NICs could not be imported.
- Server-set fields: ``kubectl.kubernetes.io/last-applied-configuration`` (kubectl's client-side
  apply), ``kubevirt.io/latest-observed-api-version`` and ``kubevirt.io/storage-observed-api-version``
  (KubeVirt's VM controller) are dropped from every object. An object read back from a cluster
  (it has ``metadata.uid`` or ``metadata.resourceVersion``, which only the API server writes)
  also loses what KubeVirt fills in on its VMs: ``firmware.uuid`` (virt-controller persists the
  UUID it derives from the VM's name), ``architecture`` and ``machine.type`` (virt-api's VM
  mutator defaults them from the cluster configuration: ``pkg/virt-api/webhooks/mutating-webhook/
  mutators/vm-mutator.go``); metadata beyond labels and annotations is never imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kvnet.input.loader import Document
from kvnet.lint.objects import document_objects

#: kinds a namespace applies to among those import reads (the others are cluster-scoped or not read)
NAMESPACED = ("NetworkAttachmentDefinition", "VirtualMachine", "VirtualMachineInstance", "VirtualMachinePool",
              "Secret", "MultiNetworkPolicy")
SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "kubevirt.io/latest-observed-api-version",
                      "kubevirt.io/storage-observed-api-version")


def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def set_namespace(docs: Sequence[Document], namespace: str) -> None:
    """Put ``namespace`` on every namespaced object of ``docs`` that has none (in place)."""
    for doc in docs:
        for data, _path in document_objects(doc):
            meta = data.get("metadata")
            if data.get("kind") in NAMESPACED and isinstance(meta, dict) and not meta.get("namespace"):
                meta["namespace"] = namespace


def drop_server_fields(docs: Sequence[Document]) -> None:
    """Remove the annotations and VM spec fields the server and KubeVirt set (in place)."""
    for doc in docs:
        for data, _path in document_objects(doc):
            meta = _m(data.get("metadata"))
            annotations = meta.get("annotations")
            if isinstance(annotations, dict):
                for key in SERVER_ANNOTATIONS:
                    annotations.pop(key, None)
                if not annotations:
                    meta.pop("annotations")
            if "uid" in meta or "resourceVersion" in meta:
                _drop_kubevirt_defaults(data)


def _drop_kubevirt_defaults(data: dict[str, Any]) -> None:
    """A read-back VM's (or pool's) template without what KubeVirt filled in."""
    spec = _m(data.get("spec"))
    if data.get("kind") == "VirtualMachinePool":
        spec = _m(_m(spec.get("virtualMachineTemplate")).get("spec"))
    template = _m(_m(spec.get("template")).get("spec"))
    template.pop("architecture", None)
    domain = _m(template.get("domain"))
    for key, field in (("firmware", "uuid"), ("machine", "type")):
        part = domain.get(key)
        if isinstance(part, dict):
            part.pop(field, None)
            if not part:
                domain.pop(key)
