"""``kvnet diff`` without the command line: compile both sides with the core pipeline,
compare, classify, locate. Free of click, stdout and environment variables."""

from __future__ import annotations

from kvnet.record import dataclass, field, replace
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic
from kvnet.diff.addresses import address_changes, lock_entries, nad_users
from kvnet.diff.classes import CLASSES, NAD, PRUNE
from kvnet.diff.compare import Change, compare
from kvnet.diff.live import drift, not_objects
from kvnet.diff.locate import Locator, locate_all
from kvnet.diff.revisions import Side
from kvnet.exitcodes import exit_code
from kvnet.input.loader import Document
from kvnet.lint.objects import find_objects
from kvnet.options import BuildOptions
from kvnet.pipeline import BuildResult, compile_paths


@dataclass
class DiffResult:
    """The changes from ``base`` to ``head`` (labels), in class order; ``unchanged`` objects;
    ``vms`` and ``objects`` of the head; ``diagnostics`` when a side did not compile."""

    base: str
    head: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    vms: int = 0
    objects: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.diagnostics)

    def classes(self) -> list[str]:
        """The classes present, most serious first."""
        present = {c.cls for c in self.changes}
        return [c for c in CLASSES if c in present]


def _compile(side: Side, options: BuildOptions) -> tuple[BuildResult, list[Diagnostic]]:
    """Compile one side; its errors with the side named and file names as the user sees them."""
    if side.missing:
        return BuildResult(), []
    result = compile_paths(side.paths, replace(options, allow_empty=True))
    errors = [replace(d, file=side.show(d.file), message=f"in {side.label}: {d.message}")
              for d in result.diagnostics if d.is_error]
    return result, errors


def diff_sides(base: Side, head: Side, options: BuildOptions | None = None) -> DiffResult:
    """Compile ``base`` and ``head`` and classify every change of their objects and locks.

    Errors of either side (a plan that does not compile there, an unreadable path) end the
    run with those diagnostics, each naming its side.
    """
    options = options or BuildOptions()
    out = DiffResult(base.label, head.label)
    old, old_errors = _compile(base, options)
    new, new_errors = _compile(head, options)
    out.diagnostics = old_errors + new_errors
    if out.diagnostics:
        return out
    out.changes, out.unchanged = compare(old.objects, new.objects)
    out.changes += address_changes(lock_entries(old.plans, base.show), lock_entries(new.plans, head.show))
    _name_users(out.changes, old.objects, new.objects)
    locate_all(out.changes, Locator(new.plans, head.show))
    order = {c: n for n, c in enumerate(CLASSES)}
    out.changes.sort(key=lambda c: (order[c.cls], c.kind, c.namespace, c.name))
    out.vms = sum(1 for o in new.objects if o.get("kind") == "VirtualMachine")
    out.objects = len(new.objects)
    return out


def _name_users(changes: Sequence[Change], base: Sequence[dict[str, Any]], head: Sequence[dict[str, Any]]) -> None:
    """Put the VMs that use each changed NAD on its change (a pruned NAD: the base's users)."""
    now, before = nad_users(head), nad_users(base)
    for change in changes:
        if change.kind == "NetworkAttachmentDefinition":
            users = before if change.cls == PRUNE else now
            change.vms = users.get((change.namespace, change.name), [])
            if change.cls == NAD and not change.vms:
                change.vms = before.get((change.namespace, change.name), [])



@dataclass
class LiveResult:
    """``kvnet diff --live``: ``diagnostics`` are bad input (a plan that does not compile, a
    dump that is not Kubernetes objects: nothing else is reported) or else the drift findings;
    ``vms``/``nads`` of the plan checked."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    bad_input: bool = False
    vms: int = 0
    nads: int = 0


def live_check(head: Side, dump: Sequence[Document], options: BuildOptions | None = None) -> LiveResult:
    """Compile ``head`` and compare it with the loaded live dump ``dump`` (:mod:`kvnet.diff.live`)."""
    compiled, errors = _compile(head, options or BuildOptions())
    bad = errors + not_objects(dump)
    if bad:
        return LiveResult(bad, bad_input=True)
    out = LiveResult(drift(compiled.objects, compiled.plans, find_objects(dump)))
    out.vms = sum(1 for o in compiled.objects if o.get("kind") == "VirtualMachine")
    out.nads = sum(1 for o in compiled.objects if o.get("kind") == "NetworkAttachmentDefinition")
    return out
