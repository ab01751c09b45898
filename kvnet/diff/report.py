"""The ``kvnet diff`` report as text (the default) and JSON; markdown and GitHub annotations
are in :mod:`kvnet.diff.report_md`. Every function returns the whole text (deterministic: the
same two sides give the same bytes)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from kvnet.diff.classes import CLASSES
from kvnet.diff.compare import Change
from kvnet.diff.run import DiffResult

MAX_VALUE = 40


def value(v: Any) -> str:
    """A field value in one short cell: ``-`` for none, a line count for text of many lines,
    compact JSON for a mapping, cut at :data:`MAX_VALUE` characters."""
    if v is None:
        return "-"
    if isinstance(v, str):
        text = f"({v.count(chr(10)) + 1} lines)" if "\n" in v.strip() else v
    else:
        text = json.dumps(v, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def move(before: Any, after: Any) -> str:
    """``before -> after`` in one short cell; for text of many lines, the first line that
    went and the first that came, and how many more changed."""
    if isinstance(before, str) and isinstance(after, str) and ("\n" in before or "\n" in after):
        delta = list(difflib.ndiff(before.splitlines(), after.splitlines()))
        gone = [line[2:].strip() for line in delta if line.startswith("- ")]
        came = [line[2:].strip() for line in delta if line.startswith("+ ")]
        more = max(len(gone), len(came)) - 1
        first = f"{value(gone[0] if gone else None)} -> {value(came[0] if came else None)}"
        return first + (f" (+{more} more)" if more > 0 else "")
    return f"{value(before)} -> {value(after)}"


def what(change: Change) -> str:
    """``Kind namespace/name``."""
    return f"{change.kind} {change.ident}"


def counts(result: DiffResult) -> dict[str, int]:
    """Class -> how many objects (VMs, NADs, lock entries) have a change of it."""
    out: dict[str, int] = {}
    for change in result.changes:
        out[change.cls] = out.get(change.cls, 0) + 1
    return {c: out[c] for c in CLASSES if c in out}


def summary(result: DiffResult) -> str:
    """One line: what changes, per class, and what stays."""
    if not result.changes:
        return (f"kvnet diff: nothing changes from {result.base} to {result.head} "
                f"({result.objects} objects, {result.vms} VMs)")
    parts = ", ".join(f"{cls} {n}" for cls, n in counts(result).items())
    return f"kvnet diff: {result.base} -> {result.head}: {parts} ({result.unchanged} objects unchanged)"


def rows(result: DiffResult) -> list[list[str]]:
    """Table rows: class, object, field, before -> after, why (one row per changed field)."""
    out: list[list[str]] = []
    for change in result.changes:
        for n, detail in enumerate(change.details or []):
            why = detail.why + ("; used by " + ", ".join(change.vms) if change.vms and n == 0 else "")
            shown = move(detail.before, detail.after) if detail.field else ""
            out.append([change.cls, what(change), detail.field or "-", shown or "-", why])
    return out


def text(result: DiffResult) -> str:
    """The summary line, then (when anything changes) a column-aligned table."""
    lines = [summary(result)]
    table = rows(result)
    if table:
        head = ["CLASS", "OBJECT", "FIELD", "CHANGE", "WHY"]
        widths = [max(len(r[i]) for r in [head, *table]) for i in range(4)]
        for r in [head, *table]:
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:4])) + "  " + r[4])
    return "".join(line.rstrip() + "\n" for line in lines)


def as_dict(change: Change) -> dict[str, Any]:
    """The JSON form of one change (values in full)."""
    loc = change.loc
    return {"class": change.cls, "kind": change.kind, "namespace": change.namespace or None, "name": change.name,
            "vms": change.vms, "file": loc.file if loc else None, "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "details": [{"field": d.field or None, "before": d.before, "after": d.after, "why": d.why,
                         "source": d.source or None} for d in change.details]}


def json_report(result: DiffResult) -> str:
    """``{base, head, summary: {class: count}, unchanged, vms, objects, changes: [...]}``."""
    doc = {"base": result.base, "head": result.head, "summary": counts(result), "unchanged": result.unchanged,
           "vms": result.vms, "objects": result.objects, "changes": [as_dict(c) for c in result.changes]}
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
