"""``kvnet doctor``: check a node's CNI and Multus setup."""

from __future__ import annotations

import os
import sys

import click

from kvnet.commands.common import format_option, report
from kvnet.doctor import Needs, diagnose
from kvnet.doctor.needs import plan_needs
from kvnet.doctor.render import render
from kvnet.doctor.tools import Tools
from kvnet.diagnostics import Diagnostic
from kvnet.doctor.vlanstate import VlanState, read_file, read_live
from kvnet.exitcodes import OK, PROBLEMS, USAGE
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_paths
from kvnet.profiles import DISTRIBUTIONS
from kvnet.reporters import resolve_format


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
@click.option("--bridge-vlan", "bridge_vlan", type=click.Path(dir_okay=False), default=None,
              help="'bridge -j vlan show' output recorded on the node (default: run it when --root is /).")
@click.option("--host-tools", is_flag=True,
              help="Run the node's own 'bridge' and 'ovs-vsctl' inside --root (chroot): for doctor in a pod "
                   "with hostNetwork and the node's / at --root, whose image has neither.")
@format_option
def doctor(root: str, distribution: str | None, plan: str | None, flavor: str | None, bridge_vlan: str | None,
           host_tools: bool, fmt: str) -> int:
    """Check a node: Multus binary in the CNI bin dir, the plugins the plan needs,
    00-multus first in the CNI conf dir, the kubeconfig it names, node bridges.

    Every problem comes with the command that fixes it. Exit 1 on any error, 0 when healthy.
    """
    if not os.path.isdir(root):
        raise click.UsageError(f"--root: {root}: not a directory")
    needs = Needs()
    if plan is not None:
        loaded = _load_plan(plan, fmt)
        if isinstance(loaded, int):
            return loaded
        needs = loaded
    tools = Tools(os.path.abspath(root)) if host_tools and os.path.realpath(root) != "/" else Tools()
    vlan_state = _vlan_state(root, needs, bridge_vlan, tools)
    if isinstance(vlan_state, Diagnostic):
        report([vlan_state], fmt)
        return USAGE
    node = diagnose(root, needs, distribution, flavor, vlan_state, tools)
    sys.stdout.write(render(resolve_format(fmt), node))
    sys.stdout.flush()
    return OK if node.healthy else PROBLEMS


def _vlan_state(root: str, needs: Needs, recorded: str | None, tools: Tools) -> VlanState | str | Diagnostic | None:
    """The bridge ports' VLANs: the recorded file, else ``bridge -j vlan show`` when the node checked
    is this machine (``--root /``) or ``tools`` run the node's own (``--host-tools``: doctor shares
    the node's network), else why they cannot be read; None when no bridge uses a VLAN."""
    if recorded is not None:
        return read_file(recorded)
    if not needs.vlans:
        return None
    if os.path.realpath(root) == "/" or tools.chroot is not None:
        return read_live(tools)
    return f"--root {root} is not this machine's network, and neither --bridge-vlan nor --host-tools was given"


def _load_plan(path: str, fmt: str) -> int | Needs:
    """The plan's Needs (its problems reported in ``fmt``), or an exit code when it could not be read."""
    result = compile_paths([path], BuildOptions(validate_output=False, allow_empty=True))
    if result.diagnostics:
        report(result.diagnostics, fmt)  # the plan's own problems, as build reports them
    if not result.plans:
        return result.exit_code or PROBLEMS
    return plan_needs(result.plans, path)
