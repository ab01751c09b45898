"""``kvnet lock``: the new kvnet.lock of every plan directory (SPEC §7), nothing written here.

A lock belongs to a directory (several plans there share it, keyed by plan), so a FILE
argument stands for its whole directory: locking one file must not drop the entries of the
other plans beside it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from kvnet.record import dataclass, field

from kvnet.diagnostics import Diagnostic, Report
from kvnet.input.facts import Facts
from kvnet.input.model import Plan
from kvnet.lock.allocate import Entries, Taken, allocate_all
from kvnet.lock.lockfile import LockFile, lock_path, read_lock, render
from kvnet.lock.segment import SegKey, Segment, plan_key, segments
from kvnet.netmath import parse_ip
from kvnet.output import write_file
from kvnet.rules.addressing import used_addresses


@dataclass
class LockUpdate:
    """One kvnet.lock: its current text (None: absent), the text ``kvnet lock`` writes, and the
    changed entries as lines (``+ plan network VM: address``, ``-`` removed, ``~`` moved)."""

    path: str
    old_text: str | None
    new_text: str
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text


def plan_updates(checked: Sequence[tuple[Plan, Facts]],
                 problems: Sequence[Diagnostic]) -> tuple[list[LockUpdate], list[Diagnostic]]:
    """The lock of every plan directory after allocation, and the problems (``problems``: those
    of reading the plans, their schema and network values, from
    :func:`kvnet.pipeline.front.check_paths` up to the facts; then the lock file itself, full
    ranges). ``checked``: every plan with its facts. Nothing is to be written when any problem
    is an error."""
    report = Report()
    report.extend(list(problems))
    if report.has_errors:
        return [], report.sorted()
    units = _units(checked)
    locks: list[tuple[str, LockFile]] = []
    for path in sorted(units):
        lock, diags = read_lock(path)
        report.extend(diags)
        if any(d.is_error for d in diags):
            continue
        if lock.exists or any(segs for _, segs in units[path]):  # else nothing allocates here: no lock file
            locks.append((path, lock))
    updates = [_update(path, lock, units[path], checked, report) for path, lock in locks]
    if report.has_errors:
        return [], report.sorted()
    return updates, report.sorted()


def _update(path: str, lock: LockFile, plans: list[tuple[Plan, dict[SegKey, Segment]]],
            checked: Sequence[tuple[Plan, Facts]], report: Report) -> LockUpdate:
    """The lock at ``path`` after allocating for ``plans`` (those beside it) at once: plans on one
    bridge and VLAN share it (issue 24); two directories are two apps, perhaps two clusters, as
    the rules see them. Full ranges go to ``report``."""
    ids = {id(plan) for plan, _ in plans}
    results = allocate_all([(segs, lock.addresses(plan_key(plan))) for plan, segs in plans],
                           explicit_on_segments([(p, f) for p, f in checked if id(p) in ids]))
    new: dict[str, Entries] = {}
    for (plan, _segs), (entries, diags) in zip(plans, results, strict=True):
        report.extend(diags)
        if entries:
            new[plan_key(plan)] = entries
    return LockUpdate(path, _text(path) if lock.exists else None, render(new), _changes(path, lock, new))


def explicit_on_segments(checked: Sequence[tuple[Plan, Facts]]) -> Taken:
    """The addresses the plans write themselves (and their static NADs hold) on shared L2
    segments: never handed out, whichever plan allocates there."""
    taken: Taken = {}
    for plan, facts in checked:
        for used in used_addresses(plan, facts, []):
            ip = parse_ip(used.value)
            if isinstance(used.seg, tuple) and ip is not None:
                taken.setdefault((used.seg, ip.version), set()).add(int(ip))
    return taken


def _units(checked: Sequence[tuple[Plan, Facts]]) -> dict[str, list[tuple[Plan, dict[SegKey, Segment]]]]:
    """Lock path -> the plans beside it with their allocating networks."""
    units: dict[str, list[tuple[Plan, dict[SegKey, Segment]]]] = {}
    for plan, facts in checked:
        path = lock_path(os.path.dirname(plan.files[0]))
        units.setdefault(path, []).append((plan, segments(plan, facts)))
    return units


def _text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def _changes(path: str, lock: LockFile, new: dict[str, Entries]) -> list[str]:
    old = {key: lock.addresses(key) for key in lock.plans}
    flat_old = {(k, n, v): ", ".join(a) for k, nets in old.items() for n, vms in nets.items() for v, a in vms.items()}
    flat_new = {(k, n, v): ", ".join(a) for k, nets in new.items() for n, vms in nets.items() for v, a in vms.items()}
    lines = []
    for item in sorted(set(flat_old) | set(flat_new)):
        before, after = flat_old.get(item), flat_new.get(item)
        if before == after:
            continue
        key, net, vm = item
        what = (f"+ {after}" if before is None else f"- {before}" if after is None
                else f"~ {before} -> {after}")
        lines.append(f"{path}: {key} {net} {vm}: {what}")
    return lines


def write(update: LockUpdate) -> None:
    """Replace the lock file atomically with ``update.new_text`` (kvnet.output.write_file)."""
    write_file(update.path, update.new_text)
