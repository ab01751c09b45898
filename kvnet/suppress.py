"""Accepting a known warning: ``--ignore KVnnn`` and ``# kvnet: ignore[KVnnn]: reason`` comments.

Only warnings can be accepted: an error stops the compile before the stages whose warnings one
would accept, and kvnet never emits what it refused (SPEC §5). The comment form follows mypy's
``# type: ignore[code]`` and ruff's ``# noqa: CODE``, with the reason required (issue 26). A
comment covers the YAML node that starts on its own line (a trailing comment) or on the next
line (a comment alone on its line): a list item, or a key with its whole value, so a comment
above ``- name: lan`` covers that network. A suppression that matches nothing is a warning
(KV050), as ruff's unused ``noqa`` (RUF100) and yamllint's unused ``disable`` are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from kvnet.record import dataclass
from typing import Any

import yaml

from kvnet.codes import CODES, Severity
from kvnet.diagnostics import Diagnostic, Loc, Report, error, warning

MARKED = re.compile(r"kvnet:\s*ignore")
COMMENT = re.compile(r"(?:^|\s)(#\s*kvnet:\s*ignore\b(?P<rest>.*))$")
FORM = re.compile(r"\[(?P<codes>[^\]]*)\]\s*:\s*(?P<reason>.*?)\s*$")
CODE = re.compile(r"KV\d{3}")
SYNTAX = "# kvnet: ignore[KVnnn]: why this warning is accepted"


@dataclass(frozen=True)
class Suppression:
    """One comment: where it is, the codes it accepts, the lines (1-based, inclusive) it covers."""

    file: str
    line: int
    column: int
    codes: tuple[str, ...]
    first: int
    last: int


def ignore_problem(codes: Iterable[str]) -> str | None:
    """Why ``--ignore`` codes cannot be taken (None: they can): unknown, or an error's code."""
    for code in codes:
        entry = CODES.get(code)
        if entry is None:
            return f"--ignore {code}: no such diagnostic code ('kvnet codes' lists them)"
        if entry.severity is Severity.ERROR:
            return f"--ignore {code}: {code} is an error; only warnings can be ignored (fix the input)"
    return None


def split_codes(values: Iterable[str]) -> tuple[str, ...]:
    """``--ignore KV267 --ignore KV281,KV292`` -> the codes, upper-cased, in order, once each."""
    out: dict[str, None] = {}
    for value in values:
        for part in value.split(","):
            if part.strip():
                out[part.strip().upper()] = None
    return tuple(out)


def _parse(file: str, line: int, column: int, rest: str) -> tuple[tuple[str, ...], Diagnostic | None]:
    """The codes of one comment's text after ``kvnet: ignore``, or a KV051 saying what is wrong."""
    m = FORM.match(rest.strip())
    loc = Loc(file, line, column)
    if m is None or not m.group("reason"):
        return (), error("KV051", f"a suppression needs codes and a reason: {_clip(rest)!r}", loc,
                         hint=f"write it as '{SYNTAX}'")
    codes = split_codes([m.group("codes")])
    problem = next((c for c in codes if not CODE.fullmatch(c) or c not in CODES), None)
    if not codes or problem is not None:
        return (), error("KV051", f"a suppression names no diagnostic code: {problem or '(none)'!r}", loc,
                         hint="'kvnet codes' lists them")
    refused = next((c for c in codes if CODES[c].severity is Severity.ERROR), None)
    if refused is not None:
        return (), error("KV051", f"{refused} is an error; only warnings can be accepted", loc,
                         hint="fix the input: kvnet never emits what it refused")
    return codes, None


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:60] + "..."


def scan(file: str, text: str) -> tuple[list[Suppression], list[Diagnostic]]:
    """Every ``# kvnet: ignore[...]: reason`` comment of the YAML ``text`` of ``file``."""
    if not MARKED.search(text):
        return [], []
    extents: dict[int, int] | None = None
    found: list[Suppression] = []
    problems: list[Diagnostic] = []
    lines = text.splitlines()
    for number, content in enumerate(lines, start=1):
        m = COMMENT.search(content)
        if m is None:
            continue
        column = m.start(1) + 1
        codes, problem = _parse(file, number, column, m.group("rest"))
        if problem is not None:
            problems.append(problem)
            continue
        own_line = not content[:m.start(1)].strip()
        target = _next_content_line(lines, number) if own_line else number
        if extents is None:
            extents = node_extents(text)
        found.append(Suppression(file, number, column, codes, target, max(target, extents.get(target, target))))
    return found, problems


