"""The set of emitted objects: one object per identity (group, kind, namespace, name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kvnet.model import Plan

Identity = tuple[str, str, str, str]

# node-side objects several plans may emit; identical copies are emitted once
SHARED_KINDS = frozenset({"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ServiceAccount",
                          "DaemonSet", "ConfigMap"})


def identity(obj: dict[str, Any]) -> Identity:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion")).split("/")[0], str(obj.get("kind")),
            str(meta.get("namespace") or ""), str(meta.get("name")))


def same_apart_from_plan(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal but for the kvnet.dev/plan label and kvnet.dev/source annotation."""
    def strip(o: dict[str, Any]) -> dict[str, Any]:
        meta = dict(o.get("metadata") or {})
        meta["labels"] = {k: v for k, v in (meta.get("labels") or {}).items() if k != "kvnet.dev/plan"}
        meta["annotations"] = {k: v for k, v in (meta.get("annotations") or {}).items() if k != "kvnet.dev/source"}
        return {**o, "metadata": meta}

    return strip(a) == strip(b)


@dataclass(frozen=True)
class Claim:
    """Who emitted an identity first."""

    ident: Identity
    plan: Plan | None
    obj: dict[str, Any]


@dataclass
class ObjectSet:
    objects: list[dict[str, Any]] = field(default_factory=list)
    _claims: dict[Identity, Claim] = field(default_factory=dict)

    def add(self, obj: dict[str, Any], plan: Plan | None) -> Claim | None:
        """Add ``obj``; the earlier claim when it clashes with one, else None.

        An identical copy of a shared node-side object from another plan is dropped.
        """
        ident = identity(obj)
        prev = self._claims.get(ident)
        if prev is None:
            self._claims[ident] = Claim(ident, plan, obj)
            self.objects.append(obj)
            return None
        if ident[1] in SHARED_KINDS and prev.plan is not plan and same_apart_from_plan(prev.obj, obj):
            return None
        return prev
