"""The ``kvnet diff`` report for pull requests: markdown for a PR comment (a summary line,
then a table per class, collapsed under ``<details>`` when long) and GitHub workflow
annotations on the plan lines that cause a restart or a prune."""

from __future__ import annotations

from kvnet.diff.classes import MEANING, PRUNE, RESTART
from kvnet.diff.compare import Change
from kvnet.diff.report import counts, move, summary, what
from kvnet.diff.run import DiffResult
from kvnet.reporters import annotation

COLLAPSE_ROWS = 10  # a class with more rows than this is collapsed
ANNOTATED = (RESTART, PRUNE)
MARKER = "<!-- kvnet-diff -->"  # lets a workflow find and update its own comment


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _table(changes: list[Change]) -> list[str]:
    lines = ["| object | field | change | why |", "|---|---|---|---|"]
    for change in changes:
        for n, d in enumerate(change.details):
            why = d.why + ("; used by " + ", ".join(change.vms) if change.vms and n == 0 else "")
            shown = f"`{_cell(move(d.before, d.after))}`" if d.field else ""
            field = f"`{_cell(d.field)}`" if d.field else ""
            lines.append(f"| {_cell(what(change))} | {field} | {shown} | {_cell(why)} |")
    return lines


def markdown(result: DiffResult) -> str:
    """A PR comment: a marker line, a heading with the summary, then per class its meaning
    and a table of its changes (inside ``<details>`` past :data:`COLLAPSE_ROWS` rows)."""
    out = [MARKER, f"### {_cell(summary(result))}"]
    if not result.changes:
        return "\n".join(out) + "\n"
    per = counts(result)
    out.append("")
    out.append(" · ".join(f"**{cls}** {n}" for cls, n in per.items()))
    for cls in per:
        changes = [c for c in result.changes if c.cls == cls]
        table = _table(changes)
        out.append("")
        title = f"{cls} ({per[cls]}): {MEANING[cls]}"
        if len(table) - 2 > COLLAPSE_ROWS:
            out += [f"<details><summary>{title}</summary>", "", *table, "", "</details>"]
        else:
            out += [f"#### {title}", "", *table]
    return "\n".join(out) + "\n"


def _message(change: Change) -> str:
    head = {RESTART: f"{what(change)} needs a restart", PRUNE: f"{what(change)} is pruned"}[change.cls]
    parts = [f"{d.field}: {move(d.before, d.after)} ({d.why})" if d.field else d.why
             for d in change.details]
    if change.vms:
        parts.append("used by " + ", ".join(change.vms))
    return head + "\n" + "\n".join(parts)


def github(result: DiffResult) -> str:
    """A warning annotation per restart or prune change, on the plan line that causes it (a
    change without one is annotated without a file), then the summary line."""
    lines = []
    for change in result.changes:
        if change.cls not in ANNOTATED:
            continue
        loc = change.loc
        title = f"kvnet diff: {change.cls}"
        if loc is not None:
            lines.append(annotation("warning", _message(change), file=loc.file, line=loc.line, column=loc.column,
                                    title=title))
        else:
            lines.append(annotation("warning", _message(change), title=title))
    lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
