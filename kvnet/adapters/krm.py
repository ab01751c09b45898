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
from kvnet.record import dataclass, replace
from typing import Any

from kvnet.adapters.krm_text import edit, layout
from kvnet.adapters.outcome import Outcome
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
from kvnet.diagnostics import Loc, error
from kvnet.emit import dump_yaml, file_name, to_yaml
from kvnet.exitcodes import exit_code
from kvnet.input.bounds import limits
from kvnet.input.loader import Document, LoadError, load_text
from kvnet.labels import MANAGED_BY, PLAN_LABEL
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_documents
from kvnet.reporters import krm_result

API_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")
OUTPUT_DIR = "kvnet"


@dataclass(frozen=True)
class FnInputs:
    """``stdin``: the ResourceList as read (at most the file bound + 1 bytes, kvnet.input.bounds); ``cwd``: where the
    functionConfig's ``config.kubernetes.io/path`` annotation is resolved."""

    stdin: bytes
    cwd: str


def _ruamel() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    return y


def _input_error(message: str, loc: Loc | None = None) -> Outcome:
    diag = error("KV980", message, loc or Loc("<stdin>"),
                 hint="kvnet fn reads a config.kubernetes.io/v1 ResourceList on stdin")
    return Outcome(diagnostics=[diag], exit_code=exit_code([diag]))


def run(inputs: FnInputs, options: BuildOptions) -> Outcome:
    """Process one ResourceList: the ResourceList with the generated objects and ``results`` on
    stdout (also on errors), the diagnostics for stderr; exit 2 when stdin is not a ResourceList."""
    bound = limits()  # stdin is one input file (kvnet.input.bounds)
    if len(inputs.stdin) > bound.file_bytes:
        return _input_error(f"stdin is larger than {bound.file_mb} MiB "
                            f"({len(inputs.stdin)} bytes read; {bound.raise_input})")
    try:
        text = inputs.stdin.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _input_error(f"stdin is not UTF-8 ({exc.reason} at byte {exc.start})")
    read = _resource_list(text)
    if isinstance(read, Outcome):
        return read
    rl_doc, fc = read
    in_plan = [d for p, d in sorted(rl_doc.suspect_values.items(), key=lambda kv: (kv[1].line, kv[1].column))
               if p[:1] == ("functionConfig",)]
    if in_plan:  # only the plan is read as YAML 1.1 by kvnet; items pass through untouched
        return Outcome(diagnostics=in_plan[:1], exit_code=exit_code(in_plan[:1]))
    # SPEC §7: kvnet.lock beside the functionConfig's path (relative to cwd), else in cwd; read only
    annotated = annotated_path(fc)  # before _plan_document strips the orchestrator's annotations
    doc, found = _plan_document(rl_doc, fc, inputs.cwd)
    lock_dir = os.path.join(inputs.cwd, os.path.dirname(annotated)) if annotated else inputs.cwd
    result = compile_documents([doc], replace(options, lock_dir=lock_dir))
    diags = result.diagnostics if found else locate(result.diagnostics, doc)
    results = [krm_result(d, _resource_ref(fc)) for d in diags]
    if not result.ok:
        return Outcome(_failed(rl_doc.data, results), diags, result.exit_code)
    name = str(fc.get("metadata", {}).get("name")) if isinstance(fc.get("metadata"), dict) else ""
    keep = [not _generated_by(it, name) for it in rl_doc.data.get("items") or []]
    generated = [_with_file_annotations(obj) for obj in result.objects]
    lay = layout(text, rl_doc)
    if lay is not None:
        return Outcome(edit(lay, keep, generated, _results_text(results) if results else None),
                       diags, result.exit_code)
    from ruamel.yaml.error import YAMLError

    try:
        stdout = _round_trip(text, keep, generated, results)
    except YAMLError as exc:  # ruamel is stricter than libyaml in odd corners
        return _input_error(f"cannot re-read the ResourceList: {str(exc).splitlines()[0] if str(exc) else exc}")
    return Outcome(stdout, diags, result.exit_code)


