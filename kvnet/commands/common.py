"""Shared pieces of the commands: options, format choice, diagnostics output."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable

import click

from kvnet.diagnostics import Diagnostic

FORMAT_CHOICES = ("auto", "text", "json", "github")


def resolve_format(fmt: str) -> str:
    """``auto`` means github workflow annotations under GitHub Actions, else text."""
    if fmt == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto",
                        show_default=True, help="Diagnostics format (auto: github under GitHub Actions).")(f)


def report(diags: Iterable[Diagnostic], fmt: str) -> None:
    from kvnet.reporters import render

    diags = list(diags)
    fmt = resolve_format(fmt)
    if fmt == "json":
        sys.stderr.write(render("json", diags))
    elif diags:
        sys.stderr.write(render(fmt, diags))
    sys.stderr.flush()


def write_stdout(text: str) -> None:
    """Write a command's whole result in one go (a SIGTERM from here on is ignored)."""
    from kvnet.signals import output_started

    output_started()
    out = sys.stdout
    out.write(text)
    out.flush()
