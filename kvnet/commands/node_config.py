"""``kvnet node-config [PATH] --format netplan|networkd -o DIR``: the node bridges and bonds of a
plan as files for the node's own network stack (cloud-init write_files, Ansible), SPEC §9."""

from __future__ import annotations

import click

from kvnet.commands.common import report
from kvnet.exitcodes import OK, PROBLEMS, USAGE
from kvnet.input.model import Plan
from kvnet.nodenet import layout
from kvnet.nodenet.files import file_mode, render_files
from kvnet.options import BuildOptions
from kvnet.output import write_nested
from kvnet.pipeline import compile_paths
from kvnet.reporters import DOCUMENT_FORMATS, FORMAT_CHOICES, resolve_format

FORMATS = ("netplan", "networkd")


@click.command("node-config")
@click.argument("path", required=False, default="kvnet.yaml", type=click.Path())
@click.option("--format", "formats", type=click.Choice((*FORMATS, *FORMAT_CHOICES)), multiple=True,
              help="File format (netplan, networkd; default: the plan's spec.cluster.nodeNetwork when it is one "
                   "of them) and/or diagnostics format (auto, text, json, github, junit, sarif, as every command): "
                   "give --format twice for both.")
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write the files into, laid out as the node's root (etc/netplan, "
                   "etc/systemd/network); created, its files replaced as one set.")
def node_config(path: str, formats: tuple[str, ...], output_dir: str) -> int:
    """Write PATH's node bridges (uplink, VLAN filtering, trunked VLANs) and bonds as netplan or
    systemd-networkd files. Copy the tree onto the node's / and run `netplan apply` or
    `networkctl reload`; `kvnet build` with nodeNetwork netplan|networkd also emits a DaemonSet
    that does it on the selected nodes."""
    fmt, diag_fmt = _formats(formats)
    result = compile_paths([path], BuildOptions(validate_output=False, allow_empty=True))
    if result.diagnostics or resolve_format(diag_fmt) in DOCUMENT_FORMATS:
        report(result.diagnostics, diag_fmt)
    if result.exit_code != OK or not result.plans:
        return result.exit_code or PROBLEMS
    files = _files(result.plans, fmt)
    # kvnet.output: the files as one set (a staging tree beside DIR, swapped in), as build -o writes;
    # a directory that cannot be written is one line and exit 2, never an internal error
    written = write_nested(output_dir, files) if files else []
    if resolve_format(diag_fmt) not in DOCUMENT_FORMATS:  # stderr is then one json/junit/sarif document
        for target in written:
            click.echo(f"wrote {target}", err=True)
    return OK if written else USAGE


def _files(plans: list[Plan], fmt: str | None) -> dict[str, tuple[str, int]]:
    """Node-root-relative path -> (text, mode) of every plan's files in ``fmt`` (else its
    nodeNetwork; neither netplan nor networkd: a usage error)."""
    files: dict[str, tuple[str, int]] = {}
    for plan in plans:
        chosen = fmt or (plan.cluster or {}).get("nodeNetwork")
        if chosen not in FORMATS:
            raise click.UsageError(f"plan {plan.name}: give --format netplan|networkd (its spec.cluster.nodeNetwork "
                                   f"is {chosen or 'not set'})")
        # netplan wants its YAML readable by root only; systemd-networkd reads its files as the
        # systemd-network user, so they (and netplan's drop-ins) must be world-readable
        rendered = render_files(chosen, layout(plan), plan.name)
        files.update((rel, (text, file_mode(rel))) for rel, text in rendered.items())
    return files


def _formats(given: tuple[str, ...]) -> tuple[str | None, str]:
    """(file format or None, diagnostics format) of the ``--format`` values: at most one of each."""
    files = [f for f in given if f in FORMATS]
    diags = [f for f in given if f not in FORMATS]
    for kind, values in (("file", files), ("diagnostics", diags)):
        if len(set(values)) > 1:
            raise click.UsageError(f"--format: one {kind} format, not {' and '.join(dict.fromkeys(values))}")
    return (files[0] if files else None), (diags[0] if diags else "auto")
