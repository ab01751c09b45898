"""Text and JSON renderings of a NodeReport."""

from __future__ import annotations

import json

from kvnet.doctor.findings import ERROR, WARNING, NodeReport

FORMATS = ("text", "json")


def text(report: NodeReport) -> str:
    lines = [(f"kvnet doctor: {report.distribution} ({report.distribution_from}), Multus {report.flavor}, "
              f"root {report.root}"),
             f"  CNI bin dir {report.bin_dir}, CNI conf dir {report.conf_dir}"]
    for f in report.findings:
        lines.append(f"{f.severity}[{f.check}]: {f.message}")
        if f.fix and f.severity in (ERROR, WARNING):
            lines.append(f"  fix: {f.fix}")
            if f.caution:
                lines.append(f"  caution: {f.caution}")
    n_err, n_warn = len(report.errors), len(report.warnings)
    lines.append("healthy" if report.healthy and not n_warn else
                 f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}")
    return "".join(line + "\n" for line in lines)


def as_json(report: NodeReport) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def render(fmt: str, report: NodeReport) -> str:
    return as_json(report) if fmt == "json" else text(report)
