"""Rendering of verify's per-NAD results: text, json, github (workflow commands).

Diagnostics (plans that do not compile, broken input) go through :mod:`kvnet.reporters`
like every other command's; the annotations here are built by its :func:`annotation`.
"""

from __future__ import annotations

import json
from kvnet.record import dataclass
from typing import Any

from kvnet.reporters import Case, annotation, junit_cases, sarif_location, sarif_log
from kvnet.verify.runner import CaseResult, Status


@dataclass(frozen=True)
class Summary:
    total: int
    ok: int
    failed: int
    skipped: int
    seconds: float
    jobs: int
    bin_dir: str

    @classmethod
    def of(cls, results: list[CaseResult], seconds: float, jobs: int, bin_dir: str) -> Summary:
        count = {s: sum(1 for r in results if r.status is s) for s in Status}
        return cls(len(results), count[Status.OK], count[Status.FAILED], count[Status.SKIPPED], seconds, jobs, bin_dir)

    def line(self) -> str:
        noun = "NAD" if self.total == 1 else "NADs"
        return (f"verify: {self.total} {noun}: {self.ok} ok, {self.failed} failed, {self.skipped} skipped "
                f"({self.seconds:.2f}s, {self.jobs} job{'s' if self.jobs != 1 else ''}, plugins from {self.bin_dir})")


def detail(result: CaseResult) -> str:
    """What a reader needs after the status word."""
    if result.status is not Status.OK:
        return result.message
    chain = "+".join(result.plugins) + (f" ({result.ipam} IPAM)" if result.ipam else "")
    text = f"{chain}: {', '.join(result.steps)} passed; {', '.join(result.ips) if result.ips else 'no addresses'}"
    if result.notes:
        text += " [" + "; ".join(result.notes) + "]"
    return text


def _text_line(result: CaseResult, width: tuple[int, int] = (0, 0)) -> str:
    word = {Status.OK: "ok", Status.FAILED: "FAILED", Status.SKIPPED: "skipped"}[result.status]
    return f"{word:<7}  {result.case.ident:<{width[0]}}  {result.case.where:<{width[1]}}  {detail(result)}"


def _github_line(result: CaseResult) -> str:
    if result.status is Status.OK:
        return _text_line(result)
    level = "error" if result.status is Status.FAILED else "notice"
    return annotation(level, result.case.ident + ": " + detail(result), file=result.case.source,
                      line=result.case.line or None,
                      title=f"kvnet verify {result.status.value}: {result.case.ident}")


def _json_result(result: CaseResult) -> dict[str, Any]:
    return {
        "name": result.case.name,
        "namespace": result.case.namespace,
        "source": result.case.source,
        "line": result.case.line,
        "status": result.status.value,
        "message": detail(result),
        "plugins": result.plugins,
        "ipam": result.ipam,
        "steps": result.steps,
        "ips": result.ips,
        "notes": result.notes,
        "seconds": round(result.seconds, 3),
    }


def _ci(results: list[CaseResult], fmt: str) -> str:
    """junit: one test case per NAD (failed, skipped or passed); sarif: failed NADs as results."""
    if fmt == "junit":
        status = {Status.OK: "passed", Status.FAILED: "failed", Status.SKIPPED: "skipped"}
        return junit_cases(Case(r.case.source, r.case.ident, status[r.status], detail(r), detail(r), "verify")
                           for r in results)
    failed = [r for r in results if r.status is Status.FAILED]
    rules = {"verify": ("error", "a NAD fails when its CNI plugins run it (kvnet verify)", "")} if failed else {}
    return sarif_log([{"ruleId": "verify", "level": "error", "message": {"text": f"{r.case.ident}: {detail(r)}"},
                       "locations": [sarif_location(r.case.source, r.case.line or 0)]} for r in failed], rules)


def render_results(results: list[CaseResult], summary: Summary, fmt: str) -> str:
    """Per-NAD results in ``fmt`` (text and github end with the summary line)."""
    if fmt in ("junit", "sarif"):
        return _ci(results, fmt)
    if fmt == "json":
        doc = {
            "results": [_json_result(r) for r in results],
            "summary": {
                "total": summary.total, "ok": summary.ok, "failed": summary.failed, "skipped": summary.skipped,
                "seconds": round(summary.seconds, 3), "jobs": summary.jobs, "cniBinDir": summary.bin_dir,
            },
        }
        return json.dumps(doc, indent=2) + "\n"
    width = (max((len(r.case.ident) for r in results), default=0),
             max((len(r.case.where) for r in results), default=0))
    lines = [_github_line(r) if fmt == "github" else _text_line(r, width) for r in results]
    return "".join(line + "\n" for line in lines) + summary.line() + "\n"

