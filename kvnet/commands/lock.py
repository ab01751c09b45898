"""``kvnet lock``: write or check kvnet.lock, the addresses kvnet allocated (SPEC §7)."""

from __future__ import annotations

import sys

import click

from kvnet.commands.common import brief_option, brief_plan_errors, format_option, report, write_stdout
from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.exitcodes import OK, USAGE, exit_code
from kvnet.input.discover import plan_dirs
from kvnet.lock.update import LockUpdate, plan_updates, write
from kvnet.output import OutputError
from kvnet.pipeline.front import Through, check_paths
from kvnet.signals import deferred

#: what kvnet lock itself finds (SPEC §7): the lock file, allocation, staleness; KV000 a missing path
OWN = ("KV000", "KV280", "KV282", "KV283", "KV284", "KV285", "KV286", "KV287")


@click.command()
@format_option
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a kvnet.lock would change, printing what would change "
                   "(CI, pre-commit).")
@click.argument("paths", nargs=-1, type=click.Path())
@brief_option
def lock(paths: tuple[str, ...], fmt: str, check: bool, brief: bool) -> int:
    """Allocate addresses for interfaces on `allocate:` networks and record them in kvnet.lock.

    One kvnet.lock per plan directory (a FILE stands for its directory), shared by the plans
    there. Entries of interfaces that still need one are kept; new ones get the lowest free
    address of the range; entries of removed VMs are dropped. Changes are listed on stdout.
    """
    # the plans up to their facts (the lock is what the later stages read), every problem reported
    checked = check_paths(plan_dirs(paths), through=Through.FACTS, stdin=False, keep_going=True)
    updates, diags = plan_updates(checked.pairs(), checked.diagnostics)
    if any(d.is_error for d in diags):
        report(brief_plan_errors(diags, OWN) if brief else diags, fmt)
        return exit_code(diags)
    changed = [u for u in updates if u.changed]
    lines = []
    for u in changed:
        lines.extend(u.changes or [f"{u.path}: rewritten in kvnet's own layout (no address changes)"])
    if check:
        return _check(changed, diags, lines, fmt)
    report(diags, fmt)
    if not _write(changed):
        return USAGE
    if lines:
        write_stdout("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    return OK


def _check(changed: list[LockUpdate], diags: list[Diagnostic], lines: list[str], fmt: str) -> int:
    """``lock --check``: KV287 for each lock that would change, the changes on stdout; writes
    nothing (SPEC §7)."""
    stale = [error("KV287", f"kvnet.lock is stale: {_what(u.changes)} would change", Loc(u.path),
                   hint="run 'kvnet lock' and commit kvnet.lock") for u in changed]
    report(diags + stale, fmt)
    if lines:
        write_stdout("".join(line + "\n" for line in lines))
    return exit_code(stale)


def _write(changed: list[LockUpdate]) -> bool:
    """Write every changed lock, a signal deferred until all are written; False (and a message)
    when the output cannot be written (a full disk or read-only file system: that lock keeps its
    old content)."""
    try:
        with deferred():  # every lock checked: a signal waits, so no run leaves some written and some not
            for u in changed:
                write(u)
    except OutputError as exc:
        click.echo(f"kvnet: cannot write the output: {exc}", err=True)
        return False
    return True


def _what(changes: list[str]) -> str:
    if not changes:
        return "its layout"
    return f"{len(changes)} entr{'y' if len(changes) == 1 else 'ies'}"
