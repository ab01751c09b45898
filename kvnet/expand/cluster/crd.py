"""The NetworkAttachmentDefinition CRD, with the content of upstream Multus v4.3.0 (SPEC §1 row 1)."""

from __future__ import annotations

from typing import Any

from kvnet import labels as meta
from kvnet.input.model import Plan

CRD_NAME = "network-attachment-definitions.k8s.cni.cncf.io"

_API_VERSION_DOC = (
    "APIVersion defines the versioned schema of this represen tation of an object. Servers should convert "
    "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources")
_KIND_DOC = (
    "Kind is a string value representing the REST resource this object represents. Servers may infer this "
    "from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")
_NAD_DOC = (
    "NetworkAttachmentDefinition is a CRD schema specified by the Network Plumbing Working Group to express "
    "the intent for attaching pods to one or more logical or physical networks. More information available "
    "at: https://github.com/k8snetworkplumbingwg/multi-net-spec")


def nad_crd(plan: Plan, source: str) -> dict[str, Any]:
    schema = {
        "description": _NAD_DOC,
        "type": "object",
        "properties": {
            "apiVersion": {"description": _API_VERSION_DOC, "type": "string"},
            "kind": {"description": _KIND_DOC, "type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "description": "NetworkAttachmentDefinition spec defines the desired state of a network attachment",
                "type": "object",
                "properties": {"config": {
                    "description": "NetworkAttachmentDefinition config is a JSON-formatted CNI configuration",
                    "type": "string"}},
            },
        },
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": meta.metadata(CRD_NAME, None, plan.name, source, meta.WAVE_CLUSTER),
        "spec": {
            "group": "k8s.cni.cncf.io",
            "scope": "Namespaced",
            "names": {
                "plural": "network-attachment-definitions",
                "singular": "network-attachment-definition",
                "kind": "NetworkAttachmentDefinition",
                "shortNames": ["nad", "net-attach-def"],
            },
            "versions": [{"name": "v1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}}],
        },
    }
