"""``kvnet node-config [PATH] --format netplan|networkd -o DIR``: the node bridges and bonds of a
plan as files for the node's own network stack (cloud-init write_files, Ansible), SPEC §9."""

from __future__ import annotations

import os

import click

from kvnet.commands.common import report
from kvnet.exitcodes import OK, PROBLEMS, USAGE
from kvnet.nodenet import layout
from kvnet.nodenet.files import file_mode, render_files
from kvnet.options import BuildOptions
from kvnet.output import make_dirs, write_file
from kvnet.pipeline import compile_paths

FORMATS = ("netplan", "networkd")


@click.command("node-config")
@click.argument("path", required=False, default="kvnet.yaml", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format. Default: the plan's spec.cluster.nodeNetwork when it is netplan or networkd.")
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write the files into, laid out as the node's root (etc/netplan, "
                   "etc/systemd/network); created.")
def node_config(path: str, fmt: str | None, output_dir: str) -> int:
    """Write PATH's node bridges (uplink, VLAN filtering, trunked VLANs) and bonds as netplan or
    systemd-networkd files. Copy the tree onto the node's / and run `netplan apply` or
    `networkctl reload`; `kvnet build` with nodeNetwork netplan|networkd also emits a DaemonSet
    that does it on the selected nodes."""
    result = compile_paths([path], BuildOptions(validate_output=False, allow_empty=True))
    if result.diagnostics:
        report(result.diagnostics, "text")
    if result.exit_code != OK or not result.plans:
        return result.exit_code or PROBLEMS
    written: list[str] = []
    for plan in result.plans:
        chosen = fmt or (plan.cluster or {}).get("nodeNetwork")
        if chosen not in FORMATS:
            raise click.UsageError(f"plan {plan.name}: give --format netplan|networkd (its spec.cluster.nodeNetwork "
                                   f"is {chosen or 'not set'})")
        for rel, text in render_files(chosen, layout(plan), plan.name).items():
            target = os.path.join(output_dir, rel)
            # kvnet.output: a directory or file that cannot be written is one line and exit 2, never
            # an internal error; each file is replaced atomically. netplan wants its YAML readable by
            # root only; systemd-networkd reads its files as the systemd-network user, so they (and
            # netplan's drop-ins) must be world-readable
            make_dirs(os.path.dirname(target))
            write_file(target, text, mode=file_mode(rel))
            written.append(target)
    for target in written:
        click.echo(f"wrote {target}", err=True)
    return OK if written else USAGE
