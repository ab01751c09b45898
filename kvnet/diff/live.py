"""``kvnet diff --live``: drift between the compiled plan and what ``kubectl get
vm,vmi,network-attachment-definitions -A -o yaml`` printed (a ``List`` or a stream of objects),
offline. Findings are Diagnostics at the dump's ``FILE:LINE:COL`` (a missing object: at its
plan line), reported like every other command's.

Checked: NADs missing (KV410) or with another CNI config (KV411); VMs missing (KV412) or whose
networking (interfaces, networks, the cloud-init networkData) differs (KV413); VMs with a
``RestartRequired`` condition (KV414, KubeVirt's ``VirtualMachineRestartRequired``); VMIs
whose ``status.interfaces`` differ from the plan (KV415, :mod:`kvnet.diff.livestatus`);
interfaces pending hot-plug (KV416); objects labelled with the plan that it no longer has
(KV418: Argo CD prunes them). A dump document that is not a Kubernetes object is KV417 (exit 2).
"""

from __future__ import annotations

from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.diff.compare import json_object, key
from kvnet.diff.livestatus import vmi_findings
from kvnet.input.loader import Document
from kvnet.input.model import Plan
from kvnet.lint.objects import NAD, VM, VMI, Found, document_objects

PLAN_LABEL = "kvnet.dev/plan"
_SPEC = ("spec", "template", "spec")
DUMP_HINT = "give what 'kubectl get vm,vmi,network-attachment-definitions -A -o yaml' prints"


def not_objects(docs: Sequence[Document]) -> list[Diagnostic]:
    """KV417 for every document (or list item) that is not a Kubernetes object (a mapping with
    string ``apiVersion`` and ``kind``)."""
    out = []
    for doc in docs:
        if doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            out.append(error("KV417", "not a Kubernetes object: the document is not a mapping", doc.loc(())))
            continue
        out += _list_items(doc)
        for data, path in document_objects(doc):
            if not (isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)):
                out.append(error("KV417", "not a Kubernetes object: no apiVersion and kind", doc.loc(path),
                                 hint=DUMP_HINT))
    return out


def _list_items(doc: Document) -> list[Diagnostic]:
    """KV417 for a ``kind: *List`` whose ``items`` is not a sequence, and for each item that is
    not a mapping: ``kubectl get -o yaml`` prints ``items`` as a list of objects (apimachinery
    ``metav1.List``), and what is not one would otherwise be skipped and its objects reported
    missing from the cluster."""
    kind, items = doc.data.get("kind"), doc.data.get("items")
    if not (isinstance(kind, str) and kind.endswith("List")) or items is None:
        return []
    if not isinstance(items, list):
        return [error("KV417", "not a Kubernetes object: a List's items are not a sequence of objects",
                      doc.loc(("items",)), hint=DUMP_HINT)]
    return [error("KV417", "not a Kubernetes object: the list item is not a mapping", doc.loc(("items", n)),
                  hint=DUMP_HINT) for n, item in enumerate(items) if not isinstance(item, dict)]


def _index(found: Sequence[Found]) -> dict[tuple[str, str, str], Found]:
    return {(f.kind, f.namespace, f.name): f for f in found if f.kind in (NAD, VM, VMI)}


def _plan_loc(plans: Sequence[Plan], kind: str, ns: str, name: str) -> Loc:
    for plan in plans:
        if (plan.namespace or "") != ns:
            continue
        items = plan.vms if kind == VM else plan.networks
        for item in items:
            if item.name == name or (kind == NAD and name.endswith("-" + item.name)):
                return item.where.at("name")  # type: ignore[no-any-return]
        return plan.where.at("metadata", "name")  # type: ignore[no-any-return]
    return plans[0].where.at(()) if plans else Loc("<plan>")  # type: ignore[no-any-return]


def _nad(want: dict[str, Any], have: Found | None, where: Loc) -> list[Diagnostic]:
    kind, ns, name = key(want)
    label = f"NAD {ns + '/' if ns else ''}{name}"
    if have is None:
        return [error("KV410", f"{label} of the plan is not in the cluster", where,
                      hint="sync the app (VMs on this network cannot start until the NAD exists)")]
    plan_cfg = json_object((want.get("spec") or {}).get("config"))
    live_cfg = json_object(have.get("spec", "config"))
    if plan_cfg == live_cfg:
        return []
    keys = sorted(k for k in set(plan_cfg or {}) | set(live_cfg or {})
                  if (plan_cfg or {}).get(k) != (live_cfg or {}).get(k))
    return [error("KV411", f"{label}: its CNI config differs from the plan ({', '.join(keys) or 'not JSON'}); "
                  "running VMs use the cluster's", have.loc("spec", "config"),
                  hint="sync the app; running VMs get the plan's config when they restart or migrate")]


