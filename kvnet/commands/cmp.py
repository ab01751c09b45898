"""``kvnet cmp generate``: the Argo CD Config Management Plugin's generate command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace

import click

from kvnet.commands.common import fails_strict, format_option, resolve_format, write_stdout
from kvnet.diagnostics import Diagnostic


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
    from kvnet.adapters.argocd import SettingsError, app_context, repo_root, settings
    from kvnet.pipeline import BuildOptions, compile_paths
    from kvnet.reporters import render

    env = dict(os.environ)
    app = app_context(env)
    fmt = resolve_format(fmt)
    try:
        conf = settings(env, os.getcwd())
    except SettingsError as exc:
        _fail([app.failure_line(), f"kvnet: {exc}"])
        return 2
    for note in conf.notes:
        _fail([note])
    opts = BuildOptions(kube_version=conf.kube_version, crds=list(conf.crds), allow_empty=conf.allow_empty,
                        distribution=conf.distribution,
                        input_root=repo_root(os.getcwd(), env.get("ARGOCD_APP_SOURCE_PATH", "")))
    result = compile_paths(conf.paths, opts)
    diags = [_for_argocd(d, app.repo_relative) for d in result.diagnostics]
    failed = not result.ok or fails_strict(diags, conf.strict)
    if failed:
        lines = [app.failure_line()]
        if result.ok:
            lines.append("kvnet: warnings fail the generation (strict is set)")
        _fail(lines, render(fmt, diags))
        return result.exit_code or 1
    if diags:
        _fail([], render(fmt, diags))
    from kvnet.emit import to_yaml

    write_stdout(to_yaml(result.objects))
    return 0


def _for_argocd(d: Diagnostic, relative: Callable[[str], str]) -> Diagnostic:
    """File names relative to the repository root; hints in terms of the plugin's parameters."""
    d = replace(d, file=relative(d.file if d.file != "<input>" else "."))
    if d.code == "KV006":
        d = replace(d, hint="Argo CD would prune every object of the app; set the plugin parameter "
                            "allow-empty to 'true' if that is intended")
    return d


def _fail(lines: list[str], rendered: str = "") -> None:
    sys.stderr.write("".join(line + "\n" for line in lines) + rendered)
    sys.stderr.flush()
