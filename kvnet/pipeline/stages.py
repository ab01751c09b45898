"""The stages of one compile unit, each appending its problems to a Report (SPEC §4)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from kvnet.diagnostics import Diagnostic, Loc, Report, error
from kvnet.emit import object_key
from kvnet.expand import expand_plan
from kvnet.expand.emitted import Emitted
from kvnet.input.crds import crd_diagnostics
from kvnet.input.facts import Facts
from kvnet.input.loader import Document
from kvnet.input.model import Plan
from kvnet.input.manifests import plain_manifests
from kvnet.objectset import ObjectSet, identity
from kvnet.options import BuildOptions
from kvnet.outputcheck.checker import OutputChecker
from kvnet.outputcheck.limits import size_problem
from kvnet.rendering import Renderer, Rendered


def expand_plans(checked: Sequence[tuple[Plan, Facts]], report: Report) -> list[Emitted]:
    """Expansion stage: every plan's objects, one per identity (KV250 on a clash)."""
    return list(iter_expanded(checked, report, ObjectSet()))


def iter_expanded(checked: Sequence[tuple[Plan, Facts]], report: Report, objects: ObjectSet,
                  sizes: bool = True) -> Iterator[Emitted]:
    """:func:`expand_plans` one object at a time (``objects``: the set that keeps one per identity;
    ``sizes``: False when the consumer checks each object's size itself, :func:`checked_texts`)."""
    for plan, facts in checked:
        for emitted in expand_plan(plan, facts):
            before = objects.added
            clash = objects.add(emitted, plan)
            if clash is not None:
                report.add(clash)
            elif objects.added > before:
                if sizes:
                    report.extend(refused_for_size(emitted))
                yield emitted


def checked_texts(stream: Iterable[Emitted], options: BuildOptions, report: Report) -> list[Rendered]:
    """Output stage as text (issue 28: peak memory): each object of ``stream`` (from
    :func:`iter_expanded` without ``sizes``) checked (:func:`validate_objects`, when
    ``options.validate_output``), rendered and checked for its size (KV108) at once, its dict
    then let go; sorted per SPEC §6. Diagnostics as :func:`validate_objects` gives them (none when
    expansion reported an error); empty on any error."""
    unusable = crd_diagnostics(options.crds) if options.validate_output else []
    checker = OutputChecker(options.kube_version, list(options.crds))
    renderer = Renderer()
    problems: list[tuple[tuple[int, str, str, str], int, Diagnostic]] = []
    out: list[Rendered] = []
    for e in stream:
        if options.validate_output and not unusable:
            problem = object_problem(checker, e)
            if problem is not None:
                problems.append((object_key(e.obj), len(problems), problem))
        out.append(renderer.render(e.obj))
        report.extend(refused_for_size(e, len(out[-1].text)))
    if report.has_errors or (not out and not options.allow_empty):
        return []  # the caller reports KV006 for the latter
    report.extend(unusable or [p[2] for p in sorted(problems, key=lambda p: p[:2])])
    return [] if report.has_errors else sorted(out, key=lambda r: r.key)


def refused_for_size(e: Emitted, yaml_chars: int | None = None) -> list[Diagnostic]:
    """KV108: an object the API server or etcd would refuse for its size (kvnet.outputcheck.limits;
    ``yaml_chars``: the length of its YAML document, when rendered)."""
    problem = size_problem(e.obj, yaml_chars)
    if problem is None:
        return []
    meta = e.obj.get("metadata") or {}
    return [error("KV108", f"{e.obj.get('kind')} {meta.get('name')!r} would be refused: {problem}", e.origin,
                  hint="keep large data out of the plan (a Secret you manage, referenced from 'template')")]


def nothing_to_emit(where: Loc, had_plans: bool) -> Diagnostic:
    """KV006: an empty manifest set, which Argo CD would answer by pruning the app."""
    return error("KV006", "no objects to emit: " + (
        "the plans have no networks or VMs" if had_plans else "no NetworkPlan document found"), where,
        hint="Argo CD would prune every object of the app; pass --allow-empty if that is intended")


