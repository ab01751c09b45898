"""The one set of reporters: how a Diagnostic is written, whoever writes it.

``build``, ``validate``, ``check-rendered``, ``verify``, ``doctor --plan`` and the adapters
(Argo CD CMP, kustomize exec plugin, KRM function) all render diagnostics here, so a
problem reads the same everywhere:

* ``text``: ``FILE:LINE:COL: error[KVnnn]: message`` and an indented ``hint:`` line;
* ``json``: a list of ``{severity, code, message, file, line, column, hint}``;
* ``github``: GitHub Actions workflow commands (``::error file=…,line=…,col=…,title=kvnet KVnnn::…``,
  see https://docs.github.com/actions/reference/workflow-commands-for-github-actions);
* ``junit``: JUnit XML (one ``<testcase>`` per diagnostic, an error as its ``<failure>``, a
  warning as its ``<system-out>``; a clean run is one passing test case), as kubeconform writes it;
* ``sarif``: SARIF 2.1.0 (OASIS; GitHub code scanning reads it): one run, the codes reported as
  ``tool.driver.rules`` with their registry summary, each diagnostic a ``result``;
* the field-path form: a diagnostic with ``line == 0`` has no position in a file the user
  can open (kustomize and kpt hand kvnet a re-serialised copy of the plan); it is written
  ``FILE: FIELD: error[KVnnn]: message`` (json: ``line``/``column`` null plus ``field``;
  github: no file property), and :func:`krm_result` turns it into a KRM function result.

verify's per-NAD table and doctor's findings have their own layout but build their
GitHub annotations with :func:`annotation`, so every annotation kvnet writes has one form.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from kvnet.diagnostics import Diagnostic
from kvnet.reporters_ci import Case, has_position, junit, junit_cases, sarif, sarif_location, sarif_log, where

FORMATS = ("text", "json", "github", "junit", "sarif")
FORMAT_CHOICES = ("auto", *FORMATS)


def resolve_format(fmt: str, env: Mapping[str, str] | None = None) -> str:
    """``auto`` means GitHub annotations under GitHub Actions (``GITHUB_ACTIONS=true``), else text."""
    if fmt == "auto":
        env = os.environ if env is None else env
        return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m"}  # bold red, bold yellow (ECMA-48 SGR)
RESET = "\033[0m"


def use_colour(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Colour for text written to ``stream`` (stderr by default): only on a terminal, never with
    ``NO_COLOR`` set to anything non-empty (https://no-color.org), always with ``FORCE_COLOR``
    non-empty (and not ``0``); ``TERM=dumb`` turns it off."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR") not in (None, "", "0"):
        return True
    stream = sys.stderr if stream is None else stream
    try:
        return stream.isatty() and env.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _severity(d: Diagnostic, colour: bool) -> str:
    word = d.severity.value
    return f"{COLOURS[word]}{word}{RESET}" if colour else word


def text(diags: Iterable[Diagnostic], colour: bool = False) -> str:
    """One ``WHERE: severity[code]: message`` line per diagnostic, each hint indented below it
    (``colour``: the severity word in red or yellow)."""
    lines = []
    for d in diags:
        lines.append(f"{where(d)}: {_severity(d, colour)}[{d.code}]: {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "".join(line + "\n" for line in lines)


def as_dict(d: Diagnostic) -> dict[str, object]:
    """The JSON form of one diagnostic (field-path form: null line and column, plus ``field``)."""
    row: dict[str, object] = {"severity": d.severity.value, "code": d.code, "message": d.message,
                              "file": d.file, "line": d.line, "column": d.column, "hint": d.hint}
    if not has_position(d):
        row.update(line=None, column=None, field=d.field)
    return row


def json_format(diags: Iterable[Diagnostic]) -> str:
    """A JSON list of :func:`as_dict` rows (``[]`` when there is nothing)."""
    return json.dumps([as_dict(d) for d in diags], indent=2) + "\n"


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped as GitHub's toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None,
               column: int | None = None, title: str | None = None) -> str:
    """One GitHub workflow command line (no newline): ``::LEVEL file=…,line=…,col=…,title=…::message``.

    ``level`` is ``error``, ``warning`` or ``notice``; properties that are None are left out.
    """
    props = [f"{key}={escape_property(str(value))}"
             for key, value in (("file", file), ("line", line), ("col", column), ("title", title))
             if value is not None]
    return f"::{level}{' ' + ','.join(props) if props else ''}::{escape_data(message)}"


def github(diags: Iterable[Diagnostic]) -> str:
    """One annotation per diagnostic, titled ``kvnet KVnnn``; the hint on the message's second line."""
    out = []
    for d in diags:
        level = "error" if d.is_error else "warning"
        msg = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        if has_position(d):
            out.append(annotation(level, msg, file=d.file, line=d.line, column=d.column, title=f"kvnet {d.code}"))
        else:
            out.append(annotation(level, f"{where(d)}: {msg}", title=f"kvnet {d.code}"))
    return "".join(line + "\n" for line in out)


__all__ = ["Case", "junit_cases", "sarif_location", "sarif_log"]  # for doctor's and verify's own reports

REPORTERS: dict[str, Callable[[Iterable[Diagnostic]], str]] = {
    "text": text,
    "json": json_format,
    "github": github,
    "junit": junit,
    "sarif": sarif,
}

# Formats that are one document whatever happens: written even when there is nothing to say.
DOCUMENT_FORMATS = ("json", "junit", "sarif")


def render(fmt: str, diags: Iterable[Diagnostic], colour: bool = False) -> str:
    """``diags`` in format ``fmt`` (one of FORMATS; resolve ``auto`` first); ``colour`` only
    matters to text (see :func:`use_colour`)."""
    if fmt == "text":
        return text(list(diags), colour)
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


def krm_result(d: Diagnostic, resource_ref: dict[str, Any]) -> dict[str, Any]:
    """A KRM function result (``config.kubernetes.io/v1`` ResourceList ``results`` entry, see
    https://github.com/kubernetes-sigs/kustomize/blob/master/cmd/config/docs/api-conventions/functions-spec.md):
    severity, ``KVnnn: message (hint: …)``, resourceRef, field.path, file.path, tags."""
    message = f"{d.code}: {d.message}" + (f" (hint: {d.hint})" if d.hint else "")
    res: dict[str, Any] = {"message": message, "severity": "error" if d.is_error else "warning",
                           "resourceRef": resource_ref}
    if d.field:
        res["field"] = {"path": d.field}
    if not d.file.startswith(("NetworkPlan/", "<")):
        res["file"] = {"path": d.file}
    res["tags"] = {"kvnet.dev/code": d.code}
    if has_position(d):
        res["tags"]["kvnet.dev/line"] = str(d.line)
    return res
