"""The pipeline: load → check the plan (schema, then rules) → expand → validate output.

Free of click, stdout and environment variables: adapters (CLI, Argo CD CMP,
kustomize plugin, KRM function) turn their inputs into calls to
``compile_paths`` / ``compile_documents`` and print the result themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, Report, error, warning
from kvnet.loader import Document, LoadError, iter_yaml_files, load_file
from kvnet.model import API_VERSION, KIND, Plan, is_plan_document
from kvnet.objectset import SHARED_KINDS, ObjectSet

UNREADABLE = "KV000"  # exit 2: usage or unreadable input


@dataclass
class BuildOptions:
    kube_version: str = "1.31"
    crds: list[str] = field(default_factory=list)
    allow_empty: bool = False
    distribution: str | None = None  # overrides spec.cluster.distribution
    validate_output: bool = True
    # True (build): the units' objects go into one stream, so two units may not emit the
    # same object. False (validate): each directory is checked as the app it is.
    merge_units: bool = True


@dataclass
class BuildResult:
    objects: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def unreadable(self) -> bool:
        return any(d.code == UNREADABLE for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return 2 if self.unreadable else 1


@dataclass(frozen=True)
class Source:
    path: str  # where to read it
    shown: str  # how diagnostics name it
    source: str  # relative to the plan root, for kvnet.dev/source


def discover(paths: Sequence[str]) -> tuple[list[Source], list[Diagnostic]]:
    """Files named by PATH arguments: a file, or a directory's *.yaml/*.yml (not recursive)."""
    sources: dict[str, Source] = {}
    diags: list[Diagnostic] = []
    for arg in paths or ["."]:
        if os.path.isdir(arg):
            try:
                files = list(iter_yaml_files(arg))
            except OSError as exc:
                diags.append(error(UNREADABLE, f"cannot list directory: {exc.strerror or exc}", Loc(arg)))
                continue
            for full in files:
                shown = os.path.normpath(full)
                if not os.path.isfile(full):
                    diags.append(error(UNREADABLE, "cannot read: " + (
                        "dangling symbolic link" if os.path.islink(full) else "not a regular file"), Loc(shown)))
                    continue
                rel = os.path.relpath(full, arg).replace(os.sep, "/")
                sources.setdefault(os.path.realpath(full), Source(full, shown, rel))
        elif os.path.isfile(arg):
            sources.setdefault(os.path.realpath(arg), Source(arg, os.path.normpath(arg), os.path.basename(arg)))
        elif os.path.islink(arg) and not os.path.exists(arg):
            diags.append(error(UNREADABLE, "cannot read: dangling symbolic link", Loc(os.path.normpath(arg))))
        elif os.path.exists(arg):
            diags.append(error(UNREADABLE, "cannot read: not a regular file or directory", Loc(os.path.normpath(arg))))
        else:
            diags.append(error(UNREADABLE, "no such file or directory", Loc(os.path.normpath(arg)),
                               hint="give a kvnet.yaml file or the directory that holds it"))
    ordered = sorted(sources.values(), key=lambda s: (s.source, s.shown))
    return ordered, diags


def load_sources(sources: Sequence[Source]) -> tuple[list[Document], list[Diagnostic]]:
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    for src in sources:
        try:
            docs.extend(load_file(src.path, src.shown, src.source))
        except LoadError as exc:
            d = exc.diag
            if d.code == "KV004" and "cannot read" in d.message:
                d = error(UNREADABLE, d.message, Loc(d.file, d.line, d.column), d.hint)
            diags.append(d)
    return docs, diags


