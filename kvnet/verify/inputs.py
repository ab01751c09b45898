"""What to verify: NADs from manifests, and the PATHs holding kvnet plans.

PATH is a file or a directory (its ``*.yaml``/``*.yml``, not recursive). Documents of
kind ``NetworkAttachmentDefinition`` (also inside a ``kind: List``) are taken as they
are; a PATH holding ``apiVersion: kvnet.dev/v1alpha1`` documents is compiled with the
core compiler (:func:`compile_plans`) and the NADs it emits are verified.
"""

from __future__ import annotations

import os
from kvnet.record import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.discover import link_problem
from kvnet.input.loader import SYNTAX_ERROR, Budget, Document, LoadError, LoadReason, load_file
from kvnet.labels import SOURCE_ANNOTATION
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_paths

PLAN_API = "kvnet.dev/v1alpha1"
NAD_KIND = "NetworkAttachmentDefinition"


@dataclass(frozen=True)
class NadCase:
    """One NAD to verify, with where it came from."""

    name: str
    namespace: str | None
    source: str
    line: int | None
    config: Any  # spec.config as found: normally a JSON string; None when absent

    @property
    def ident(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Inputs:
    cases: list[NadCase] = field(default_factory=list)
    plan_paths: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: bool = False  # a PATH could not be read at all (exit 2)


def yaml_files(path: str) -> list[str]:
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith((".yaml", ".yml")))
        return [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    return [path]


def _config_line(doc: Document, prefix: tuple[Any, ...]) -> int:
    """Line of ``spec.config`` of the NAD at ``prefix`` of ``doc``, else of the NAD itself."""
    return doc.loc(prefix + ("spec", "config")).line


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _nad_case(doc: dict[str, Any], source: str, line: int | None, seq: int) -> NadCase:
    meta = _mapping(doc.get("metadata"))
    name = _text(meta.get("name")) or f"<unnamed #{seq}>"
    return NadCase(name, _text(meta.get("namespace")), source, line, _mapping(doc.get("spec")).get("config"))


def _read(file: str, inputs: Inputs, budget: Budget) -> list[Document] | None:
    """The documents of ``file`` through kvnet's bounded loader (kvnet.input.bounds: the
    bounds hold for all files of the run); None, with a diagnostic, when it cannot be read."""
    try:
        return load_file(file, file, file, budget)
    except LoadError as exc:
        d = exc.diag
        if exc.reason in (LoadReason.UNREADABLE, LoadReason.NOT_UTF8):
            inputs.unreadable = True
            d = error("KV000", d.message, Loc(d.file, d.line, d.column), d.hint)
        elif exc.reason is LoadReason.SYNTAX:
            d = error("KV001", "invalid YAML: " + d.message[len(SYNTAX_ERROR):],
                      Loc(d.file, d.line, d.column), d.hint)
        inputs.diagnostics.append(d)
    return None


def _take_documents(docs: list[Document], file: str, inputs: Inputs) -> bool:
    """Add the NADs of ``docs`` (also inside a ``List``) to ``inputs.cases``; True when a
    document is a kvnet plan (SPEC §2 apiVersion)."""
    has_plan = False
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict):
            continue
        if data.get("apiVersion") == PLAN_API:
            has_plan = True
        elif data.get("kind") == NAD_KIND:
            inputs.cases.append(_nad_case(data, file, _config_line(doc, ()), len(inputs.cases) + 1))
        elif data.get("kind") == "List" and isinstance(data.get("items"), list):
            for i, item in enumerate(data["items"]):
                if isinstance(item, dict) and item.get("kind") == NAD_KIND:
                    inputs.cases.append(_nad_case(item, file, _config_line(doc, ("items", i)),
                                                  len(inputs.cases) + 1))
    return has_plan


def load_inputs(paths: list[str]) -> Inputs:
    """NAD cases and plan PATHs of ``paths``; problems as diagnostics."""
    inputs = Inputs()
    budget = Budget()
    for path in paths:
        if not os.path.exists(path):
            inputs.unreadable = True
            what = f"cannot read: {link_problem(path)}" if os.path.islink(path) else "no such file or directory"
            inputs.diagnostics.append(error("KV000", what, Loc(path)))
            continue
        try:
            files = yaml_files(path)
        except OSError as exc:
            inputs.unreadable = True
            inputs.diagnostics.append(error("KV000", f"cannot list: {exc.strerror or exc}", Loc(path)))
            continue
        has_plan = False
        for file in files:
            has_plan = _take_documents(_read(file, inputs, budget) or [], file, inputs) or has_plan
        if has_plan:
            inputs.plan_paths.append(path)
    return inputs


def compile_plans(paths: list[str]) -> tuple[list[NadCase], list[Diagnostic], bool]:
    """Compile plans with the core compiler; (NAD cases, diagnostics, ok)."""
    result = compile_paths(list(paths), BuildOptions())
    diagnostics = list(result.diagnostics)
    if not result.ok:
        return [], diagnostics, False
    cases = []
    fallback = paths[0] if paths else "<plan>"
    for seq, obj in enumerate(result.objects, 1):
        if not isinstance(obj, dict) or obj.get("kind") != NAD_KIND:
            continue
        annotations = _mapping(_mapping(obj.get("metadata")).get("annotations"))
        source = _source_path(str(annotations.get(SOURCE_ANNOTATION) or fallback), paths)
        cases.append(_nad_case(obj, source, None, seq))
    return cases, diagnostics, True


def _source_path(source: str, paths: list[str]) -> str:
    """``kvnet.dev/source`` is relative to the plan root: show it as the user can open it."""
    for path in paths:
        root = path if os.path.isdir(path) else os.path.dirname(path)
        candidate = os.path.normpath(os.path.join(root, source))
        if os.path.isfile(candidate):
            return candidate
    return source
