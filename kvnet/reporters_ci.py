"""The CI formats of :mod:`kvnet.reporters`: JUnit XML and SARIF 2.1.0 (listed there in
``REPORTERS``; kept here so each module stays small). Also the two helpers every format
shares: :func:`has_position` and :func:`where`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from kvnet.record import dataclass
from typing import Any
from urllib.parse import quote

from kvnet import __version__
from kvnet.codes import lookup
from kvnet.diagnostics import Diagnostic


def has_position(d: Diagnostic) -> bool:
    """False for the field-path form (line 0: the file the user sees is not the one read)."""
    return d.line > 0


def where(d: Diagnostic) -> str:
    """``FILE:LINE:COL``, or ``FILE: FIELD`` / ``FILE`` in the field-path form."""
    if has_position(d):
        return f"{d.file}:{d.line}:{d.column}"
    return f"{d.file}: {d.field}" if d.field else d.file


@dataclass(frozen=True)
class Case:
    """One JUnit test case: ``status`` passed, failed or skipped; ``body`` its text (a failure's
    text, else ``system-out``); ``message`` the failure's or skip's one-line message."""

    classname: str
    name: str
    status: str = "passed"
    message: str = ""
    body: str = ""
    kind: str = ""


def junit_cases(cases: Iterable[Case]) -> str:
    """JUnit XML (the Ant/Jenkins form junitparser and CI systems read): one suite ``kvnet``.
    No cases: one passing case ``kvnet`` (a suite with no tests reads as "nothing ran")."""
    from xml.sax.saxutils import escape, quoteattr  # here: it imports urllib.request, http, ssl (27 ms)

    cases = list(cases) or [Case("kvnet", "kvnet")]
    failed = sum(1 for c in cases if c.status == "failed")
    skipped = sum(1 for c in cases if c.status == "skipped")
    out = []
    for c in cases:
        head = f"    <testcase classname={quoteattr(c.classname)} name={quoteattr(c.name)}"
        if c.status == "failed":
            inner = (f"<failure type={quoteattr(c.kind or 'error')} message={quoteattr(c.message)}>"
                     f"{escape(c.body)}</failure>")
        elif c.status == "skipped":
            inner = f"<skipped message={quoteattr(c.message)}/>"
        else:
            inner = f"<system-out>{escape(c.body)}</system-out>" if c.body else ""
        out.append(f"{head}>\n      {inner}\n    </testcase>" if inner else f"{head}/>")
    counts = f'tests="{len(cases)}" failures="{failed}" errors="0"'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="kvnet" {counts}>\n'
            f'  <testsuite name="kvnet" {counts} skipped="{skipped}">\n'
            + "".join(c + "\n" for c in out) + "  </testsuite>\n</testsuites>\n")


def junit(diags: Iterable[Diagnostic]) -> str:
    """One test case per diagnostic named ``KVnnn WHERE`` (class: the file); errors fail it,
    warnings pass with their text as ``system-out``."""
    cases = []
    for d in diags:
        body = f"{where(d)}: {d.severity.value}[{d.code}]: {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
        cases.append(Case(d.file, f"{d.code} {where(d)}", "failed" if d.is_error else "passed", d.message, body,
                          d.code))
    return junit_cases(cases)


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def sarif_location(file: str, line: int = 0, column: int = 0, field: str | None = None) -> dict[str, Any]:
    """A result's location: the file as a relative URI reference (``/``-separated, percent-encoded)
    and the region when there is a line, else the field as a logical location."""
    uri = quote(file.replace(os.sep, "/"), safe="/:@-._~")
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
    if line > 0:
        loc["physicalLocation"]["region"] = {"startLine": line, "startColumn": max(column, 1)}
    elif field:
        loc["logicalLocations"] = [{"fullyQualifiedName": field, "kind": "member"}]
    return loc


def sarif_log(results: list[dict[str, Any]], rules: dict[str, tuple[str, str, str]]) -> str:
    """A SARIF 2.1.0 log of one run of ``kvnet``: ``rules`` id -> (level, summary, SPEC
    section), each result's ``ruleIndex`` set from its ``ruleId``."""
    ids = sorted(rules)
    driver_rules = []
    for rid in ids:
        level, summary, spec = rules[rid]
        rule: dict[str, Any] = {"id": rid, "shortDescription": {"text": summary},
                                "defaultConfiguration": {"level": level}}
        if spec:
            rule["properties"] = {"spec": spec}
        driver_rules.append(rule)
    for r in results:
        r["ruleIndex"] = ids.index(r["ruleId"])
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "kvnet", "version": __version__, "rules": driver_rules}},
                     "results": results}]}
    return json.dumps(log, indent=2) + "\n"


def sarif(diags: Iterable[Diagnostic]) -> str:
    """The codes reported as rules (summary and SPEC section from :mod:`kvnet.codes`), one
    result per diagnostic (level error/warning, the hint appended to the message)."""
    diags = list(diags)
    rules = {}
    for code in {d.code for d in diags}:
        reg = lookup(code)
        rules[code] = (reg.severity.value, reg.summary, reg.spec)
    results = [{"ruleId": d.code, "level": d.severity.value,
                "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
                "locations": [sarif_location(d.file, d.line, d.column, d.field)]} for d in diags]
    return sarif_log(results, rules)
