"""``kvnet fn``: kvnet as a KRM function (kustomize --enable-exec, kpt)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from kvnet.commands.common import format_option, resolve_format, write_stdout
from kvnet.options import DEFAULT_KUBE_VERSION

if TYPE_CHECKING:
    from kvnet.adapters.krm import FnOutcome


@click.command()
@format_option
@click.option("--kube-version", default=DEFAULT_KUBE_VERSION, show_default=True,
              help="Kubernetes version whose schemas core objects are validated against.")
@click.option("--distribution", default=None, help="Override spec.cluster.distribution.")
@click.option("--allow-empty", is_flag=True, help="Succeed even when nothing is emitted.")
def fn(fmt: str, kube_version: str, distribution: str | None, allow_empty: bool) -> int:
    """KRM function: a ResourceList on stdin whose functionConfig is the NetworkPlan.

    Writes the ResourceList with the input items plus the generated objects to
    stdout; problems go to `results` and stderr, with a non-zero exit on errors.
    """
    from kvnet.adapters.krm import MAX_INPUT_BYTES, run
    from kvnet.options import check_options
    from kvnet.pipeline import BuildOptions

    problem = check_options(kube_version, (), distribution)
    if problem:
        raise click.UsageError(problem)
    raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        outcome = _unreadable(f"stdin is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            outcome = _unreadable(f"stdin is not UTF-8 ({exc.reason} at byte {exc.start})")
        else:
            opts = BuildOptions(kube_version=kube_version, allow_empty=allow_empty, distribution=distribution)
            outcome = run(text, opts, os.getcwd())
    _report(outcome, resolve_format(fmt))
    if outcome.stdout:
        write_stdout(outcome.stdout)
    return outcome.exit_code


def _unreadable(message: str) -> FnOutcome:
    from kvnet.adapters.krm import FnOutcome
    from kvnet.diagnostics import Loc, error

    return FnOutcome(diagnostics=[error("KV980", message, Loc("<stdin>"))], exit_code=2)


def _report(outcome: FnOutcome, fmt: str) -> None:
    from kvnet.adapters.plandoc import Located, render_located
    from kvnet.reporters import render

    if not outcome.diagnostics:
        return
    if outcome.fields:
        text = render_located(fmt, [Located(d, outcome.fields.get(d)) for d in outcome.diagnostics])
    else:
        text = render(fmt, outcome.diagnostics)
    sys.stderr.write(text)
    sys.stderr.flush()
