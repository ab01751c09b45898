"""``kvnet check-rendered``: fail when committed rendered output is stale (pre-commit, CI)."""

from __future__ import annotations

import click

from kvnet.commands.common import format_option, report, write_stdout
from kvnet.options import DEFAULT_KUBE_VERSION


@click.command("check-rendered")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rendered", "rendered_name", default="rendered.yaml", show_default=True,
              help="File, relative to each plan directory, that holds the committed `kvnet build` output.")
@click.option("--fix", is_flag=True, help="Rewrite stale or missing rendered files (still exits 1).")
@click.option("--kube-version", default=DEFAULT_KUBE_VERSION, show_default=True,
              help="Kubernetes version whose schemas core objects are validated against.")
@click.option("--distribution", default=None, help="Override spec.cluster.distribution.")
@click.option("--crd", "crds", multiple=True, type=click.Path(dir_okay=False),
              help="Also validate emitted objects against this CRD file (repeatable).")
@click.option("--allow-empty", is_flag=True, help="Succeed even when nothing is emitted.")
@format_option
def check_rendered(paths: tuple[str, ...], rendered_name: str, fix: bool, kube_version: str,
                   distribution: str | None, crds: tuple[str, ...], allow_empty: bool, fmt: str) -> int:
    """Compare `kvnet build DIR` with DIR/rendered.yaml for each plan directory.

    PATHS are plan files or directories (a file stands for its directory, so
    pre-commit can pass the changed files); each directory is compiled on its
    own. Prints a unified diff for each stale file and exits 1.
    """
    from kvnet.adapters.rendered import check_dir, plan_dirs, write_expected
    from kvnet.options import check_options
    from kvnet.pipeline import BuildOptions

    problem = check_options(kube_version, crds, distribution)
    if problem:
        raise click.UsageError(problem)
    opts = BuildOptions(kube_version=kube_version, crds=list(crds), allow_empty=allow_empty,
                        distribution=distribution)
    worst = 0
    for directory in plan_dirs(paths):
        check = check_dir(directory, rendered_name, opts)
        report(check.diagnostics, fmt)
        if check.diff:
            write_stdout(check.diff)
        if fix and check.exit_code == 1 and check.expected is not None:
            write_expected(check)
            click.echo(f"kvnet: rewrote {check.rendered}", err=True)
        worst = max(worst, check.exit_code)
    return worst
