"""What ``kvnet lint`` and ``kvnet import`` read: files, directories (recursively with ``-r``)
and ``-`` for stdin, loaded with positions (SPEC §8)."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.bounds import decode_error_loc
from kvnet.input.discover import UNREADABLE, discover, load_sources
from kvnet.input.loader import MAX_FILE_BYTES, Document, LoadError, load_text

STDIN = "-"
STDIN_NAME = "<stdin>"


def _walk(directory: str) -> list[str]:
    """Every directory under ``directory`` (itself included) that holds YAML, sorted; hidden ones skipped."""
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if any(f.endswith((".yaml", ".yml")) and not f.startswith(".") for f in files):
            out.append(root)
    return sorted(out)


def _stdin() -> tuple[list[Document], list[Diagnostic]]:
    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return [], [error("KV004", f"stdin is over the {MAX_FILE_BYTES} byte limit", Loc(STDIN_NAME))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [error("KV001", f"stdin is not UTF-8 text ({exc.reason} at byte {exc.start})",
                          decode_error_loc(raw, exc, STDIN_NAME))]
    try:
        return load_text(text, STDIN_NAME), []
    except LoadError as exc:
        return [], [exc.diag]


def load_inputs(paths: Sequence[str], recursive: bool = False) -> tuple[list[Document], list[Diagnostic]]:
    """Documents of ``paths`` (default ``.``) and the problems reading them (KV000: exit 2).

    A file that is not YAML is a finding of its own; the other files are still read.
    """
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    files: list[str] = []
    for arg in paths or ["."]:
        if arg == STDIN:
            got, problems = _stdin()
            docs.extend(got)
            diags.extend(problems)
        elif recursive and os.path.isdir(arg):
            files.extend(_walk(arg) or [arg])
        else:
            files.append(arg)
    if files:
        sources, problems = discover(files)
        diags.extend(problems)
        got, problems = load_sources(sources)
        docs.extend(got)
        diags.extend(problems)
    return docs, diags


__all__ = ["STDIN", "UNREADABLE", "load_inputs"]
