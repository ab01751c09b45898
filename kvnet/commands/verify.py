"""``kvnet verify``: run NAD configs through the real CNI plugins (root)."""

from __future__ import annotations

import sys

import click

from kvnet.commands.common import format_option
from kvnet.verify.command import run_verify


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--cni-bin-dir", default=None, metavar="DIR",
              help="CNI plugin directory (default: the first of /opt/cni/bin, /usr/lib/cni with plugins).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=4, show_default=True,
              help="NADs verified in parallel.")
@format_option
def verify(paths: tuple[str, ...], cni_bin_dir: str | None, jobs: int, fmt: str) -> int:
    """Run every NAD's spec.config through the real CNI plugins (ADD, CHECK, DEL).

    PATHs are kvnet plans or NetworkAttachmentDefinition manifests (files, or directories
    of *.yaml). Each NAD runs in throwaway network namespaces with stand-in uplinks; the
    host's interfaces are never touched. Needs root and the reference CNI plugins.
    """

    return run_verify(list(paths), cni_bin_dir, jobs, fmt, sys.stdout, sys.stderr)
