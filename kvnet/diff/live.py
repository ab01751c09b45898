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

import json
import os
from itertools import zip_longest
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


#: what ``kubectl -f DIR`` reads of a directory (k8s.io/cli-runtime pkg/resource/builder.go
#: ``FileExtensions``); not recursive, as kubectl without ``-R``
DUMP_EXTENSIONS = (".json", ".yaml", ".yml")


def dump_files(path: str) -> tuple[list[str], list[Diagnostic]]:
    """The files ``--live PATH`` reads: PATH itself (a file, or ``-``), or every regular file of
    the directory PATH whose name ends in :data:`DUMP_EXTENSIONS`, sorted by name (so the
    findings are the same whatever order the file system lists them in). A directory without one
    is KV000, as kubectl refuses it ("error reading [DIR]: recognized file extensions are [.json
    .yaml .yml]", cli-runtime builder.go ``Path``)."""
    if not os.path.isdir(path):
        return [path], []
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        return [], [error("KV000", f"cannot list directory: {exc.strerror or exc}", Loc(os.path.normpath(path)))]
    files = [os.path.join(path, n) for n in names
             if n.endswith(DUMP_EXTENSIONS) and os.path.isfile(os.path.join(path, n))]
    if not files:
        return [], [error("KV000", "the directory holds no .json, .yaml or .yml file to read as the live dump",
                          Loc(os.path.normpath(path)), hint=DUMP_HINT + " into a file in it")]
    return files, []


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


def _first_diff(want: Any, have: Any) -> tuple[Any, ...] | None:
    """The path (keys, list indexes) below which ``have`` first lacks or changes something ``want``
    sets, in the plan's key order; None when it has all of it (server defaults, keys the plan does
    not set, are ignored). Lists compare whole; of two lists of one length, the first index whose
    items differ is named."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return ()
        for k, v in want.items():
            sub = _first_diff(v, have.get(k))
            if sub is not None:
                return (k, *sub)
        return None
    if want == have:
        return None
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        first = next((n for n, (a, b) in enumerate(zip(want, have, strict=True)) if a != b), None)
        return () if first is None else (first,)
    return ()


def _shown(value: Any) -> str:
    """``value`` in a diagnostic: JSON, at most 60 characters; ``absent`` for a missing key."""
    try:  # a dump is any YAML: timestamps (default=str), keys of mixed types (repr)
        text = "absent" if value is None else json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _differs(item: dict[str, Any], got: dict[str, Any], sub: tuple[Any, ...]) -> str:
    """What differs at ``sub`` of ``item`` (the plan's) and ``got`` (the cluster's), one line:
    the dotted field, and for a text of many lines (networkData, userData) its first differing line."""
    want, have = _get(item, sub), _get(got, sub)
    field = ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in sub).replace(".[", "[") or "the item"
    if isinstance(want, str) and isinstance(have, str) and "\n" in want + have:
        lines = enumerate(zip_longest(want.splitlines(), have.splitlines()), 1)
        first = next(((n, pair) for n, pair in lines if pair[0] != pair[1]), None)
        if first is not None:  # else they differ in line ends only: shown whole
            field += f" line {first[0]}"
            want, have = (None if v is None else v.strip() for v in first[1])
    return f"{field}: cluster {_shown(have)}, plan {_shown(want)}"


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
            elif (sub := _first_diff(item, got[1])) is not None:
                out.append(error("KV413", f"{label}: {what} {name!r} differs from the plan at "
                                 + _differs(item, got[1], sub), have.loc(*_SPEC, *path, got[0], *sub),
                                 hint="sync the app"))
        if what != "volume":
            for name in sorted(set(live_items) - set(plan_items)):
                out.append(error("KV413", f"{label}: {what} {name!r} is not in the plan",
                                 have.loc(*_SPEC, *path, live_items[name][0]), hint="sync the app"))
    return out


def _get(data: Any, path: Sequence[Any]) -> Any:
    """The value at ``path`` (keys, list indexes) in ``data``; None where a step is missing."""
    for k in path:
        if isinstance(data, list) and isinstance(k, int):
            data = data[k] if 0 <= k < len(data) else None
        else:
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
