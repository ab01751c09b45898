"""``kvnet kustomize``: install and run kvnet as a kustomize exec plugin (legacy generator)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from kvnet.commands.common import format_option, resolve_format, write_stdout

if TYPE_CHECKING:
    from kvnet.adapters.kustomize import ExecOutcome


@click.group()
def kustomize() -> None:
    """kustomize exec plugin: a NetworkPlan file as a `generators:` entry.

    Install once with `kvnet kustomize install-plugin`, then build with
    `kustomize build --enable-alpha-plugins` (or `kubectl kustomize --enable-alpha-plugins`).
    """


@kustomize.command("install-plugin")
@click.option("--plugin-home", type=click.Path(file_okay=False),
              help="kustomize plugin home (default: $KUSTOMIZE_PLUGIN_HOME, $XDG_CONFIG_HOME/kustomize/plugin "
                   "or ~/.config/kustomize/plugin).")
def install_plugin(plugin_home: str | None) -> int:
    """Put the exec plugin at <plugin home>/kvnet.dev/v1alpha1/networkplan/NetworkPlan."""
    from kvnet.adapters.kustomize import install
    from kvnet.adapters.kustomize import plugin_home as resolve_home

    home = resolve_home(dict(os.environ), plugin_home)
    try:
        path = install(home, sys.executable)
    except OSError as exc:
        click.echo(f"kvnet: cannot install the plugin under {home}: {exc.strerror or exc}", err=True)
        return 2
    click.echo(path)
    if not plugin_home and "KUSTOMIZE_PLUGIN_HOME" not in os.environ:
        click.echo(f"kvnet: installed into kustomize's default plugin home {home}", err=True)
    return 0


@kustomize.command("exec", hidden=True, context_settings={"ignore_unknown_options": True})
@format_option
@click.argument("config", type=click.Path(dir_okay=False))
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def exec_plugin(config: str, extra: tuple[str, ...], fmt: str) -> int:
    """Run as the exec plugin: CONFIG is kustomize's temp copy of the plan (cwd: the kustomization)."""
    from kvnet.adapters.kustomize import run_exec
    from kvnet.pipeline import BuildOptions

    fmt = resolve_format(fmt)
    outcome = run_exec(config, os.getcwd(), BuildOptions())
    if outcome.diagnostics:
        _report(outcome, fmt)
    if outcome.exit_code:
        return outcome.exit_code
    from kvnet.emit import to_yaml

    write_stdout(to_yaml(outcome.objects))
    return 0


def _report(outcome: ExecOutcome, fmt: str) -> None:
    from kvnet.adapters.plandoc import locate, render_located
    from kvnet.reporters import render

    if outcome.located or outcome.doc is None:
        text = render(fmt, outcome.diagnostics)
    else:
        text = render_located(fmt, locate(outcome.diagnostics, outcome.doc))
    sys.stderr.write(text)
    sys.stderr.flush()
