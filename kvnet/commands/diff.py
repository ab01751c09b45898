"""``kvnet diff``: what a plan change does to running VMs (and, with ``--live``, how the
cluster differs from the plan). A thin layer over :mod:`kvnet.diff`."""

from __future__ import annotations

import os
from typing import Callable

import click

from kvnet.commands.common import DEFAULTS, print_report, report, write_stdout
from kvnet.diagnostics import Diagnostic, Report
from kvnet.diff.classes import CLASSES
from kvnet.diff.report import json_report, text
from kvnet.diff.report_md import github, markdown
from kvnet.diff.revisions import (Side, SideError, check_found, deleted_path, directory, missing_pair,
                                  read_revision, work_tree)
from kvnet.diff.live import dump_files
from kvnet.diff.run import DiffResult, diff_sides, live_check
from kvnet.exitcodes import OK, PROBLEMS, exit_code
from kvnet.lint.sources import load_inputs
from kvnet.reporters import counts
from kvnet.usage import check_options
from kvnet.options import BuildOptions

RENDER: dict[str, Callable[[DiffResult], str]] = {"text": text, "json": json_report, "markdown": markdown,
                                                   "github": github}
# reporters.FORMATS the change report has no form for: --live's findings only (issue 26: junit and
# sarif on every reporting command)
FINDINGS_ONLY = ("junit", "sarif")


def _fail_on(value: str) -> list[str]:
    classes = [c.strip() for c in value.split(",") if c.strip()] if value else []
    unknown = [c for c in classes if c not in CLASSES]
    if unknown:
        raise click.BadParameter(f"unknown class {unknown[0]!r}; classes: {', '.join(CLASSES)}",
                                 param_hint="--fail-on")
    return classes


def _sides(args: tuple[str, ...], to: str | None) -> tuple[Side, Side]:
    """BASE and head from the arguments: ``OLD --to NEW`` (both on disk) compares two files or
    directories; otherwise BASE (default HEAD) and ``--to`` (default: the work tree) are git
    revisions of the repository PATHS are in. A first argument that is a file or directory and
    not followed by ``--to`` of one, or a path of HEAD deleted in the work tree that names no
    revision, is a PATH (BASE is then HEAD)."""
    typo = missing_pair(args[0], to) if len(args) == 1 and to is not None else None
    if typo is not None:
        raise SideError(typo)
    if args and os.path.exists(args[0]) and to is not None and os.path.exists(to):
        if len(args) > 1:
            raise click.UsageError("comparing two files or directories takes no further PATHs")
        return directory(args[0], "base"), directory(to, "head")
    if args and (os.path.exists(args[0]) or deleted_path(args[0])):
        rev, paths = "HEAD", list(args)
    else:
        rev, paths = (args[0] if args else "HEAD"), list(args[1:]) or ["."]
    base = read_revision(paths, rev, "base")
    try:
        head = work_tree(paths) if to is None else read_revision(paths, to, "head")
    except BaseException:
        base.close()
        raise
    try:
        check_found(paths, base, head)
    except SideError:
        base.close()
        head.close()
        raise
    return base, head


@click.command()
@click.argument("args", nargs=-1, metavar="[BASE] [PATHS]...")
@click.option("--to", "to", metavar="REV|PATH", help="Compare with this revision (default: the work tree), "
              "or with this file/directory when BASE is one.")
@click.option("--format", "out_fmt", type=click.Choice((*RENDER, *FINDINGS_ONLY)), default="text", show_default=True,
              help="text table, json, markdown (a pull-request comment) or github (annotations on plan lines); "
                   "with --live also junit or sarif, as every reporting command.")
@click.option("--fail-on", "fail_on", default="", metavar="CLASS,...",
              help="Exit 1 when a change of one of these classes is present (e.g. restart,prune,nad).")
@click.option("--live", "live", metavar="FILE|-", default=None,
              help="Check the cluster against the plan (PATHS) instead: what 'kubectl get vm,vmi,"
                   "network-attachment-definitions -A -o yaml' printed, a file or - for stdin.")
@click.option("--kube-version", default=DEFAULTS.kube_version, show_default=True,
              help="Kubernetes version whose schemas core objects are validated against.")
@click.option("--distribution", default=None, help="Override spec.cluster.distribution (both sides).")
def diff(args: tuple[str, ...], to: str | None, out_fmt: str, fail_on: str, live: str | None, kube_version: str,
         distribution: str | None) -> int:
    """Say what a plan change does to running VMs: per VM and object, the effect class
    (none, metadata, live, restart, next-boot, nad, create, prune, address).

    BASE is a git revision (default HEAD) of the repository PATHS (default .) are in, read with
    git without touching the work tree; the head is the work tree, or --to REV. 'kvnet diff
    OLD --to NEW' compares two files or directories. With --live FILE|-, ARGS are PATHS and the
    report is the drift between the plan and the cluster's objects (exit 1 on drift).
    """
    classes = _fail_on(fail_on)
    problem = check_options(kube_version, [], distribution)
    if problem:
        raise click.UsageError(problem)
    options = BuildOptions(kube_version=kube_version, distribution=distribution)
    if live is not None:
        return _live(args, live, out_fmt, options)
    if out_fmt in FINDINGS_ONLY:
        raise click.UsageError(f"--format {out_fmt} is for findings (--live); a change report is text, json, "
                               "markdown or github")
    try:
        base, head = _sides(args, to)
    except SideError as exc:
        return _fail([exc.diag])
    try:
        result = diff_sides(base, head, options)
    finally:
        base.close()
        head.close()
    if result.diagnostics:
        return _fail(result.diagnostics)
    write_stdout(RENDER[out_fmt](result))
    return PROBLEMS if any(c in result.classes() for c in classes) else OK


def _live(paths: tuple[str, ...], dump: str, out_fmt: str, options: BuildOptions) -> int:
    """``--live``: drift findings as every command reports them (stdout, summary line)."""
    if out_fmt == "markdown":
        raise click.UsageError("--live reports findings: --format text, json, github, junit or sarif")
    files, problems = dump_files(dump)
    docs, load_problems = load_inputs(files) if files else ([], problems)
    if any(d.is_error for d in load_problems):
        return _fail(load_problems)
    result = live_check(work_tree(list(paths) or ["."]), docs, options)
    if result.bad_input:
        return _fail(result.diagnostics)
    diags = Report(list(result.diagnostics)).sorted()
    errors, warnings = counts(diags)
    read = f"{dump} ({len(files)} file{'s' if len(files) != 1 else ''})" if os.path.isdir(dump) else dump
    print_report(diags, out_fmt, f"kvnet diff --live: {result.vms} VMs, {result.nads} NADs of the plan against "
                                 f"{read}: {errors} errors, {warnings} warnings\n")
    return exit_code(diags)


def _fail(diags: list[Diagnostic]) -> int:
    """Diagnostics to stderr, nothing on stdout; the exit code they call for."""
    report(diags, "auto")
    return exit_code(diags)
