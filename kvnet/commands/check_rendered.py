"""``kvnet check-rendered``: fail when committed rendered output is stale (pre-commit, CI)."""

from __future__ import annotations

import click

from kvnet.adapters.rendered import DEFAULT_RENDERED, RenderedInputs, run
from kvnet.commands.common import brief_option, brief_plan_errors, build_options, compile_options, report, write_stdout
from kvnet.output import write_file

OWN = ("KV000", "KV960", "KV961")  # what check-rendered itself finds (KV000: a rendered file it cannot read)


@click.command("check-rendered")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rendered", "rendered_name", default=DEFAULT_RENDERED, show_default=True,
              help="File, relative to each plan directory, that holds the committed `kvnet build` output.")
@click.option("--fix", is_flag=True, help="Rewrite stale or missing rendered files (still exits 1).")
@compile_options
@brief_option
def check_rendered(paths: tuple[str, ...], rendered_name: str, fix: bool, kube_version: str,
                   distribution: str | None, crds: tuple[str, ...], allow_empty: bool, fmt: str, brief: bool) -> int:
    """Compare `kvnet build DIR` with DIR/rendered.yaml for each plan directory.

    PATHS are plan files or directories (a file stands for its directory, so
    pre-commit can pass the changed files); each directory is compiled on its
    own. Prints a unified diff for each stale file and exits 1.
    """
    options = build_options(kube_version, crds, distribution, allow_empty)
    outcome = run(RenderedInputs(paths, rendered_name, fix), options)
    report(brief_plan_errors(outcome.diagnostics, OWN) if brief else outcome.diagnostics, fmt)
    if outcome.stdout:
        write_stdout(outcome.stdout)
    for path, text in outcome.files.items():
        write_file(path, text)
        click.echo(f"kvnet: rewrote {path}", err=True)
    return outcome.exit_code
