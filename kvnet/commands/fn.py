"""``kvnet fn``: kvnet as a KRM function (kustomize --enable-exec, kpt)."""

from __future__ import annotations

import os
import sys

import click

from kvnet.adapters.krm import FnInputs, run
from kvnet.input.bounds import limits
from kvnet.commands.common import build_options, compile_options, write_outcome


@click.command()
@compile_options
def fn(fmt: str, kube_version: str, crds: tuple[str, ...], distribution: str | None, allow_empty: bool) -> int:
    """KRM function: a ResourceList on stdin whose functionConfig is the NetworkPlan.

    Writes the ResourceList with the input items plus the generated objects to
    stdout; problems go to `results` and stderr, with a non-zero exit on errors.
    """
    options = build_options(kube_version, crds, distribution, allow_empty)
    stdin = sys.stdin.buffer.read(limits().file_bytes + 1)
    return write_outcome(run(FnInputs(stdin, os.getcwd()), options), fmt)
