"""``kvnet kustomize``: install and run kvnet as a kustomize exec plugin (legacy generator)."""

from __future__ import annotations

import os
import sys

import click

from kvnet.adapters.kustomize import ExecInputs, install, plugin_home, run
from kvnet.commands.common import format_option, write_outcome
from kvnet.options import BuildOptions


@click.group()
def kustomize() -> None:
    """kustomize exec plugin: a NetworkPlan file as a `generators:` entry.

    Install once with `kvnet kustomize install-plugin`, then build with
    `kustomize build --enable-alpha-plugins` (or `kubectl kustomize --enable-alpha-plugins`).
    """


@kustomize.command("install-plugin")
@click.option("--plugin-home", "home_option", type=click.Path(file_okay=False),
              help="kustomize plugin home (default: $KUSTOMIZE_PLUGIN_HOME, $XDG_CONFIG_HOME/kustomize/plugin "
                   "or ~/.config/kustomize/plugin).")
def install_plugin(home_option: str | None) -> int:
    """Put the exec plugin at <plugin home>/kvnet.dev/v1alpha1/networkplan/NetworkPlan."""
    home = plugin_home(dict(os.environ), home_option)
    try:
        path = install(home, sys.executable)
    except OSError as exc:
        click.echo(f"kvnet: cannot install the plugin under {home}: {exc.strerror or exc}", err=True)
        return 2
    click.echo(path)
    if not home_option and "KUSTOMIZE_PLUGIN_HOME" not in os.environ:
        click.echo(f"kvnet: installed into kustomize's default plugin home {home}", err=True)
    return 0


@kustomize.command("exec", hidden=True, context_settings={"ignore_unknown_options": True})
@format_option
@click.argument("config", type=click.Path(dir_okay=False))
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def exec_plugin(config: str, extra: tuple[str, ...], fmt: str) -> int:
    """Run as the exec plugin: CONFIG is kustomize's temp copy of the plan (cwd: the kustomization)."""
    return write_outcome(run(ExecInputs(config, os.getcwd()), BuildOptions()), fmt)
