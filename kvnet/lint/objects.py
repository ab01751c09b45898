"""The Kubernetes objects ``kvnet lint`` and ``kvnet import`` know, found in loaded documents (SPEC §8).

A document is an object, or a ``kind: List`` of objects; every other kind (and every non-mapping)
is skipped. A :class:`Found` keeps its document and the path of the object inside it, so each
finding points at ``FILE:LINE:COL`` of the input.
"""

from __future__ import annotations

from kvnet.record import dataclass
from typing import Any, Iterable, Iterator, Sequence

from kvnet.diagnostics import Loc
from kvnet.input.loader import Document, PathT

NAD = "NetworkAttachmentDefinition"
VM = "VirtualMachine"
VMI = "VirtualMachineInstance"
VM_POOL = "VirtualMachinePool"
DAEMONSET = "DaemonSet"
CRD = "CustomResourceDefinition"
SECRET = "Secret"
MNP = "MultiNetworkPolicy"
KNOWN_KINDS = (NAD, VM, VMI, VM_POOL, DAEMONSET, CRD, SECRET, MNP)

#: where a VM-like object keeps its VMI spec (networks, domain.devices.interfaces, volumes)
#: and the metadata of the pods it starts (KubeVirt API: VirtualMachine.spec.template,
#: VirtualMachinePool.spec.virtualMachineTemplate.spec.template, VirtualMachineInstance.spec).
VMI_SPEC_PATH: dict[str, PathT] = {
    VM: ("spec", "template", "spec"),
    VMI: ("spec",),
    VM_POOL: ("spec", "virtualMachineTemplate", "spec", "template", "spec"),
}
POD_META_PATH: dict[str, PathT] = {
    VM: ("spec", "template", "metadata"),
    VMI: ("metadata",),
    VM_POOL: ("spec", "virtualMachineTemplate", "spec", "template", "metadata"),
}


@dataclass
class Found:
    """One recognised object: its kind, data, document and path inside the document."""

    kind: str
    data: dict[str, Any]
    doc: Document
    path: PathT

    @property
    def name(self) -> str:
        meta = self.data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) and name else "<unnamed>"

    @property
    def namespace(self) -> str:
        """metadata.namespace, or "" when the object carries none (the apply namespace decides)."""
        meta = self.data.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) else None
        return ns if isinstance(ns, str) else ""

    def loc(self, *sub: Any, key: bool = False) -> Loc:
        """Position of ``sub`` inside the object (nearest enclosing node when absent)."""
        return self.doc.loc(self.path + tuple(sub), key=key)

    def get(self, *keys: Any) -> Any:
        """The value at ``keys`` (None where a step is missing or of another type)."""
        node: Any = self.data
        for k in keys:
            if isinstance(node, dict):
                node = node.get(k)
            elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
                node = node[k]
            else:
                return None
        return node

    @property
    def label(self) -> str:
        ns = self.namespace
        return f"{self.kind} {ns + '/' if ns else ''}{self.name}"


def _kind_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    kind = data.get("kind")
    return kind if isinstance(kind, str) and kind in KNOWN_KINDS else None


def find_objects(docs: Sequence[Document]) -> list[Found]:
    """Every known object of ``docs``, in input order (List items included)."""
    out: list[Found] = []
    for doc in docs:
        out.extend(_in_document(doc))
    return out


def is_list(data: Any) -> bool:
    """A ``kind: List`` or a typed list (``NetworkAttachmentDefinitionList``,
    ``VirtualMachineList``, as ``kubectl get -o yaml`` writes them): its ``items`` are objects."""
    kind = data.get("kind") if isinstance(data, dict) else None
    return isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list)


def document_objects(doc: Document) -> Iterator[tuple[dict[str, Any], PathT]]:
    """Every object of ``doc`` of any kind, with its path: the document, or a list's items."""
    data = doc.data
    if is_list(data):
        for i, item in enumerate(data["items"]):
            if isinstance(item, dict):
                yield item, ("items", i)
    elif isinstance(data, dict):
        yield data, ()


def _in_document(doc: Document) -> Iterable[Found]:
    for data, path in document_objects(doc):
        kind = _kind_of(data)
        if kind is not None:
            yield Found(kind, data, doc, path)
