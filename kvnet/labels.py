"""Labels and annotations every emitted object carries (SPEC §3 Argo CD ordering, §6)."""

from __future__ import annotations

from typing import Any

MANAGED_BY = "app.kubernetes.io/managed-by"
PLAN_LABEL = "kvnet.dev/plan"
SOURCE_ANNOTATION = "kvnet.dev/source"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
RESOURCE_NAME = "k8s.v1.cni.cncf.io/resourceName"

WAVE_CLUSTER = "-2"
WAVE_NAD = "-1"
WAVE_VM = "0"


def metadata(name: str, namespace: str | None, plan: str, source: str, wave: str,
             labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    lab = dict(labels or {})
    lab[MANAGED_BY] = "kvnet"
    lab[PLAN_LABEL] = plan
    ann = dict(annotations or {})
    ann[SOURCE_ANNOTATION] = source
    ann.setdefault(SYNC_WAVE, wave)  # a VM may be given its own wave to order VMs
    meta["labels"] = dict(sorted(lab.items()))
    meta["annotations"] = dict(sorted(ann.items()))
    return meta
