"""``kvnet build`` and ``kvnet validate``."""

from __future__ import annotations

import os
from typing import Any

import click

from kvnet.commands.common import (
    STRICT_NOTE,
    fails_strict,
    format_option,
    print_report,
    report,
    strict_option,
    write_stdout,
)
from kvnet.options import DEFAULT_KUBE_VERSION


def _options(f: Any) -> Any:
    f = click.option("--crd", "crds", multiple=True, type=click.Path(dir_okay=False),
                     help="Also validate emitted objects against this CRD file (repeatable).")(f)
    f = click.option("--kube-version", default=DEFAULT_KUBE_VERSION, show_default=True,
                     help="Kubernetes version whose schemas core objects are validated against.")(f)
    f = click.option("--distribution", default=None,
                     help="Override spec.cluster.distribution.")(f)
    f = click.option("--allow-empty", is_flag=True, help="Succeed even when nothing is emitted.")(f)
    f = format_option(f)
    f = click.argument("paths", nargs=-1, type=click.Path())(f)
    return f


def _compile(paths: tuple[str, ...], kube_version: str, crds: tuple[str, ...], distribution: str | None,
             allow_empty: bool, fmt: str, merge_units: bool = True) -> Any:
    from kvnet.options import check_options
    from kvnet.pipeline import BuildOptions, compile_paths

    problem = check_options(kube_version, crds, distribution)
    if problem:
        raise click.UsageError(problem)
    opts = BuildOptions(kube_version=kube_version, crds=list(crds), allow_empty=allow_empty,
                        distribution=distribution, merge_units=merge_units)
    return compile_paths(list(paths), opts)


@click.command()
@_options
@strict_option
@click.option("-o", "--output-dir", type=click.Path(file_okay=False),
              help="Write one file per object into this directory instead of stdout.")
@click.option("--prune", is_flag=True,
              help="With -o: delete files kvnet wrote there before whose object is no longer emitted.")
def build(paths: tuple[str, ...], fmt: str, allow_empty: bool, distribution: str | None, kube_version: str,
          crds: tuple[str, ...], strict: bool, output_dir: str | None, prune: bool) -> int:
    """Compile plans (files, or directories of *.yaml) into manifests on stdout.

    Nothing is written unless every check passed (with --strict: and nothing warned).
    Diagnostics go to stderr; with -o, a line there says how many files were written and pruned.
    """
    if prune and not output_dir:
        raise click.UsageError("--prune needs -o/--output-dir")
    result = _compile(paths, kube_version, crds, distribution, allow_empty, fmt)
    report(result.diagnostics, fmt)
    if not result.ok:
        return result.exit_code
    if fails_strict(result.diagnostics, strict):
        click.echo(f"{STRICT_NOTE}; nothing written", err=True)
        return 1
    from kvnet.emit import to_yaml

    if output_dir:
        return _write_output_dir(result.objects, output_dir, prune)
    write_stdout(to_yaml(result.objects))
    return 0


def _write_output_dir(objects: list[dict[str, Any]], output_dir: str, prune: bool) -> int:
    """``build -o DIR``: one file per object, committed whole with the stale kvnet files deleted
    with ``prune``, else named (kvnet.output.write_tree). Ends with one stderr line:
    ``kvnet: wrote N files to DIR, pruned M``. Returns the exit code (2: DIR cannot be written)."""
    from kvnet.emit import object_files, stale_files
    from kvnet.output import OutputError, write_tree

    try:
        tree = write_tree(output_dir, object_files(objects), stale=stale_files, prune=prune)
    except OutputError as exc:
        click.echo(f"kvnet: cannot write the output: {exc}", err=True)
        return 2
    if tree.stale and not prune:
        click.echo(f"kvnet: {len(tree.stale)} file(s) in {output_dir} hold objects no longer emitted "
                   f"(e.g. {os.path.basename(tree.stale[0])}); --prune deletes them", err=True)
    click.echo(f"kvnet: wrote {len(tree.written)} files to {output_dir}, pruned {len(tree.pruned)}", err=True)
    return 0


def whole_directories(paths: tuple[str, ...]) -> tuple[str, ...]:
    """Each file argument replaced by its directory (kept once, in order)."""
    out: dict[str, None] = {}
    for p in paths:
        out[p if os.path.isdir(p) else (os.path.dirname(p) or ".")] = None
    return tuple(out)


@click.command()
@_options
@strict_option
@click.option("--whole-dir", is_flag=True,
              help="Check the whole directory of each FILE given (pre-commit passes only changed files; "
                   "a plan may span several files of its directory).")
def validate(paths: tuple[str, ...], fmt: str, allow_empty: bool, distribution: str | None, kube_version: str,
             crds: tuple[str, ...], strict: bool, whole_dir: bool) -> int:
    """Compile and check plans without printing manifests (for pull-request checks).

    The report goes to stdout in every format; a text report ends with a summary line
    (N plans, N objects: N errors, N warnings). Each directory is checked on its own, as
    the app it is: plans of the same name in dev/ and prod/ do not meet.
    """
    from kvnet.reporters import summary_line

    if whole_dir:
        paths = whole_directories(paths)
    result = _compile(paths, kube_version, crds, distribution, allow_empty, fmt, merge_units=False)
    print_report(result.diagnostics, fmt, summary_line(len(result.plans), len(result.objects), result.diagnostics))
    if result.ok and fails_strict(result.diagnostics, strict):
        click.echo(STRICT_NOTE, err=True)
        return 1
    return result.exit_code