def select_plan_documents(docs: Sequence[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """Plan documents; other apiVersions are ignored, non-mappings are errors."""
    plan_docs: list[Document] = []
    diags: list[Diagnostic] = []
    for doc in docs:
        data = doc.data
        if data is None:
            continue
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
            diags.append(error("KV005", f"document {doc.index + 1} is {kind}, not a mapping", doc.loc(()),
                               hint="a plan document is a mapping with apiVersion, kind, metadata and spec"))
            continue
        if is_plan_document(data):
            plan_docs.append(doc)
        elif data.get("kind") == KIND:
            api = data.get("apiVersion")
            diags.append(warning("KV008", "NetworkPlan " + (f"with apiVersion {api!r}" if api else "without apiVersion")
                                 + " is ignored",
                                 doc.loc(("apiVersion",)), hint=f"kvnet reads apiVersion {API_VERSION}"))
    return plan_docs, diags


def compile_paths(paths: Sequence[str], options: BuildOptions | None = None) -> BuildResult:
    options = options or BuildOptions()
    sources, diags = discover(paths)
    if diags:
        return BuildResult(diagnostics=diags)
    docs, diags = load_sources(sources)
    origin = sources[0].shown if sources else (list(paths) or ["."])[0]
    units: dict[str, list[Document]] = {}
    for doc in docs:
        units.setdefault(os.path.dirname(doc.file), []).append(doc)
    if len(units) <= 1:
        result = compile_documents(docs, options, origin=origin)
    else:
        result = _compile_units([units[k] for k in sorted(units)], options, origin)
    if any(d.is_error for d in diags):
        # a file that did not load is the problem; "nothing to emit" would only repeat it
        result.objects = []
        result.diagnostics = [d for d in result.diagnostics if d.code != "KV006"]
    result.diagnostics = _sorted(diags + result.diagnostics)
    return result


def _compile_units(units: list[list[Document]], options: BuildOptions, origin: str) -> BuildResult:
    """Compile each directory on its own (a directory is one app), then merge.

    With ``merge_units`` the objects form one stream, so two units emitting the same
    object is an error (identical shared node-side objects excepted).
    """
    from dataclasses import replace

    from kvnet.emit import sort_objects

    per_unit = replace(options, allow_empty=True)
    result = BuildResult()
    merged = ObjectSet()
    for unit in units:
        part = compile_documents(unit, per_unit, origin=unit[0].file)
        result.diagnostics.extend(part.diagnostics)
        result.plans.extend(part.plans)
        unit_plan = part.plans[0] if part.plans else None
        for obj in part.objects:
            if not options.merge_units:
                result.objects.append(obj)
                continue
            clash = merged.add(obj, unit_plan)
            if clash is not None:
                other = clash.plan
                result.diagnostics.append(error(
                    "KV250", f"{obj['kind']} {_nsname(clash.ident)} is emitted by two directories"
                    + (f" (also by plan {other.name!r} at {other.where.at()})" if other else ""),
                    unit_plan.where.at() if unit_plan else Loc(unit[0].file),
                    hint="give the plans different namespaces, or build the directories separately"))
        if options.merge_units:
            result.objects = merged.objects
    if not result.ok:
        result.objects = []
        return result
    if not result.objects and not options.allow_empty:
        result.diagnostics.append(_nothing_to_emit(Loc(origin), bool(result.plans)))
        return result
    result.objects = sort_objects(result.objects)
    return result


def compile_documents(docs: Sequence[Document], options: BuildOptions | None = None,
                      origin: str | None = None) -> BuildResult:
    """Compile already-loaded documents (the CMP, kustomize and KRM adapters load their own).

    ``origin`` names the input in a diagnostic that has no better place (nothing to emit).
    """
    options = options or BuildOptions()
    report = Report()
    plan_docs, diags = select_plan_documents(docs)
    report.extend(diags)

    from kvnet.plan_schema import check_document

    valid_docs = []
    for doc in plan_docs:
        problems = check_document(doc)
        report.extend(problems)
        if not any(p.is_error for p in problems):
            valid_docs.append(doc)
    if report.has_errors:
        return BuildResult(diagnostics=report.sorted())

    from kvnet.model import build_plans
    from kvnet.rules import check_plan

    plans, diags = build_plans(valid_docs)
    report.extend(diags)
    checked = []
    for plan in plans:
        facts, problems = check_plan(plan)
        report.extend(problems)
        checked.append((plan, facts))
    if report.has_errors:
        return BuildResult(diagnostics=report.sorted(), plans=plans)

    from kvnet.emit import sort_objects
    from kvnet.expand import expand_plan

    emitted = ObjectSet()
    for plan, facts in checked:
        exp = expand_plan(plan, facts, options.distribution)
        report.extend(exp.diagnostics)
        for obj in exp.objects:
            clash = emitted.add(obj, plan)
            if clash is None:
                continue
            owner = clash.plan.name if clash.plan else "?"
            if clash.ident[1] in SHARED_KINDS and owner != plan.name:
                report.add(error("KV250", f"plans {owner!r} and {plan.name!r} both emit {clash.ident[1]} "
                                 f"{_nsname(clash.ident)}, differently", plan.cluster_where.at() if
                                 plan.cluster_where else plan.where.at(),
                                 hint="give spec.cluster in one plan only, or the same in every plan"))
            else:
                report.add(error("KV250", f"plan {plan.name!r} emits {clash.ident[1]} {_nsname(clash.ident)} twice"
                                 + (f" (also from plan {owner!r})" if owner != plan.name else ""),
                                 _object_loc(plan, obj), hint="rename a network or VM so that the names differ"))
    objects = emitted.objects
    if report.has_errors:
        return BuildResult(diagnostics=report.sorted(), plans=plans)

    if not objects and not options.allow_empty:
        where = Loc(docs[0].file) if docs else Loc(origin or "<input>")
        report.add(_nothing_to_emit(where, bool(plan_docs)))
        return BuildResult(diagnostics=report.sorted(), plans=plans)

    objects = sort_objects(objects)
    if options.validate_output:
        report.extend(validate_objects(objects, options, plans))
        if report.has_errors:
            return BuildResult(diagnostics=report.sorted(), plans=plans)
    return BuildResult(objects=objects, diagnostics=report.sorted(), plans=plans)


def _nothing_to_emit(where: Loc, had_plans: bool) -> Diagnostic:
    return error("KV006", "no objects to emit: " + (
        "the plans have no networks or VMs" if had_plans else "no NetworkPlan document found"), where,
        hint="Argo CD would prune every object of the app; pass --allow-empty if that is intended")


def _object_loc(plan: Plan, obj: dict[str, Any]) -> Loc:
    """The plan element an emitted object comes from (for diagnostics about the object)."""
    from kvnet.expand.nads import nad_name

    name = (obj.get("metadata") or {}).get("name")
    kind = obj.get("kind")
    if kind == "VirtualMachine":
        for vm in plan.vms:
            if vm.name == name:
                return vm.where.at("name")
    if kind == "NetworkAttachmentDefinition":
        found = None  # the last attachment making this NAD: the one that clashes with an earlier one
        for vm in plan.vms:
            for iface in vm.interfaces:
                net = next((n for n in plan.networks if n.name == iface.network), None)
                if net is not None and net.ipam == "static" and nad_name(plan, net, vm) == name:
                    found = iface.where.at("network")
        if found is not None:
            return found
        for net in plan.networks:
            if net.name == name:
                return net.where.at("name")
    if kind == "Secret":
        for vm in plan.vms:
            if f"{vm.name}-cloudinit" == name:
                return vm.where.at("cloudInit", key=True)
    return plan.cluster_where.at() if plan.cluster_where is not None else plan.where.at()


def _nsname(ident: tuple[str, str, str, str]) -> str:
    return f"{ident[2]}/{ident[3]}" if ident[2] else ident[3]


def validate_objects(objects: list[dict[str, Any]], options: BuildOptions,
                     plans: Sequence[Plan]) -> list[Diagnostic]:
    """Every emitted object against its schema. A failure is a kvnet bug (KV900), unless
    it comes from a user's raw template fragment (KV901, pointed at the fragment)."""
    from kvnet.output_check import OutputChecker

    checker = OutputChecker(options.kube_version, list(options.crds))
    out: list[Diagnostic] = []
    for obj in objects:
        problems = checker.problems(obj)
        if not problems:
            continue
        meta = obj.get("metadata") or {}
        what = f"{obj.get('kind')} {meta.get('name')}"
        plan_name = (meta.get("labels") or {}).get("kvnet.dev/plan")
        plan = next((p for p in plans if p.name == plan_name and p.namespace == meta.get("namespace")), None)
        vm = None
        if plan is not None and obj.get("kind") == "VirtualMachine":
            vm = next((v for v in plan.vms if v.name == meta.get("name")), None)
        if vm is not None and vm.template:
            out.append(error("KV901", f"VM {vm.name!r}: the template fragment makes an invalid VirtualMachine: "
                             f"{problems[0]}", _template_loc(vm, problems[0]),
                             hint="fix or remove the offending field of 'template'"))
        else:
            where = plan.where.at() if plan is not None else Loc("<output>")
            out.append(error("KV900", f"kvnet produced an invalid {what}: {problems[0]}", where,
                             hint="this is a kvnet bug; please report it with the plan"))
    return out


def _template_loc(vm: Any, problem: str) -> Loc:
    """Where in ``template`` the output problem ``spec.template.spec.a.0.b: ...`` comes from."""
    prefix = "spec.template.spec."
    if not problem.startswith(prefix):
        return vm.where.at("template", key=True)  # type: ignore[no-any-return]
    dotted = problem[len(prefix):].split(":", 1)[0]
    path: list[str] = []
    for part in dotted.split("."):
        if part.isdigit():
            break  # list indexes of the merged VM differ from the fragment's: stop at the list
        path.append(part)
    return vm.where.at("template", *path, key=True)  # type: ignore[no-any-return]


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    r = Report(list(diags))
    return r.sorted()
