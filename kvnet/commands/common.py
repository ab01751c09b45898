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


def strict_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--strict``: warnings fail the command (exit 1), as errors do (SPEC §5)."""
    return click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")(f)


def fails_strict(diags: Iterable[Diagnostic], strict: bool) -> bool:
    """True when ``strict`` is set and ``diags`` hold a warning (errors fail anyway)."""
    return strict and any(not d.is_error for d in diags)


STRICT_NOTE = "kvnet: warnings fail with --strict"


def print_report(diags: Iterable[Diagnostic], fmt: str, summary: str | None = None) -> None:
    """A command whose output *is* the report (``validate``, ``lint``): the report on stdout
    in every format (SPEC §5); a text report ends with ``summary`` (see
    :func:`kvnet.reporters.summary_line`). json is always a list, github only annotations."""
    from kvnet.reporters import render

    diags = list(diags)
    fmt = resolve_format(fmt)
    text = render(fmt, diags) if (diags or fmt == "json") else ""
    if fmt == "text" and summary:
        text += summary
    write_stdout(text)


def write_stdout(text: str) -> None:
    """Write a command's whole result to stdout (see :func:`kvnet.output.write_stdout`)."""
    from kvnet.output import write_stdout as write

    write(text)
