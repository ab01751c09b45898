"""The pipeline: load → check the plan (schema, then rules) → expand → validate output.

Free of click, stdout and environment variables: the adapters (CLI, Argo CD CMP, kustomize
plugin, KRM function) turn their inputs into calls to :func:`compile_paths` /
:func:`compile_documents` and write the result themselves. The front half (input, facts, the
lock, the rules) is :mod:`kvnet.pipeline.front`; expansion and the output checks are in
:mod:`kvnet.pipeline.stages`.
"""

from __future__ import annotations

import os
from kvnet.record import dataclass, field, replace
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, Report
from kvnet.emit import sort_objects
from kvnet.expand.emitted import Emitted
from kvnet.exitcodes import exit_code
from kvnet.input.discover import Source
from kvnet.input.loader import Document
from kvnet.input.model import Plan
from kvnet.objectset import ObjectSet
from kvnet.options import BuildOptions
from kvnet.pipeline import stages
from kvnet.pipeline.front import Checked, check_docs, read_paths
from kvnet.rendering import Rendered, render_all
from kvnet.suppress import apply as apply_suppressions
from kvnet.suppress import read_texts

__all__ = ["BuildOptions", "BuildResult", "compile_documents", "compile_paths"]


@dataclass
class BuildResult:
    """Objects (sorted per SPEC §6, empty unless every check passed), every diagnostic
    (sorted by position), and the plans that were built. With ``BuildOptions.render`` the
    objects are ``documents`` (their YAML text, kvnet.rendering) and ``objects`` is empty."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    documents: list[Rendered] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        """SPEC §5: 0 ok, 1 errors in input, 2 unreadable input (:func:`kvnet.exitcodes.exit_code`)."""
        return exit_code(self.diagnostics)


def _by_directory(docs: list[Document], options: BuildOptions, origin: str) -> BuildResult:
    """Compile ``docs``: one unit, or each directory its own unit (SPEC §5: a directory is one
    compile unit)."""
    units: dict[str, list[Document]] = {}
    for doc in docs:
        units.setdefault(os.path.dirname(doc.file), []).append(doc)
    if len(units) <= 1:
        return compile_documents(docs, options, origin=origin)
    return _compile_units([units[k] for k in sorted(units)], options, origin)


def _finish(result: BuildResult, load_diags: list[Diagnostic], sources: list[Source],
            options: BuildOptions) -> BuildResult:
    """``result`` with the load diagnostics before its own and the suppressions applied (SPEC §9
    kvnet-ignore comments, ``--ignore``); no objects when a file did not load or a suppression
    comment is malformed (KV051)."""
    if any(d.is_error for d in load_diags):
        # a file that did not load is the problem; "nothing to emit" would only repeat it
        result.objects, result.documents = [], []
        result.diagnostics = [d for d in result.diagnostics if d.code != "KV006"]
    texts = read_texts((s.shown, s.path) for s in sources)
    result.diagnostics = apply_suppressions(load_diags + result.diagnostics, options.ignore, texts)
    if not result.ok:
        result.objects, result.documents = [], []  # a malformed suppression comment (KV051) fails the run
    return result


def compile_paths(paths: Sequence[str], options: BuildOptions | None = None) -> BuildResult:
    """Compile the files named by PATH arguments (SPEC §5); each directory is one compile unit,
    ``-`` is stdin (a unit of its own, named ``<stdin>``), directories are read recursively
    with ``options.recursive``."""
    options = options or BuildOptions()
    read = read_paths(paths, options.recursive, options.input_root)
    if read.stopped:
        return BuildResult(diagnostics=read.diagnostics)
    origin = read.sources[0].shown if read.sources else read.args[0]
    return _finish(_by_directory(read.docs, options, origin), read.diagnostics, read.sources, options)


def _compile_units(units: list[list[Document]], options: BuildOptions, origin: str) -> BuildResult:
    """Compile each directory on its own (a directory is one app), then merge.

    With ``merge_units`` the objects form one stream, so two units emitting the same
    object is an error (identical shared node-side objects excepted).
    """
    per_unit = replace(options, allow_empty=True, render=False)  # merged as objects, then rendered
    result = BuildResult()
    merged = ObjectSet(across_units=True)
    for unit in units:
        part = compile_documents(unit, per_unit, origin=unit[0].file)
        result.diagnostics.extend(part.diagnostics)
        result.plans.extend(part.plans)
        unit_plan = part.plans[0] if part.plans else None
        for obj in part.objects:
            if not options.merge_units:
                result.objects.append(obj)
                continue
            clash = merged.add(Emitted(obj, Loc(unit[0].file)), unit_plan)
            if clash is not None:
                result.diagnostics.append(clash)
        if options.merge_units:
            result.objects = merged.objects
    if not result.ok:
        result.objects = []
        return result
    if not result.objects and not options.allow_empty:
        result.diagnostics.append(stages.nothing_to_emit(Loc(origin), bool(result.plans)))
        return result
    result.objects = sort_objects(result.objects)
    return _as_text(result, options)


def _as_text(result: BuildResult, options: BuildOptions) -> BuildResult:
    """``result`` with its objects rendered when ``options.render`` (the paths that hold them all)."""
    if options.render:
        result.documents, result.objects = render_all(result.objects), []
    return result


def _validated(emitted: list[Emitted], options: BuildOptions, report: Report,
               plans: list[Plan]) -> BuildResult:
    """The sorted objects of ``emitted`` (SPEC §6 order), each checked against its schema and
    KubeVirt's admission rules first when ``options.validate_output``."""
    objects = sort_objects([e.obj for e in emitted])
    if options.validate_output:
        report.extend(stages.validate_objects([e for e in emitted if not e.passed_through], options))
        report.extend(stages.validate_manifests([e for e in emitted if e.passed_through], options))
        if report.has_errors:
            return BuildResult(diagnostics=report.sorted(), plans=plans)
    return BuildResult(objects=objects, diagnostics=report.sorted(), plans=plans)