def _round_trip(text: str, keep: list[bool], generated: list[dict[str, Any]], results: list[dict[str, Any]]) -> str:
    """The ResourceList re-emitted by ruamel.yaml, for input the text editor does not take
    (flow style, aliases, CR line ends); YAMLError when ruamel cannot read it."""
    y = _ruamel()
    out = y.load(text)
    items = out.get("items") or []
    out["items"] = [it for it, kept in zip(items, keep, strict=True) if kept] + [
        y.load(dump_yaml(obj)) for obj in generated]  # re-read so that block scalars stay blocks
    if results:
        out["results"] = results
    elif "results" in out:
        del out["results"]
    buf = io.StringIO()
    y.dump(out, buf)
    return buf.getvalue()


def _results_text(results: list[dict[str, Any]]) -> str:
    """``results:`` as ruamel.yaml writes it (few lines: its speed does not matter here)."""
    buf = io.StringIO()
    _ruamel().dump({"results": results}, buf)
    return buf.getvalue()


def _resource_list(text: str) -> tuple[Document, dict[str, Any]] | Outcome:
    """The ResourceList document and its functionConfig, or the Outcome saying why there is none."""
    try:
        every = load_text(text, "<stdin>", strict_values=False)
    except LoadError as exc:
        return Outcome(diagnostics=[exc.diag], exit_code=exit_code([exc.diag], unusable_input=True))
    docs = [d for d in every if d.data is not None]
    if docs and every[0] is not docs[0]:  # kpt and kustomize send the ResourceList alone; '~' would be echoed
        return _input_error("stdin holds an empty document before the ResourceList; a KRM function reads "
                            "one document", docs[0].loc(()))
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return _input_error(f"stdin is not one YAML mapping ({len(docs)} document(s))")
    rl_doc = docs[0]
    rl = rl_doc.data
    if rl.get("kind") != "ResourceList" or rl.get("apiVersion") not in API_VERSIONS:
        what = (f"a {rl.get('apiVersion')}/{rl.get('kind')}" if rl.get("kind") else "a mapping without kind")
        return _input_error(f"stdin is {what}, not a ResourceList", rl_doc.loc(()))
    if not isinstance(rl.get("items", []) or [], list):
        return _input_error(f"ResourceList items is a {type(rl['items']).__name__}, not a list",
                            rl_doc.loc(("items",)))
    fc = rl.get("functionConfig")
    if not isinstance(fc, dict):
        return _input_error("the ResourceList has no functionConfig; it must be the NetworkPlan",
                            rl_doc.loc(("functionConfig",)))
    return rl_doc, fc


def _plan_document(rl_doc: Document, fc: dict[str, Any], cwd: str) -> tuple[Document, bool]:
    """The plan to compile: the user's own file when the path annotation leads to it (True),
    else the functionConfig itself under its placeholder name (False)."""
    annotated = annotated_path(fc)
    shown = annotated or placeholder_name(fc)
    source = package_relative(annotated) if annotated else shown
    if annotated and source == os.path.normpath(annotated):  # inside the package: read the file itself
        original = find_original(fc, [Candidate(os.path.join(cwd, source), annotated, source)])
        if original is not None:
            return original, True
    doc = subdocument(rl_doc, ("functionConfig",), shown, source)
    strip_orchestrator_metadata(doc.data)
    return doc, False


def _resource_ref(fc: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = fc["metadata"] if isinstance(fc.get("metadata"), dict) else {}
    ref = {"apiVersion": fc.get("apiVersion"), "kind": fc.get("kind"), "name": meta.get("name")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


def _failed(rl: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """The answer to a plan that does not compile: the items as they came, plus the results.
    Written by libyaml, not ruamel's round trip: nothing of it is written back to the package
    (the orchestrator stops on the error), and a large input is answered in milliseconds."""
    out = {k: v for k, v in rl.items() if k != "results"}
    out["items"] = rl.get("items") or []
    out["results"] = results
    return to_yaml([out])


def _generated_by(item: Any, plan: str) -> bool:
    meta = item.get("metadata") if isinstance(item, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return (isinstance(labels, dict) and labels.get(MANAGED_BY) == "kvnet"
            and labels.get(PLAN_LABEL) == plan)


def _with_file_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a generated object with the file annotations kpt and kustomize write it by."""
    meta = dict(obj.get("metadata") or {})
    ann = dict(meta.get("annotations") or {})
    path = f"{OUTPUT_DIR}/{file_name(obj)}"
    for prefix in ("config.kubernetes.io/", "internal.config.kubernetes.io/"):
        ann[prefix + "path"] = path
        ann[prefix + "index"] = "0"
    meta["annotations"] = ann
    return {**obj, "metadata": meta}
