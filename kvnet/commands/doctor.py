"""``kvnet doctor``: check a node's CNI and Multus setup."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from kvnet.profiles import DISTRIBUTIONS

if TYPE_CHECKING:
    from kvnet.doctor.needs import Needs


@click.command()
@click.option("--root", default="/", show_default=True, type=click.Path(file_okay=False),
              help="The node's filesystem root (e.g. /host when run in a pod with the host mounted).")
@click.option("--distribution", type=click.Choice(DISTRIBUTIONS), default=None,
              help="Profile to check. Default: the plan's spec.cluster.distribution, else detected under "
                   "--root, else generic.")
@click.option("--plan", "plan", type=click.Path(), default=None,
              help="A plan (file or directory): also check the CNI plugins and node bridges it needs.")
@click.option("--flavor", type=click.Choice(("thin", "thick")), default=None,
              help="Multus flavor. Default: the plan's, else what 00-multus names, else thin.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def doctor(root: str, distribution: str | None, plan: str | None, flavor: str | None, fmt: str) -> int:
    """Check a node: Multus binary in the CNI bin dir, the plugins the plan needs,
    00-multus first in the CNI conf dir, the kubeconfig it names, node bridges.

    Every problem comes with the command that fixes it. Exit 1 on any error, 0 when healthy.
    """
    from kvnet.doctor import Needs, diagnose
    from kvnet.doctor.render import render

    if not os.path.isdir(root):
        raise click.UsageError(f"--root: {root}: not a directory")
    needs = Needs()
    if plan is not None:
        loaded = _load_plan(plan)
        if isinstance(loaded, int):
            return loaded
        needs = loaded
    report = diagnose(root, needs, distribution, flavor)
    sys.stdout.write(render(fmt, report))
    sys.stdout.flush()
    return 0 if report.healthy else 1


def _load_plan(path: str) -> int | Needs:
    """The plan's Needs, or an exit code after reporting why it could not be read."""
    from kvnet.commands.common import report
    from kvnet.doctor.needs import plan_needs
    from kvnet.pipeline import BuildOptions, compile_paths

    result = compile_paths([path], BuildOptions(validate_output=False, allow_empty=True))
    if not result.plans:
        report(result.diagnostics, "text")
        return result.exit_code or 1
    return plan_needs(result.plans, path)
