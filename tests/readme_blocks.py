"""The README's code blocks as data, for tests/test_readme_blocks.py.

A block that shows a command is checked by running it; how is said by HTML comments right above
its fence (invisible on GitHub), one directive each:

- ``<!-- readme-test: output: CMD -->``: the block is the whole output (stdout, then stderr) of CMD;
- ``<!-- readme-test: excerpt: CMD -->``: the block is an excerpt of CMD's output: runs of lines
  between ``...`` lines appear in that order, each run contiguous; a ``  # comment`` is the README's;
- ``<!-- readme-test: runs -->``: every command of the block exits 0 (output not shown);
- ``<!-- readme-test: setup: SHELL -->``: run first, in the same copy (may span lines);
- ``<!-- readme-test: needs: root git PATH... -->``: skipped, naming what is missing, without them;
- ``<!-- readme-test: skip: REASON -->``: not run (needs a cluster, a node, a registry).

A block with ``$ `` prompts is a session: each command's output is the lines under it. In every
shown line ``[...]`` stands for any text, and a line ending in ``# <- varies...`` matches any line
that starts with its first word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SHELL_LANGS = {"sh", "shell", "bash", "console"}
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(\w+)\s*(?::\s*(.*?))?\s*-->", re.DOTALL)
KINDS = {"output", "excerpt", "runs", "setup", "needs", "skip"}


@dataclass
class Block:
    """One fenced block: its first line (1-based), info string, body lines and directives."""

    line: int
    lang: str
    body: list[str]
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def session(self) -> list[tuple[str, list[str]]]:
        """(command, shown output lines) for each ``$ `` prompt of the block."""
        out: list[tuple[str, list[str]]] = []
        for text in self.body:
            if text.startswith("$ "):
                out.append((text[2:], []))
            elif out:
                out[-1][1].append(text)
        return out

    @property
    def commands(self) -> list[str]:
        """The shell commands a ``runs`` block shows (``\\`` continuations joined, comments kept)."""
        joined = "\n".join(self.body).replace("\\\n", " ")
        return [c for c in joined.splitlines() if c.strip() and not c.lstrip().startswith("#")]

    @property
    def shows_a_command(self) -> bool:
        return self.lang in SHELL_LANGS or any(t.startswith("$ ") for t in self.body)

    @property
    def checked(self) -> bool:
        return bool({"output", "excerpt", "runs"} & set(self.directives)) or (
            "skip" not in self.directives and any(t.startswith("$ ") for t in self.body))


def _directives(lines: list[str], fence: int) -> dict[str, str]:
    """The ``readme-test`` comments directly above line index ``fence`` (no blank line between)."""
    start = fence
    while start > 0 and lines[start - 1].rstrip().endswith("-->"):
        begin = start - 1
        while begin >= 0 and "<!--" not in lines[begin]:
            begin -= 1
        if begin < 0:
            break
        start = begin
    found: dict[str, str] = {}
    for m in DIRECTIVE.finditer("\n".join(lines[start:fence])):
        if m.group(1) not in KINDS:
            raise ValueError(f"README.md:{start + 1}: unknown readme-test directive {m.group(1)!r}")
        found[m.group(1)] = (m.group(2) or "").strip()
    return found


def blocks(path: Path) -> list[Block]:
    """Every fenced block of the Markdown file ``path`` (fences at column 0)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    opened: int | None = None
    for i, text in enumerate(lines):
        if not text.startswith("```"):
            continue
        if opened is None:
            opened = i
            continue
        out.append(Block(opened + 1, lines[opened][3:].strip(), lines[opened + 1:i], _directives(lines, opened)))
        opened = None
    return out


def _pattern(shown: str) -> re.Pattern[str]:
    """A shown output line as a regular expression: ``[...]`` is any text; ``# <- varies`` lines
    keep their first word only."""
    shown = shown.rstrip()
    if re.search(r"\s#\s*<- varies", shown):
        return re.compile(re.escape(shown.split()[0]) + r"\b.*")
    return re.compile(".*".join(re.escape(part) for part in shown.split("[...]")))


def same_lines(shown: list[str], real: list[str]) -> bool:
    """``shown`` (README) stands for exactly the lines ``real`` (trailing blank lines aside)."""
    shown, real = _trim(shown), _trim(real)
    return len(shown) == len(real) and all(_pattern(s).fullmatch(r.rstrip()) for s, r in zip(shown, real, strict=True))


def is_excerpt(shown: list[str], real: list[str]) -> bool:
    """``shown`` is an excerpt of ``real``: its runs between ``...`` lines appear in order, each
    contiguous; a trailing ``  # comment`` on a shown line is the README's annotation."""
    runs: list[list[str]] = [[]]
    for text in shown:
        if text.strip() == "...":
            runs.append([])
        else:
            runs[-1].append(re.sub(r"\s{2,}#\s.*$", "", text))
    at = 0
    for run in (r for r in runs if r):
        hit = next((i for i in range(at, len(real) - len(run) + 1) if same_lines(run, real[i:i + len(run)])), None)
        if hit is None:
            return False
        at = hit + len(run)
    return True


def _trim(lines: list[str]) -> list[str]:
    lines = [text.rstrip() for text in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines
