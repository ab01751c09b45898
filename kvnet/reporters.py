"""Formatters for diagnostics: text (default), json, github workflow annotations."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from kvnet.diagnostics import Diagnostic

FORMATS = ("text", "json", "github")


def text(diags: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diags:
        lines.append(f"{d.file}:{d.line}:{d.column}: {d.severity.value}[{d.code}]: {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "".join(line + "\n" for line in lines)


def as_dict(d: Diagnostic) -> dict[str, object]:
    return {"severity": d.severity.value, "code": d.code, "message": d.message, "file": d.file,
            "line": d.line, "column": d.column, "hint": d.hint}


def json_format(diags: Iterable[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diags], indent=2) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github(diags: Iterable[Diagnostic]) -> str:
    out = []
    for d in diags:
        level = "error" if d.is_error else "warning"
        msg = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{level} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
                   f"title={_gh_escape('kvnet ' + d.code, True)}::{_gh_escape(msg)}")
    return "".join(line + "\n" for line in out)


REPORTERS: dict[str, Callable[[Iterable[Diagnostic]], str]] = {
    "text": text,
    "json": json_format,
    "github": github,
}


def render(fmt: str, diags: Iterable[Diagnostic]) -> str:
    return REPORTERS[fmt](list(diags))


def counts(diags: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings) among ``diags``."""
    diags = list(diags)
    errors = sum(1 for d in diags if d.is_error)
    return errors, len(diags) - errors


def summary_line(plans: int, objects: int, diags: Iterable[Diagnostic]) -> str:
    """The last line of a text report (SPEC §5): ``N plans, N objects: N errors, N warnings``.

    The words never change with the numbers ("1 plans"), so scripts can parse the line.
    """
    errors, warnings = counts(diags)
    return f"{plans} plans, {objects} objects: {errors} errors, {warnings} warnings\n"
