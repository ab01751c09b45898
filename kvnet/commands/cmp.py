"""``kvnet cmp generate``: the Argo CD Config Management Plugin's generate command."""

from __future__ import annotations

import os

import click

from kvnet.adapters.argocd import CmpInputs, run
from kvnet.commands.common import environment, format_option, write_outcome
from kvnet.options import BuildOptions


@click.group()
def cmp() -> None:
    """Argo CD Config Management Plugin (sidecar) entry points."""


@cmp.command()
@format_option
def generate(fmt: str) -> int:
    """Compile the plan in the app directory for Argo CD: manifests on stdout, nothing else.

    Run by argocd-cmp-server in the Application's source directory. Settings come
    from ARGOCD_APP_PARAMETERS and ARGOCD_ENV_KVNET_* (see docs/gitops.md). On
    failure stdout stays empty and stderr's first line names the app, its path
    and revision.
    """
    return write_outcome(run(CmpInputs(environment(), os.getcwd()), BuildOptions()), fmt)