def _next_content_line(lines: list[str], number: int) -> int:
    """The first line after ``number`` (1-based) that is neither blank nor a comment."""
    for later in range(number, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return number


def node_extents(text: str) -> dict[int, int]:
    """Line -> the last line of the largest YAML node starting there (a list item, or a mapping
    key with its value; 1-based). Empty when the text is not YAML (its errors are reported by
    the loader)."""
    out: dict[int, int] = {}
    try:
        for root in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if root is not None:
                _last_line(root, out, set())
    except yaml.YAMLError:
        return {}
    return out


def _last_line(node: Any, out: dict[int, int], seen: set[int]) -> int:
    """The last line of ``node`` (1-based), recording its items' extents in ``out``."""
    start = node.start_mark.line + 1
    if id(node) in seen:
        return start
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column == 0 and end.line + 1 > start else end.line + 1
    last = start
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_line = key.start_mark.line + 1
            value_last = _last_line(value, out, seen)
            out[key_line] = max(out.get(key_line, key_line), value_last)
            last = max(last, value_last)
    else:
        for item in node.value:
            item_last = _last_line(item, out, seen)
            item_line = item.start_mark.line + 1
            out[item_line] = max(out.get(item_line, item_line), item_last)
            last = max(last, item_last)
    return last


def apply(diags: Iterable[Diagnostic], ignore: Iterable[str], texts: Mapping[str, str]) -> list[Diagnostic]:
    """``diags`` without the warnings ``ignore`` names or a comment in ``texts`` (file as shown ->
    its text) accepts; with KV051 for each malformed comment and, when nothing failed (a compile
    that stopped early never reached the warnings a comment is for), KV050 for each code of a
    comment that accepted nothing. Sorted as :meth:`Report.sorted` sorts."""
    ignored = frozenset(ignore)
    suppressions, problems = _scan_all(texts)
    used: set[tuple[Suppression, str]] = set()
    kept: list[Diagnostic] = []
    for d in diags:
        hits = _covering(suppressions, d)
        used.update((s, d.code) for s in hits)
        if not hits and not (d.code in ignored and not d.is_error):
            kept.append(d)
    if not any(d.is_error for d in kept + problems):
        problems += _unused(suppressions, used)
    return Report(kept + [p for p in problems if p.is_error or p.code not in ignored]).sorted()


def _scan_all(texts: Mapping[str, str]) -> tuple[list[Suppression], list[Diagnostic]]:
    suppressions: list[Suppression] = []
    problems: list[Diagnostic] = []
    for file in sorted(texts):
        found, bad = scan(file, texts[file])
        suppressions += found
        problems += bad
    return suppressions, problems


def _covering(suppressions: list[Suppression], d: Diagnostic) -> list[Suppression]:
    """The comments that accept the warning ``d`` (none for an error, or one placed by field)."""
    if d.is_error or d.field is not None:
        return []
    return [s for s in suppressions if s.file == d.file and d.code in s.codes and s.first <= d.line <= s.last]


def _unused(suppressions: list[Suppression], used: set[tuple[Suppression, str]]) -> list[Diagnostic]:
    """KV050 for each code of a comment that accepted no warning."""
    return [warning("KV050", f"'kvnet: ignore[{code}]' accepts no {code} warning here", Loc(s.file, s.line, s.column),
                    hint="remove the comment, or move it onto (or above) the line the warning names")
            for s in suppressions for code in s.codes if (s, code) not in used]


def read_texts(files: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Shown name -> text of each (shown, path) input file that can still be read (stdin cannot)."""
    out: dict[str, str] = {}
    for shown, path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                out[shown] = f.read()
        except OSError:
            continue
    return out
