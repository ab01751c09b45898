"""KRM function (``config.kubernetes.io/v1`` ResourceList): the plan is the functionConfig.

Input items pass through untouched (comments kept), except objects a previous run
generated for the same plan (``app.kubernetes.io/managed-by: kvnet`` and
``kvnet.dev/plan: <name>``), which are replaced, so that ``kpt fn render`` stays
idempotent. Generated objects get ``config.kubernetes.io/path`` (and the
``internal.`` form) ``kvnet/<file>.yaml`` and index 0. Problems go to ``results``
(severity, message, resourceRef, field.path, file.path, tags) and to stderr.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field, replace
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.bounds import MAX_FILE_BYTES
from kvnet.labels import MANAGED_BY, PLAN_LABEL

API_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")
MAX_INPUT_BYTES = MAX_FILE_BYTES  # stdin is one input file (kvnet.input.bounds)
OUTPUT_DIR = "kvnet"


@dataclass
class FnOutcome:
    stdout: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fields: dict[Diagnostic, str | None] = field(default_factory=dict)  # field paths, when lines are meaningless
    exit_code: int = 0


def _ruamel() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    return y


def _input_error(message: str, loc: Loc | None = None) -> FnOutcome:
    return FnOutcome(diagnostics=[error("KV980", message, loc or Loc("<stdin>"),
                                        hint="kvnet fn reads a config.kubernetes.io/v1 ResourceList on stdin")],
                     exit_code=2)


def run(text: str, options: Any, cwd: str) -> FnOutcome:
    """Process one ResourceList; ``cwd`` resolves the functionConfig's path annotation."""
    from kvnet.adapters.plandoc import (
        Candidate,
        annotated_path,
        find_original,
        locate,
        package_relative,
        placeholder_name,
        strip_orchestrator_metadata,
        subdocument,
    )
    from kvnet.input.loader import LoadError, load_text
    from kvnet.pipeline import compile_documents

    try:
        docs = [d for d in load_text(text, "<stdin>", strict_values=False) if d.data is not None]
    except LoadError as exc:
        return FnOutcome(diagnostics=[exc.diag], exit_code=2)
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return _input_error("stdin is not one YAML mapping")
    rl_doc = docs[0]
    rl = rl_doc.data
    if rl.get("kind") != "ResourceList" or rl.get("apiVersion") not in API_VERSIONS:
        what = (f"a {rl.get('apiVersion')}/{rl.get('kind')}" if rl.get("kind") else "a mapping without kind")
        return _input_error(f"stdin is {what}, not a ResourceList", rl_doc.loc(()))
    if not isinstance(rl.get("items", []) or [], list):
        return _input_error("ResourceList items is not a list", rl_doc.loc(("items",)))
    fc = rl.get("functionConfig")
    if not isinstance(fc, dict):
        return _input_error("the ResourceList has no functionConfig; it must be the NetworkPlan",
                            rl_doc.loc(("functionConfig",)))

    in_plan = [d for p, d in sorted(rl_doc.suspect_values.items(), key=lambda kv: (kv[1].line, kv[1].column))
               if p[:1] == ("functionConfig",)]
    if in_plan:  # only the plan is read as YAML 1.1 by kvnet; items pass through untouched
        return FnOutcome(diagnostics=in_plan[:1], exit_code=1)
    annotated = annotated_path(fc)
    shown = annotated or placeholder_name(fc)
    source = package_relative(annotated) if annotated else shown
    doc = subdocument(rl_doc, ("functionConfig",), shown, source)
    original = None
    if annotated and source == os.path.normpath(annotated):  # inside the package: read the file itself
        original = find_original(fc, [Candidate(os.path.join(cwd, source), annotated, source)])
    if original is not None:
        doc = original
    else:
        strip_orchestrator_metadata(doc.data)
    # SPEC §7: kvnet.lock beside the functionConfig's path (relative to cwd), else in cwd; read only
    lock_dir = os.path.join(cwd, os.path.dirname(annotated)) if annotated else cwd
    result = compile_documents([doc], replace(options, lock_dir=lock_dir))
    fields: dict[Diagnostic, str | None] = {}
    if original is None:
        fields = {it.diag: it.field for it in locate(result.diagnostics, doc)}
    results = [_result(d, fc, fields.get(d), d.line if original is not None else None)
               for d in result.diagnostics]
    if not result.ok:
        return _failed(rl, results, result.diagnostics, fields, result.exit_code)

    from ruamel.yaml.error import YAMLError

    y = _ruamel()
    try:
        out = y.load(text)
    except YAMLError as exc:  # ruamel is stricter than libyaml in odd corners
        return _input_error(f"cannot re-read the ResourceList: {str(exc).splitlines()[0] if str(exc) else exc}")
    name = str(fc.get("metadata", {}).get("name")) if isinstance(fc.get("metadata"), dict) else ""
    items = out.get("items") or []
    items = [it for it in items if not _generated_by(it, name)]
    items.extend(_annotated(y, obj) for obj in result.objects)
    out["items"] = items
    if results:
        out["results"] = results
    elif "results" in out:
        del out["results"]
    buf = io.StringIO()
    y.dump(out, buf)
    return FnOutcome(buf.getvalue(), result.diagnostics, fields, result.exit_code)


def _failed(rl: dict[str, Any], results: list[dict[str, Any]], diags: list[Diagnostic],
            fields: dict[Diagnostic, str | None], exit_code: int) -> FnOutcome:
    """The answer to a plan that does not compile: the items as they came, plus the results.
    Written by libyaml, not ruamel's round trip: nothing of it is written back to the package
    (the orchestrator stops on the error), and a large input is answered in milliseconds."""
    from kvnet.emit import to_yaml

    out = {k: v for k, v in rl.items() if k != "results"}
    out["items"] = rl.get("items") or []
    out["results"] = results
    return FnOutcome(to_yaml([out]), diags, fields, exit_code)


def _generated_by(item: Any, plan: str) -> bool:
    meta = item.get("metadata") if isinstance(item, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return (isinstance(labels, dict) and labels.get(MANAGED_BY) == "kvnet"
            and labels.get(PLAN_LABEL) == plan)


def _annotated(y: Any, obj: dict[str, Any]) -> Any:
    """A generated object, as ruamel data (block styles kept), with its file annotations."""
    from kvnet.emit import file_name, to_yaml

    data = y.load(to_yaml([obj]))
    ann = data["metadata"].setdefault("annotations", {})
    path = f"{OUTPUT_DIR}/{file_name(obj)}"
    for prefix in ("config.kubernetes.io/", "internal.config.kubernetes.io/"):
        ann[prefix + "path"] = path
        ann[prefix + "index"] = "0"
    return data


def _result(d: Diagnostic, fc: dict[str, Any], field_path: str | None, line: int | None) -> dict[str, Any]:
    """A KRM result: severity, message, resourceRef, field.path / file.path, tags."""
    message = f"{d.code}: {d.message}" + (f" (hint: {d.hint})" if d.hint else "")
    res: dict[str, Any] = {"message": message, "severity": "error" if d.is_error else "warning"}
    meta: dict[str, Any] = fc["metadata"] if isinstance(fc.get("metadata"), dict) else {}
    ref = {"apiVersion": fc.get("apiVersion"), "kind": fc.get("kind"), "name": meta.get("name")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    res["resourceRef"] = ref
    if field_path:
        res["field"] = {"path": field_path}
    if not d.file.startswith(("NetworkPlan/", "<")):
        res["file"] = {"path": d.file}
    res["tags"] = {"kvnet.dev/code": d.code}
    if line is not None:
        res["tags"]["kvnet.dev/line"] = str(line)
    return res
