"""ServiceAccount, ClusterRole and ClusterRoleBinding ``multus``, as upstream v4.3.0 grants them."""

from __future__ import annotations

from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE
from kvnet.input.model import Plan

NAME = "multus"


def _pod_verbs(flavor: str) -> list[str]:
    # The thick daemon watches pods on its node; the thin plugin only reads and updates them.
    return ["get", "list", "update", "watch"] if flavor == "thick" else ["get", "update"]


def rbac(plan: Plan, source: str, flavor: str) -> list[dict[str, Any]]:
    def md(namespace: str | None) -> dict[str, Any]:
        return meta.metadata(NAME, namespace, plan.name, source, meta.WAVE_CLUSTER)

    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md(NAMESPACE)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": md(None),
            "rules": [
                {"apiGroups": ["k8s.cni.cncf.io"], "resources": ["*"], "verbs": ["*"]},
                {"apiGroups": [""], "resources": ["pods", "pods/status"], "verbs": _pod_verbs(flavor)},
                {"apiGroups": ["", "events.k8s.io"], "resources": ["events"],
                 "verbs": ["create", "patch", "update"]},
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": md(None),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}],
        },
    ]
