"""``kvnet build`` and ``kvnet validate``."""

from __future__ import annotations

import os

import click

from kvnet.commands.common import (
    STRICT_NOTE,
    build_options,
    compile_options,
    ignore_option,
    manifests_option,
    note,
    recursive_option,
    print_report,
    report,
    strict_option,
    write_stdout_yaml,
)
from kvnet.emit import stale_files
from kvnet.exitcodes import OK, PROBLEMS, USAGE, fails_strict
from kvnet.output import OutputError, write_tree
from kvnet.pipeline import compile_paths
from kvnet.rendering import Rendered, files
from kvnet.reporters import summary_line

paths_argument = click.argument("paths", nargs=-1, type=click.Path())


@click.command()
@compile_options
@paths_argument
@recursive_option
@strict_option
@ignore_option
@click.option("-o", "--output-dir", type=click.Path(file_okay=False),
              help="Write one file per object into this directory instead of stdout.")
@click.option("--prune", is_flag=True,
              help="With -o: delete files kvnet wrote there before whose object is no longer emitted.")
@manifests_option
def build(paths: tuple[str, ...], fmt: str, allow_empty: bool, distribution: str | None, kube_version: str,
          crds: tuple[str, ...], recursive: bool, strict: bool, ignore: tuple[str, ...], output_dir: str | None,
          prune: bool, include_manifests: bool) -> int:
    """Compile plans (files, directories of *.yaml; -r: recursively; - for stdin) into manifests on stdout.

    Nothing is written unless every check passed (with --strict: and nothing warned).
    Diagnostics go to stderr; with -o, a line there says how many files were written and pruned.
    """
    if prune and not output_dir:
        raise click.UsageError("--prune needs -o/--output-dir")
    result = compile_paths(list(paths), build_options(kube_version, crds, distribution, allow_empty, recursive,
                                                      manifests=include_manifests, ignore=ignore, render=True))
    report(result.diagnostics, fmt)
    if not result.ok:
        return result.exit_code
    if fails_strict(result.diagnostics, strict):
        click.echo(f"{STRICT_NOTE}; nothing written", err=True)
        return PROBLEMS
    if output_dir:
        return _write_output_dir(result.documents, output_dir, prune)
    write_stdout_yaml(result.documents)
    return OK


def _write_output_dir(documents: list[Rendered], output_dir: str, prune: bool) -> int:
    """``build -o DIR``: one file per object, committed whole with the stale kvnet files deleted
    with ``prune``, else named (kvnet.output.write_tree). Ends with one stderr line:
    ``kvnet: wrote N files to DIR, pruned M``. Returns the exit code (2: DIR cannot be written)."""
    try:
        tree = write_tree(output_dir, files(documents), stale=stale_files, prune=prune)
    except OutputError as exc:
        click.echo(f"kvnet: cannot write the output: {exc}", err=True)
        return USAGE
    if tree.stale and not prune:
        click.echo(f"kvnet: {len(tree.stale)} file(s) in {output_dir} hold objects no longer emitted "
                   f"(e.g. {os.path.basename(tree.stale[0])}); --prune deletes them", err=True)
    note(f"kvnet: wrote {len(tree.written)} files to {output_dir}, pruned {len(tree.pruned)}")
    return OK


def whole_directories(paths: tuple[str, ...]) -> tuple[str, ...]:
    """Each file argument replaced by its directory (kept once, in order)."""
    out: dict[str, None] = {}
    for p in paths:
        out[p if os.path.isdir(p) else (os.path.dirname(p) or ".")] = None
    return tuple(out)


@click.command()
@compile_options
@paths_argument
@recursive_option
@strict_option
@ignore_option
@click.option("--whole-dir", is_flag=True,
              help="Check the whole directory of each FILE given (pre-commit passes only changed files; "
                   "a plan may span several files of its directory).")
@manifests_option
def validate(paths: tuple[str, ...], fmt: str, allow_empty: bool, distribution: str | None, kube_version: str,
             crds: tuple[str, ...], recursive: bool, strict: bool, ignore: tuple[str, ...], whole_dir: bool,
             include_manifests: bool) -> int:
    """Compile and check plans without printing manifests (for pull-request checks).
    PATH: files, directories (-r: recursively), or - for stdin.

    The report goes to stdout in every format; a text report ends with a summary line
    (N plans, N objects: N errors, N warnings). Each directory is checked on its own, as
    the app it is: plans of the same name in dev/ and prod/ do not meet.
    """
    if whole_dir:
        paths = whole_directories(paths)
    options = build_options(kube_version, crds, distribution, allow_empty, recursive, merge_units=False,
                            manifests=include_manifests, ignore=ignore)
    result = compile_paths(list(paths), options)
    print_report(result.diagnostics, fmt, summary_line(len(result.plans), len(result.objects), result.diagnostics))
    if result.ok and fails_strict(result.diagnostics, strict):
        click.echo(STRICT_NOTE, err=True)
        return PROBLEMS
    return result.exit_code
