"""Plan documents handed over by orchestrators (kustomize, kpt) rather than read from files.

kustomize and kpt re-serialise the plan before a plugin sees it: comments are gone,
keys are sorted and line numbers no longer match the user's file. These helpers
find the user's original document when it can be located, and otherwise name
problems by plan and field path (``NetworkPlan/lab: spec.networks[0].subnet``).
"""

from __future__ import annotations

import os
from copy import deepcopy
from collections.abc import Iterable, Sequence
from kvnet.record import dataclass, replace
from typing import Any

from kvnet.diagnostics import Diagnostic
from kvnet.input.loader import Budget, Document, LoadError, load_file

# Annotations orchestrators put on a generator's config; kvnet's plan schema knows none of them.
ORCHESTRATOR_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/",
                         "kustomize.config.k8s.io/", "config.k8s.io/")
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")


def plan_name(data: Any) -> str:
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return str(name) if isinstance(name, str) and name else "unnamed"


def placeholder_name(data: Any) -> str:
    """How problems are named when the plan's file is unknown: ``NetworkPlan/<name>``."""
    return f"NetworkPlan/{plan_name(data)}"


def annotations_of(data: Any) -> dict[str, Any]:
    meta = data.get("metadata") if isinstance(data, dict) else None
    ann = meta.get("annotations") if isinstance(meta, dict) else None
    return ann if isinstance(ann, dict) else {}


def annotated_path(data: Any) -> str | None:
    """The file an orchestrator says a document came from, if it says so."""
    ann = annotations_of(data)
    for key in PATH_ANNOTATIONS:
        value = ann.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def strip_orchestrator_metadata(data: Any) -> None:
    """Drop orchestrator annotations (and an emptied ``annotations``) from a plan, in place."""
    meta = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("annotations"), dict):
        return
    ann = meta["annotations"]
    for key in [k for k in ann if isinstance(k, str) and k.startswith(ORCHESTRATOR_PREFIXES)]:
        del ann[key]
    if not ann:
        del meta["annotations"]


def _stripped_copy(data: Any) -> Any:
    """A copy of a plan without orchestrator annotations, keys of any type kept (a fuzzed
    ``!!binary`` key is bytes: no JSON round trip)."""
    copy = deepcopy(data)
    strip_orchestrator_metadata(copy)
    return copy


def subdocument(doc: Document, prefix: tuple[Any, ...], shown: str, source: str) -> Document:
    """The sub-tree at ``prefix`` as a Document of its own, positions kept."""
    data: Any = doc.data
    for part in prefix:
        data = data[part]
    n = len(prefix)
    sub = Document(shown, 0, data, source)
    sub.values = {p[n:]: pos for p, pos in doc.values.items() if p[:n] == prefix}
    sub.keys = {p[n:]: pos for p, pos in doc.keys.items() if p[:n] == prefix}
    return sub


@dataclass(frozen=True)
class Candidate:
    path: str  # where to read it
    shown: str  # how diagnostics name it
    source: str  # kvnet.dev/source


def find_original(data: Any, candidates: Iterable[Candidate]) -> Document | None:
    """The document among ``candidates`` whose content equals ``data`` (orchestrator annotations aside).
    All candidates together are read within one input budget (kvnet.input.bounds)."""
    wanted = _stripped_copy(data)
    budget = Budget()
    for cand in candidates:
        if not os.path.isfile(cand.path):
            continue
        try:
            docs = load_file(cand.path, cand.shown, cand.source, budget)
        except LoadError:
            continue
        for doc in docs:
            if isinstance(doc.data, dict) and _stripped_copy(doc.data) == wanted:
                strip_orchestrator_metadata(doc.data)
                return doc
    return None


def package_relative(path: str) -> str:
    """``path`` as a ``kvnet.dev/source`` value (SPEC §6: relative to the package root): an
    absolute path or one leading out of the package (``../``) keeps only its file name."""
    norm = os.path.normpath(path.replace("\\", "/")).replace(os.sep, "/")
    if os.path.isabs(norm) or norm == ".." or norm.startswith("../"):
        return os.path.basename(norm) or "kvnet.yaml"
    return norm


def field_path(doc: Document, line: int, column: int) -> str | None:
    """The field of ``doc`` at a position, as ``spec.networks[0].subnet``; None if unknown."""
    found: list[tuple[Any, ...]] = [p for table in (doc.keys, doc.values)
                                    for p, pos in table.items() if pos == (line, column)]
    if not found:
        return None
    path = max(found, key=len)
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def locate(diags: Sequence[Diagnostic], doc: Document) -> list[Diagnostic]:
    """``diags`` in the field-path form of :mod:`kvnet.reporters` (line 0, ``field`` set where the
    position falls on a field of ``doc``): their lines would point into an orchestrator's temp copy."""
    return [replace(d, line=0, column=0, field=field_path(doc, d.line, d.column) if d.file == doc.file else None)
            for d in diags]