def _named(items: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    if not isinstance(items, list):
        return {}
    return {i["name"]: (n, i) for n, i in enumerate(items) if isinstance(i, dict) and isinstance(i.get("name"), str)}


def _subset_diff(want: Any, have: Any) -> bool:
    """True when ``have`` lacks or changes something ``want`` sets (server defaults ignored)."""
    if isinstance(want, dict):
        return not isinstance(have, dict) or any(_subset_diff(v, have.get(k)) for k, v in want.items())
    return bool(want != have)


def _vm_spec(want: dict[str, Any], have: Found) -> list[Diagnostic]:
    """KV413 per interface, network or cloud-init volume whose live spec differs from the plan's."""
    out = []
    label = have.label
    spec = ((want.get("spec") or {}).get("template") or {}).get("spec") or {}
    for what, path in (("interface", ("domain", "devices", "interfaces")), ("network", ("networks",)),
                       ("volume", ("volumes",))):
        plan_items = _named(_get(spec, path))
        live_items = _named(have.get(*_SPEC, *path))
        for name, (_, item) in sorted(plan_items.items()):
            if what == "volume" and not any(k.startswith("cloudInit") for k in item):
                continue
            got = live_items.get(name)
            if got is None:
                out.append(error("KV413", f"{label}: {what} {name!r} of the plan is not in its spec",
                                 have.loc(*_SPEC, *path), hint="sync the app"))
            elif _subset_diff(item, got[1]):
                out.append(error("KV413", f"{label}: {what} {name!r} differs from the plan",
                                 have.loc(*_SPEC, *path, got[0]), hint="sync the app"))
        if what != "volume":
            for name in sorted(set(live_items) - set(plan_items)):
                out.append(error("KV413", f"{label}: {what} {name!r} is not in the plan",
                                 have.loc(*_SPEC, *path, live_items[name][0]), hint="sync the app"))
    return out


def _get(data: Any, path: Sequence[str]) -> Any:
    for k in path:
        data = data.get(k) if isinstance(data, dict) else None
    return data


def _restart_required(have: Found) -> list[Diagnostic]:
    for n, cond in enumerate(have.get("status", "conditions") or []):
        if isinstance(cond, dict) and cond.get("type") == "RestartRequired" and cond.get("status") == "True":
            return [warning("KV414", f"{have.label} has RestartRequired: {cond.get('message') or 'no message'}",
                            have.loc("status", "conditions", n),
                            hint="its spec changes reach it only when it restarts ('virtctl restart')")]
    return []


def drift(objects: Sequence[dict[str, Any]], plans: Sequence[Plan], found: Sequence[Found]) -> list[Diagnostic]:
    """Every finding of the live dump ``found`` against the compiled plan ``objects``."""
    live = _index(found)
    out: list[Diagnostic] = []
    wanted = set()
    for obj in objects:
        kind, ns, name = key(obj)
        if kind not in (NAD, VM):
            continue
        wanted.add((kind, ns, name))
        have = live.get((kind, ns, name))
        if kind == NAD:
            out += _nad(obj, have, _plan_loc(plans, NAD, ns, name))
        elif have is None:
            out.append(error("KV412", f"VM {ns + '/' if ns else ''}{name} of the plan is not in the cluster",
                             _plan_loc(plans, VM, ns, name), hint="sync the app"))
        else:
            out += _vm_spec(obj, have) + _restart_required(have)
            out += vmi_findings(obj, plans, live.get((VMI, ns, name)))
    names = {p.name for p in plans}
    for (kind, ns, name), f in sorted(live.items()):
        meta = f.data.get("metadata")
        labels = meta.get("labels") if isinstance(meta, dict) else None
        labels = labels if isinstance(labels, dict) else {}
        if kind in (NAD, VM) and (kind, ns, name) not in wanted and labels.get(PLAN_LABEL) in names:
            out.append(warning("KV418", f"{f.label} carries {PLAN_LABEL}: {labels.get(PLAN_LABEL)} but the plan "
                               "no longer has it (Argo CD prunes it)", f.loc("metadata", "name")))
    return out
