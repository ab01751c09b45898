"""``kvnet import`` never writes a plan whose values the NetworkPlan schema refuses (issue #27).

Lint passes objects the plan cannot take (a VM named with 1,000,000 characters is a valid YAML
string, not a DNS-1123 label); the plans import made are checked against the plan schema as
``kvnet build`` checks them, and every error is KV010 at the input object it came from (the VM
whose entry it is in; else the first object of that namespace), naming the plan field that
fails. A field the plan lacks (KV103: import warns, KV311, that the user must add it, such as a
root disk) is left to those warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error, shorten
from kvnet.input.loader import Document, LoadError, load_text
from kvnet.input.plan_schema import check_document
from kvnet.lint.objects import Found, find_objects

GENERATED = "<imported plan>"


def refused(plans: Sequence[dict[str, Any]], text: str, docs: Sequence[Document]) -> list[Diagnostic]:
    """KV010 for every error ``kvnet build`` reports on ``text`` (the plans written as YAML)."""
    try:
        written = [d for d in load_text(text, GENERATED) if d.data is not None]
    except LoadError as exc:  # kvnet's own dump: a bug, but said, not written
        return [error("KV010", f"import wrote a plan it cannot read back: {exc.diag.message}", Loc(GENERATED))]
    found = [f for f in find_objects(docs) if f.kind in ("VirtualMachine", "VirtualMachineInstance",
                                                         "VirtualMachinePool", "NetworkAttachmentDefinition")]
    fallback = found[0].loc() if found else Loc(docs[0].file if docs else "<input>")
    out: list[Diagnostic] = []
    for plan, doc in zip(plans, written, strict=False):
        for d in check_document(doc):
            if not d.is_error or d.code == "KV103":
                continue
            source = _source(plan, doc, d.line, found)
            at = source.loc("metadata", "name") if source is not None else fallback
            what = f"{shorten(source.label)}: " if source is not None else ""
            out.append(error("KV010", f"{what}no NetworkPlan accepts it: {shorten(d.message, 400)} [{d.code}]", at,
                             hint="fix the object (kvnet build would refuse the plan import writes), then "
                                  "import again"))
    return out


def _vm_name_at(plan: dict[str, Any], doc: Document, line: int) -> object:
    """The name of the VM entry of the written plan that holds ``line`` (the last entry starting
    at or before it), or None."""
    vms = (plan.get("spec") or {}).get("vms") or []
    starts = [doc.loc(("spec", "vms", i)).line for i in range(len(vms))]
    index = max((i for i, start in enumerate(starts) if start <= line), default=None)
    if index is None or not isinstance(vms[index], dict):
        return None
    return vms[index].get("name")


def _source(plan: dict[str, Any], doc: Document, line: int, found: list[Found]) -> Found | None:
    """The input object whose plan entry holds ``line`` of the written plan (a VM), else the first
    object of the plan's namespace."""
    meta = plan.get("metadata") or {}
    ns = meta.get("namespace", "") if isinstance(meta, dict) else ""
    in_ns = [f for f in found if f.namespace == ns]
    name = _vm_name_at(plan, doc, line)
    if name is not None:
        match = [f for f in in_ns if f.kind != "NetworkAttachmentDefinition" and f.name == name]
        if match:
            return match[0]
    return in_ns[0] if in_ns else None
