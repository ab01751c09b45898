"""PATH arguments beyond plain files and directories: ``-`` for stdin and ``-r`` recursion.

Shared by every command that reads input (``build``, ``validate``, ``lint``, ``import``), so
``-`` and ``-r`` mean the same everywhere. Directories below the ones given are each a
directory of their own (one compile unit for build/validate, SPEC §5).
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.bounds import decode_error_loc, limits
from kvnet.input.loader import Document, LoadError, load_text

STDIN = "-"
STDIN_NAME = "<stdin>"


def walk(directory: str) -> list[str]:
    """Every directory under ``directory`` (itself included) that holds YAML, sorted; hidden ones skipped."""
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if any(f.endswith((".yaml", ".yml")) and not f.startswith(".") for f in files):
            out.append(root)
    return sorted(out)


def read_stdin() -> tuple[list[Document], list[Diagnostic]]:
    """The documents of stdin (named ``<stdin>``), read once, within the single-file bound."""
    bound = limits()
    raw = sys.stdin.buffer.read(bound.file_bytes + 1)
    if len(raw) > bound.file_bytes:
        return [], [error("KV004", f"stdin is over the {bound.file_bytes} byte limit", Loc(STDIN_NAME),
                          hint=bound.raise_input)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [error("KV001", f"stdin is not UTF-8 text ({exc.reason} at byte {exc.start})",
                          decode_error_loc(raw, exc, STDIN_NAME))]
    try:
        return load_text(text, STDIN_NAME), []
    except LoadError as exc:
        return [], [exc.diag]


def expand(paths: Sequence[str], recursive: bool) -> list[str]:
    """``paths`` with each directory replaced, under ``recursive``, by every directory below it
    that holds YAML (itself included; hidden ones skipped; a directory without any stays)."""
    out: list[str] = []
    for arg in paths:
        out.extend((walk(arg) or [arg]) if recursive and arg != STDIN and os.path.isdir(arg) else [arg])
    return out


__all__ = ["STDIN", "STDIN_NAME", "expand", "read_stdin", "walk"]
