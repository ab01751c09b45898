"""Plain Kubernetes manifests beside a plan (issue 24): what ``kvnet cmp generate`` (and
``build``/``validate`` with ``--include-manifests``) passes through with the plan's objects.

An Argo CD app's path is the app: a Secret, ConfigMap or MultiNetworkPolicy written next to
``kvnet.yaml`` is expected to be deployed with it, as in a plain directory app. A manifest is a
document (or an item of a ``kind: List``) with string ``apiVersion``, ``kind`` and
``metadata.name``. Left out, as never meant for the cluster: NetworkPlans (any apiVersion),
kustomize and kpt configuration (``kustomize.config.k8s.io``, ``kpt.dev``,
``config.kubernetes.io``, ``fn.kpt.dev``), objects annotated
``config.kubernetes.io/local-config: "true"`` (the kustomize/kpt convention for local-only
files), objects kvnet itself wrote (its managed-by and plan labels: a committed ``rendered.yaml``)
and the CRD files given for validation (``--crd``, the ``crds`` setting).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Sequence
from typing import Any

from kvnet.diagnostics import Loc
from kvnet.input.loader import Document, PathT
from kvnet.labels import MANAGED_BY, PLAN_LABEL

LOCAL_GROUPS = ("kustomize.config.k8s.io", "kpt.dev", "config.kubernetes.io", "fn.kpt.dev")
LOCAL_CONFIG = "config.kubernetes.io/local-config"
PLAN_KIND = "NetworkPlan"


def _objects(doc: Document) -> Iterator[tuple[dict[str, Any], PathT]]:
    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            if isinstance(item, dict):
                yield item, ("items", i)
    elif isinstance(data, dict):
        yield data, ()


def _is_manifest(obj: dict[str, Any]) -> bool:
    api, kind, meta = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    if not (isinstance(api, str) and isinstance(kind, str) and isinstance(meta, dict)
            and isinstance(meta.get("name"), str)):
        return False
    if kind == PLAN_KIND or api.split("/")[0] in LOCAL_GROUPS:
        return False
    ann, lab = meta.get("annotations"), meta.get("labels")
    annotations: dict[str, Any] = ann if isinstance(ann, dict) else {}
    labels: dict[str, Any] = lab if isinstance(lab, dict) else {}
    if str(annotations.get(LOCAL_CONFIG, "")).lower() == "true":
        return False
    return not (labels.get(MANAGED_BY) == "kvnet" and PLAN_LABEL in labels)


def plain_manifests(docs: Sequence[Document], crd_files: Sequence[str] = ()) -> list[tuple[dict[str, Any], Loc]]:
    """The manifests among ``docs`` (a copy of each, with the position of its ``kind``), in input
    order; documents of the files in ``crd_files`` are left out."""
    skip = {os.path.realpath(f) for f in crd_files}
    out = []
    for doc in docs:
        if skip and os.path.realpath(doc.file) in skip:
            continue
        for obj, path in _objects(doc):
            if _is_manifest(obj):
                out.append((copy.deepcopy(obj), doc.loc(path + ("kind",))))
    return out
