"""Text, JSON and GitHub renderings of a NodeReport (the formats of :mod:`kvnet.reporters`).

Findings are laid out as diagnostics are: ``severity[KVnnn]: message`` (``ok[check]`` for what
passed) and an indented ``fix:`` line where a diagnostic has ``hint:``; under ``github`` errors and
warnings become workflow annotations built by :func:`kvnet.reporters.annotation`.
"""

from __future__ import annotations

import json

from kvnet.codes import lookup
from kvnet.doctor.findings import ERROR, WARNING, Finding, NodeReport
from kvnet.reporters import Case, annotation, junit_cases, sarif_location, sarif_log


def _header(report: NodeReport) -> list[str]:
    return [(f"kvnet doctor: {report.distribution} ({report.distribution_from}), Multus {report.flavor}, "
             f"root {report.root}"),
            f"  CNI bin dir {report.bin_dir}, CNI conf dir {report.conf_dir}"]


def _summary(report: NodeReport) -> str:
    n_err, n_warn = len(report.errors), len(report.warnings)
    return ("healthy" if report.healthy and not n_warn else
            f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}")


def _text_lines(f: Finding) -> list[str]:
    lines = [f"{f.severity}[{f.code or f.check}]: {f.message}"]
    if f.fix and f.severity in (ERROR, WARNING):
        lines.append(f"  fix: {f.fix}")
        if f.caution:
            lines.append(f"  caution: {f.caution}")
    return lines


def _github_lines(f: Finding) -> list[str]:
    if f.severity not in (ERROR, WARNING):
        return _text_lines(f)
    message = "\n".join(line.strip() for line in _text_lines(f)[1:])  # fix: and caution: below the message
    message = f.message + ("\n" + message if message else "")
    return [annotation(f.severity, message, file=f.path, title=f"kvnet doctor {f.code}")]


def text(report: NodeReport, github: bool = False) -> str:
    """The header, one line per finding (``fix:`` below errors and warnings), the summary."""
    lines = _header(report)
    for f in report.findings:
        lines.extend(_github_lines(f) if github else _text_lines(f))
    lines.append(_summary(report))
    return "".join(line + "\n" for line in lines)


def as_json(report: NodeReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def as_junit(report: NodeReport) -> str:
    """One test case per finding (class: ``doctor.<check>``, named by its KV5xx code when it has
    one): errors fail, the rest pass."""
    return junit_cases(Case(f"doctor.{f.check}", f"{f.code or f.check} {f.subject}",
                            "failed" if f.severity == ERROR else "passed", f.message, "\n".join(_text_lines(f)),
                            f.code or f.check) for f in report.findings)


def as_sarif(report: NodeReport) -> str:
    """Errors and warnings as SARIF results, their KV5xx code the rule (summary and SPEC section
    from the registry), located at the node path."""
    found = [f for f in report.findings if f.severity in (ERROR, WARNING) and f.code]
    rules = {}
    for f in found:
        reg = lookup(str(f.code))
        rules[reg.code] = (reg.severity.value, reg.summary, reg.spec)
    results = [{"ruleId": f.code, "level": f.severity,
                "message": {"text": f.message + (f" (fix: {f.fix})" if f.fix else "")},
                "locations": [sarif_location(f.path or report.root)]} for f in found]
    return sarif_log(results, rules)


def render(fmt: str, report: NodeReport) -> str:
    """``report`` in ``fmt``: text, json, github, junit or sarif (resolve ``auto`` first)."""
    if fmt in ("junit", "sarif"):
        return as_junit(report) if fmt == "junit" else as_sarif(report)
    return as_json(report) if fmt == "json" else text(report, github=fmt == "github")
