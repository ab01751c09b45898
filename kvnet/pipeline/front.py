"""The front half of the pipeline, written once: PATH arguments → documents → plans → facts →
kvnet.lock → rules (SPEC §4, §5, §7).

``build``/``validate`` and the adapters (through :func:`kvnet.pipeline.compile_paths` and
:func:`kvnet.pipeline.compile_documents`, which go on to expansion), ``kvnet explain`` and
``kvnet graph`` (through ``compile_paths``), ``kvnet lock`` (:func:`check_paths` up to the facts:
it writes the lock the later stages read) and the sources of ``kvnet lint``/``kvnet import``
(:func:`read_paths`) all read their input here.
"""

from __future__ import annotations

import enum
from kvnet.record import dataclass, field
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Report
from kvnet.input.args import STDIN, expand, read_stdin
from kvnet.input.discover import Source, discover, load_sources, select_plan_documents
from kvnet.input.facts import Facts, gather
from kvnet.input.loader import Document
from kvnet.input.model import Plan, build_plans
from kvnet.input.plan_schema import check_documents
from kvnet.lock.resolve import resolve_locks
from kvnet.options import BuildOptions
from kvnet.rules import across_plans, run_rules


class Through(enum.Enum):
    """How far :func:`check_docs` goes: ``FACTS`` (plans and their parsed values: what ``kvnet
    lock`` allocates from) or ``RULES`` (kvnet.lock read onto the interfaces, then every rule)."""

    FACTS = "facts"
    RULES = "rules"


@dataclass(frozen=True)
class Read:
    """What PATH arguments hold: the documents, the files they came from, the problems reading
    them (KV000-KV004), the arguments after ``-r`` expansion, and whether reading stopped at a
    path that cannot be found (nothing was read)."""

    docs: list[Document]
    sources: list[Source]
    diagnostics: list[Diagnostic]
    args: list[str] = field(default_factory=list)
    stopped: bool = False


@dataclass(frozen=True)
class Checked:
    """The plans of one check, ``facts[i]`` being the facts of ``plans[i]``, every problem found
    (sorted by position), and how many NetworkPlan documents the input had."""

    plans: list[Plan] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan_documents: int = 0

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def pairs(self) -> list[tuple[Plan, Facts]]:
        """``(plan, facts)`` of every plan, in plan order."""
        return list(zip(self.plans, self.facts, strict=True))


def read_paths(paths: Sequence[str], recursive: bool = False, root: str | None = None, *,
               stdin: bool = True, keep_going: bool = False) -> Read:
    """The documents of ``paths`` (default ``.``; SPEC §5): files, directories (every directory
    below with ``recursive``), ``-`` for stdin (its documents first; with ``stdin`` False ``-``
    is a path like any other). ``root`` (Argo CD: the repository) refuses files outside it.
    A path that cannot be found is KV000: nothing is read then, unless ``keep_going`` (lint,
    import, lock: every readable file is still read and checked)."""
    args = expand(list(paths) or ["."], recursive)
    files = [p for p in args if p != STDIN or not stdin]
    sources, found = discover(files, root) if files else ([], [])
    if found and not keep_going:
        return Read([], sources, found, args, stopped=True)
    docs, diags = read_stdin() if stdin and STDIN in args else ([], [])
    more_docs, more_diags = load_sources(sources)
    return Read(docs + more_docs, sources, diags + found + more_diags, args)


def check_docs(docs: Sequence[Document], options: BuildOptions, *, through: Through = Through.RULES,
               keep_going: bool = False) -> Checked:
    """Plans of ``docs`` checked ``through`` a stage: NetworkPlan documents (KV005, KV008), the
    plan schema, plans built (KV007), their facts (parsed values, KV210-KV215), then with
    ``Through.RULES`` the kvnet.lock addresses (:func:`kvnet.lock.resolve.resolve_locks`) and
    every rule (:data:`kvnet.rules.RULES`), then the plans against each other
    (:mod:`kvnet.rules.across_plans`: one L2 segment, one address space). A schema problem stops the check unless
    ``keep_going`` (``kvnet lock`` reports the values of the valid documents too)."""
    report = Report()
    plan_docs, diags = select_plan_documents(docs)
    report.extend(diags)
    valid_docs = check_documents(plan_docs, report)
    if report.has_errors and not keep_going:
        return Checked(diagnostics=report.sorted(), plan_documents=len(plan_docs))
    plans, diags = build_plans(valid_docs)
    report.extend(diags)
    facts: list[Facts] = []
    for plan in plans:
        plan_facts, diags = gather(plan, options.distribution)
        report.extend(diags)
        facts.append(plan_facts)
    if through is Through.RULES:
        report.extend(resolve_locks(list(zip(plans, facts, strict=True)), options.lock_dir, options.input_root))
        for plan, plan_facts in zip(plans, facts, strict=True):
            report.extend(run_rules(plan, plan_facts))
        report.extend(across_plans.check(list(zip(plans, facts, strict=True))))
    return Checked(plans, facts, report.sorted(), len(plan_docs))


def check_paths(paths: Sequence[str], options: BuildOptions | None = None, *, through: Through = Through.RULES,
                stdin: bool = True, keep_going: bool = False) -> Checked:
    """:func:`read_paths` then :func:`check_docs` of all its documents as one unit, with the
    read problems (``kvnet lock``: ``stdin`` off, a lock belongs to a directory)."""
    options = options or BuildOptions()
    read = read_paths(paths, options.recursive, options.input_root, stdin=stdin, keep_going=keep_going)
    checked = check_docs(read.docs, options, through=through, keep_going=keep_going)
    report = Report()
    report.extend(read.diagnostics)
    report.extend(checked.diagnostics)
    return Checked(checked.plans, checked.facts, report.sorted(), checked.plan_documents)