def validate_objects(emitted: Sequence[Emitted], options: BuildOptions) -> list[Diagnostic]:
    """Output stage: every object against its schema. A failure is a kvnet bug (KV900),
    unless it comes from a user's raw template fragment (KV901, pointed at the fragment)."""
    unusable = crd_diagnostics(options.crds)
    if unusable:
        return unusable
    checker = OutputChecker(options.kube_version, list(options.crds))
    found = (object_problem(checker, e) for e in sorted(emitted, key=lambda e: object_key(e.obj)))
    return [d for d in found if d is not None]


def object_problem(checker: OutputChecker, e: Emitted) -> Diagnostic | None:
    """The first output problem of one emitted object: KV901 when it comes from the VM's
    ``template`` fragment, else KV900 (a kvnet bug); None when the object is valid."""
    problems = checker.problems(e.obj)
    if not problems:
        return None
    meta = e.obj.get("metadata") or {}
    vm = e.vm
    if vm is not None and vm.template:
        return error("KV901", f"VM {vm.name!r}: the template fragment makes an invalid VirtualMachine: "
                     f"{problems[0]}", _template_loc(vm, problems[0].path),
                     hint="fix or remove the offending field of 'template'")
    return error("KV900", f"kvnet produced an invalid {e.obj.get('kind')} {meta.get('name')}: "
                 f"{problems[0]}", e.origin, hint="this is a kvnet bug; please report it with the plan")


def pass_through(docs: Sequence[Document], emitted: Sequence[Emitted], options: BuildOptions,
                 report: Report) -> list[Emitted]:
    """The plain manifests among ``docs`` (kvnet.input.manifests), each once: KV250 for one that
    is in the input twice or that the plans emit too."""
    taken = {identity(e.obj): e.origin for e in emitted}
    out: list[Emitted] = []
    for obj, loc in plain_manifests(docs, options.crds):
        ident = identity(obj)
        first = taken.get(ident)
        if first is not None:
            report.add(error("KV250", f"{ident[1]} {ident[3]!r} beside the plan is also at {first}; the cluster "
                             "keeps only one of them", loc, hint="remove or rename one of them"))
            continue
        taken[ident] = loc
        out.append(Emitted(obj, loc, passed_through=True))
    return out


def validate_manifests(manifests: Sequence[Emitted], options: BuildOptions) -> list[Diagnostic]:
    """KV327: a manifest beside the plan that its schema refuses (checked as kvnet's own objects
    are: core kinds by kubernetes-validate, NADs by kvnet's CNI schemas, VirtualMachines and the
    kinds kvnet ships schemas for, and --crd CRDs; other kinds pass unchecked); KV108 for size."""
    checker = OutputChecker(options.kube_version, list(options.crds))
    out: list[Diagnostic] = []
    for e in manifests:
        problems = checker.problems(e.obj)
        if problems:
            meta = e.obj.get("metadata") or {}
            out.append(error("KV327", f"{e.obj.get('kind')} {meta.get('name')!r} beside the plan is invalid: "
                             f"{problems[0]}", e.origin,
                             hint="fix the manifest: it is applied with the plan's objects"))
        out.extend(refused_for_size(e))
    return out


def _template_loc(vm: Any, path: tuple[str | int, ...]) -> Loc:
    """Where in ``template`` the output problem at ``path`` (``spec.template.spec.a.0.b``) comes from."""
    inner = ("spec", "template", "spec")
    if path[:3] != inner or len(path) == 3:
        return vm.where.at("template", key=True)  # type: ignore[no-any-return]
    keys: list[str] = []
    for part in path[3:]:
        if isinstance(part, int):
            break  # list indexes of the merged VM differ from the fragment's: stop at the list
        keys.append(part)
    return vm.where.at("template", *keys, key=True)  # type: ignore[no-any-return]
