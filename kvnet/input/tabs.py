"""Tabs that only libyaml reads: a tab as separation between tokens, or inside a plain scalar.

YAML 1.2.2 (yaml.org/spec/1.2.2, §6.2 ``s-separate-in-line ::= s-white+``) lets a tab separate
tokens on a line (``key<TAB>: v``, ``key:<TAB>v``, ``[1,<TAB>2]``), and libyaml (PyYAML's C
loader, which kvnet reads with) and Go's yaml.v3 (kubectl, kustomize, kpt) take it, also inside
a plain scalar (``a<TAB>b``). PyYAML's pure-Python scanner does not (``lib/yaml/scanner.py``,
``scan_to_next_token`` skips spaces only, with a TODO on tab handling; ``scan_plain`` stops at a
tab: "found character '\\t' that cannot start any token"), nor does ruamel.yaml (its scanner is
PyYAML's). kvnet refuses such a tab where it is (KV001): otherwise the same file reads or not
depending on whether libyaml is installed, and ``kvnet fn``, which passes the input's lines
through, answers a ResourceList the Python YAML readers (and its own round-trip path) cannot
read. Tabs inside quoted and block scalars and in comments are read alike everywhere: kept.
"""

from __future__ import annotations

import re
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error

_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
_COMMENT = re.compile(r"#[^\n\r\x85\u2028\u2029]*")


def first_bad_tab(text: str, loader_class: Any) -> int | None:
    """The character offset of the first tab of ``text`` outside comments, quoted and block
    scalars (libyaml's tokens say where those are), or None. libyaml's own syntax errors
    propagate (``yaml.YAMLError``) for the caller to report."""
    if "\t" not in text:
        return None
    loader = loader_class(text)
    prev = 0
    try:
        while loader.check_token():
            tok = loader.get_token()
            start, end = tok.start_mark.index, tok.end_mark.index
            if start > prev and "\t" in text[prev:start]:
                gap = _COMMENT.sub(lambda m: " " * len(m.group()), text[prev:start])
                if "\t" in gap:
                    return prev + gap.index("\t")
            bad = _tab_in_scalar(text, tok, start, end)
            if bad is not None:
                return bad
            prev = max(prev, end)
    finally:
        loader.dispose()
    return None


def _tab_in_scalar(text: str, tok: Any, start: int, end: int) -> int | None:
    """A tab inside a plain scalar, or in a block scalar's header (``|<TAB>``: PyYAML's
    ``scan_block_scalar_indicators`` wants a space, a comment or a break there), else None."""
    if "\t" not in text[start:end]:
        return None
    if getattr(tok, "plain", False):
        return text.index("\t", start, end)
    if getattr(tok, "style", None) in ("|", ">"):
        header = _COMMENT.sub(lambda m: " " * len(m.group()), _BREAK.split(text[start:end], 1)[0])
        return start + header.index("\t") if "\t" in header else None
    return None


def tab_error(text: str, offset: int, shown: str) -> Diagnostic:
    """KV001 at the tab at ``offset`` (1-based line and column, line breaks as YAML 1.1 counts them)."""
    before = text[:offset]
    line = len(_BREAK.findall(before)) + 1
    col = offset - max(before.rfind(c) for c in "\n\r\x85\u2028\u2029")
    return error("KV001", "YAML syntax error: a tab outside a quoted or block scalar or a comment "
                 "(libyaml and Go read it, PyYAML without libyaml and ruamel.yaml do not)",
                 Loc(shown, line, col), hint="replace the tab with spaces, or quote the value that holds it")