def _rendered(checked: Checked, docs: Sequence[Document], options: BuildOptions, report: Report,
              origin: str | None) -> BuildResult:
    """:func:`compile_documents` with ``options.render``: each object checked and rendered as it
    is expanded (kvnet.pipeline.stages.checked_texts), never all held as dicts at once."""
    stream = stages.iter_expanded(checked.pairs(), report, ObjectSet(keep=False), sizes=False)
    documents = stages.checked_texts(stream, options, report)
    if not documents and not report.has_errors and not options.allow_empty:
        where = Loc(docs[0].file) if docs else Loc(origin or "<input>")
        report.add(stages.nothing_to_emit(where, bool(checked.plan_documents)))
    return BuildResult(diagnostics=report.sorted(), plans=checked.plans, documents=documents)


def compile_documents(docs: Sequence[Document], options: BuildOptions | None = None,
                      origin: str | None = None) -> BuildResult:
    """Compile already-loaded documents as one unit (the CMP, kustomize and KRM adapters load
    their own). ``origin`` names the input in a diagnostic that has no better place."""
    options = options or BuildOptions()
    checked = check_docs(docs, options)
    plans = checked.plans
    if checked.has_errors:
        return BuildResult(diagnostics=checked.diagnostics, plans=plans)
    for doc in docs:  # past the rules, positions are rarely asked for: free the node graphs
        doc.release()
    report = Report()
    report.extend(checked.diagnostics)
    if options.render and not options.manifests:
        return _rendered(checked, docs, options, report, origin)
    emitted = stages.expand_plans(checked.pairs(), report)
    if options.manifests:
        manifests = stages.pass_through(docs, emitted, options, report)
        emitted = emitted + manifests
    if report.has_errors:
        return BuildResult(diagnostics=report.sorted(), plans=plans)
    if not emitted and not options.allow_empty:
        where = Loc(docs[0].file) if docs else Loc(origin or "<input>")
        report.add(stages.nothing_to_emit(where, bool(checked.plan_documents)))
        return BuildResult(diagnostics=report.sorted(), plans=plans)
    return _as_text(_validated(emitted, options, report, plans), options)
