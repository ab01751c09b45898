"""The set of emitted objects: one object per identity (group, kind, namespace, name).

Duplicate objects (KV250, SPEC §6) are reported here, once, from the origins expansion gives.
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.expand.emitted import Emitted
from kvnet.input.model import Plan
from kvnet.labels import PLAN_LABEL, SOURCE_ANNOTATION

Identity = tuple[str, str, str, str]

# node-side objects several plans may emit; identical copies are emitted once
SHARED_KINDS = frozenset({"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ServiceAccount",
                          "DaemonSet", "ConfigMap"})


def identity(obj: dict[str, Any]) -> Identity:
    """(API group, kind, namespace, name) of ``obj``; namespace "" when it has none."""
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion")).split("/")[0], str(obj.get("kind")),
            str(meta.get("namespace") or ""), str(meta.get("name")))


def same_apart_from_plan(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal but for the kvnet.dev/plan label and kvnet.dev/source annotation."""
    def strip(o: dict[str, Any]) -> dict[str, Any]:
        meta = dict(o.get("metadata") or {})
        meta["labels"] = {k: v for k, v in (meta.get("labels") or {}).items() if k != PLAN_LABEL}
        meta["annotations"] = {k: v for k, v in (meta.get("annotations") or {}).items() if k != SOURCE_ANNOTATION}
        return {**o, "metadata": meta}

    return strip(a) == strip(b)


def _nsname(ident: Identity) -> str:
    return f"{ident[2]}/{ident[3]}" if ident[2] else ident[3]


@dataclass(frozen=True)
class Claim:
    """Who emitted an identity first."""

    ident: Identity
    plan: Plan | None
    obj: dict[str, Any] | None  # kept for the shared kinds (or with ObjectSet.keep) only


@dataclass
class ObjectSet:
    """Emitted objects in insertion order, one per identity.

    ``across_units``: the objects come from several directories (compile units) merged into
    one stream (``kvnet build dir1 dir2``), which changes how a clash is reported. ``keep``:
    the set holds the objects (``objects``); without, only their identities and the objects of
    the shared kinds (the caller keeps them as text, kvnet.rendering); ``added``: how many
    identities the set holds.
    """

    across_units: bool = False
    objects: list[dict[str, Any]] = field(default_factory=list)
    keep: bool = True
    added: int = 0
    _claims: dict[Identity, Claim] = field(default_factory=dict)

    def add(self, emitted: Emitted, plan: Plan | None) -> Diagnostic | None:
        """Add ``emitted`` (from ``plan``); a KV250 diagnostic when its identity is taken.

        An identical copy of a shared node-side object from another plan is dropped silently.
        """
        obj = emitted.obj
        ident = identity(obj)
        prev = self._claims.get(ident)
        shared = ident[1] in SHARED_KINDS
        if prev is None:
            self._claims[ident] = Claim(ident, plan, obj if self.keep or shared else None)
            if self.keep:
                self.objects.append(obj)
            self.added += 1
            return None
        if shared and prev.plan is not plan and prev.obj is not None and same_apart_from_plan(prev.obj, obj):
            return None
        return self._clash(prev, emitted, plan)

    def _clash(self, prev: Claim, emitted: Emitted, plan: Plan | None) -> Diagnostic:
        ident, other = prev.ident, prev.plan
        if self.across_units:
            return error("KV250", f"{ident[1]} {_nsname(ident)} is emitted by two directories"
                         + (f" (also by plan {other.name!r} at {other.where.at()})" if other else ""),
                         plan.where.at() if plan else emitted.origin,
                         hint="give the plans different namespaces, or build the directories separately")
        owner = other.name if other else "?"
        name = plan.name if plan else "?"
        if ident[1] in SHARED_KINDS and owner != name:
            return error("KV250", f"plans {owner!r} and {name!r} both emit {ident[1]} {_nsname(ident)}, differently",
                         emitted.origin, hint="give spec.cluster in one plan only, or the same in every plan")
        return error("KV250", f"plan {name!r} emits {ident[1]} {_nsname(ident)} twice"
                     + (f" (also from plan {owner!r})" if owner != name else ""),
                     emitted.origin, hint="rename a network or VM so that the names differ")
