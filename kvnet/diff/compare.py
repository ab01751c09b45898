"""Compare the objects two compiles emitted, per object and field, and classify each change
with the tables of :mod:`kvnet.diff.classes`.

Objects are matched by (kind, namespace, name): one only in the head is ``create``, only in
the base ``prune`` (so a rename is a prune and a create, as Argo CD does it). Within an
object, mappings are compared key by key and lists of named items (KubeVirt's interfaces,
networks, volumes, disks) item by item by ``name``, as KubeVirt indexes them; other lists are
compared whole.
"""

from __future__ import annotations

import json
from kvnet.record import dataclass, field
from typing import Any, Iterator, Sequence

from kvnet.diff.classes import ADD, CHANGE, CLASSES, CREATE, MEANING, PRUNE, REMOVE, Rule, rule_for
from kvnet.diff.refine import refined
from kvnet.diagnostics import Loc

ObjKey = tuple[str, str, str]  # kind, namespace ('' when none), name
_MISSING: Any = object()


@dataclass(frozen=True)
class Leaf:
    """One changed field: ``path`` segments (named list items as ``[name]``), ``op`` add /
    remove (a named item or a key appears or goes) or change, the values before and after."""

    path: tuple[str, ...]
    op: str
    before: Any
    after: Any

    @property
    def pattern(self) -> str:
        """The path as a table pattern: ``a.b[].c`` (item names dropped)."""
        out = ""
        for seg in self.path:
            out += "[]" if seg.startswith("[") else ("." + seg if out else seg)
        return out

    @property
    def item(self) -> str | None:
        """The name of the first named list item on the path (the interface, network...)."""
        return next((seg[1:-1] for seg in self.path if seg.startswith("[")), None)


@dataclass
class Detail:
    """What changed in one field and why it has its class."""

    field: str
    before: Any
    after: Any
    why: str
    source: str


@dataclass
class Change:
    """One object's changes of one class (an object may have several, e.g. a VM with a
    restart and a next-boot change). ``vms``: the VMs a NAD serves; ``loc``: the plan line
    that causes it (head side; filled by :mod:`kvnet.diff.locate`)."""

    cls: str
    kind: str
    namespace: str
    name: str
    details: list[Detail] = field(default_factory=list)
    vms: list[str] = field(default_factory=list)
    loc: Loc | None = None

    @property
    def ident(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def key(obj: dict[str, Any]) -> ObjKey:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


def _named(items: Any) -> dict[str, Any] | None:
    """A list of mappings each with a distinct string ``name``, indexed by it; else None."""
    if not isinstance(items, list) or not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or item["name"] in out:
            return None
        out[item["name"]] = item
    return out


def json_object(text: Any) -> dict[str, Any] | None:
    """A string holding a JSON object (a NAD's CNI config), parsed; else None."""
    if not isinstance(text, str) or not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _mapping_leaves(a: dict[Any, Any], b: dict[Any, Any], path: tuple[str, ...]) -> Iterator[Leaf]:
    """Changed fields of two mappings, key by key: an added or removed mapping is ADD/REMOVE, an
    added or removed scalar a CHANGE from/to None."""
    for k in sorted(set(a) | set(b), key=str):
        va, vb = a.get(k, _MISSING), b.get(k, _MISSING)
        if va is _MISSING:
            yield Leaf(path + (str(k),), ADD if isinstance(vb, dict) else CHANGE, None, vb)
        elif vb is _MISSING:
            yield Leaf(path + (str(k),), REMOVE if isinstance(va, dict) else CHANGE, va, None)
        else:
            yield from leaves(va, vb, path + (str(k),))


def _both_named(a: Any, b: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``a`` and ``b`` as name -> item when both are lists of named items (or empty); else None."""
    na, nb = _named(a), _named(b)
    if (na is not None or a == []) and (nb is not None or b == []):
        return na or {}, nb or {}
    return None


def _named_leaves(na: dict[str, Any], nb: dict[str, Any], path: tuple[str, ...]) -> Iterator[Leaf]:
    """Changed fields of two lists of named items (``[name]`` segments), matched by name."""
    for name in sorted(set(na) | set(nb)):
        seg = f"[{name}]"
        if name not in na:
            yield Leaf(path + (seg,), ADD, None, nb[name])
        elif name not in nb:
            yield Leaf(path + (seg,), REMOVE, na[name], None)
        else:
            yield from leaves(na[name], nb[name], path + (seg,))


def leaves(a: Any, b: Any, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    """Every changed field between ``a`` and ``b`` (deepest mapping key or named item): mappings
    key by key, a NAD's spec.config (JSON text) key by key, lists of named items by name, lists of
    the same length item by item, anything else as one CHANGE."""
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        yield from _mapping_leaves(a, b, path)
        return
    ja, jb = json_object(a), json_object(b)
    if ja is not None and jb is not None:  # a NAD's spec.config: compared key by key
        yield from leaves(ja, jb, path)
        return
    named = _both_named(a, b)
    if named is not None:
        yield from _named_leaves(*named, path)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):  # same length: item by item
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from leaves(x, y, path + (f"[{n}]",))
        return
    yield Leaf(path, CHANGE, a, b)


_SHORT = ("spec.template.spec.domain.devices.", "spec.template.spec.domain.", "spec.template.spec.")


def shown_field(leaf: Leaf) -> str:
    """The field as a reviewer reads it: ``interfaces[lan].macAddress`` for a VM's template."""
    text = ""
    for seg in leaf.path:
        text += seg if seg.startswith("[") else ("." + seg if text else seg)
    for prefix in _SHORT:
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def classify(kind: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Detail]]:
    """The changed fields of one object, grouped by class (each with the rule's reason)."""
    out: dict[str, list[Detail]] = {}
    for leaf in leaves(before, after):
        rule: Rule = refined(rule_for(kind, leaf.pattern, leaf.op), leaf.item, before, after)
        out.setdefault(rule.cls, []).append(Detail(shown_field(leaf), leaf.before, leaf.after, rule.why,
                                                   rule.source))
    return out


def compare(base: Sequence[dict[str, Any]], head: Sequence[dict[str, Any]]) -> tuple[list[Change], int]:
    """The changes from ``base`` objects to ``head`` objects, in class order then object order,
    and how many objects are unchanged."""
    old = {key(o): o for o in base}
    new = {key(o): o for o in head}
    changes: list[Change] = []
    unchanged = 0
    for k in sorted(set(old) | set(new)):
        b, h = old.get(k), new.get(k)
        if b is None:
            changes.append(Change(CREATE, *k, details=[Detail("", None, None, MEANING[CREATE], "")]))
        elif h is None:
            changes.append(Change(PRUNE, *k, details=[Detail("", None, None, MEANING[PRUNE], "")]))
        elif b == h:
            unchanged += 1
        else:
            for cls, details in classify(k[0], b, h).items():
                changes.append(Change(cls, *k, details=details))
    order = {c: n for n, c in enumerate(CLASSES)}
    changes.sort(key=lambda c: (order[c.cls], c.kind, c.namespace, c.name))
    return changes, unchanged
