"""A direct YAML writer for kvnet's output: the exact text libyaml's emitter writes for plain data
through PyYAML's ``CSafeDumper`` with kvnet's options (block style, keys in order, unicode,
width 4096, multi-line strings as literal blocks), written from Python strings without building
PyYAML nodes or calling the resolver back from C for every scalar (SPEC §6: output unchanged).

The style of each scalar follows libyaml 0.2.5 ``src/emitter.c`` (github.com/yaml/libyaml):
``yaml_emitter_analyze_scalar`` (what is printable, the indicators, leading and trailing
spaces), ``yaml_emitter_select_scalar_style`` (plain, else single-quoted, else double-quoted;
literal when asked and allowed), ``yaml_emitter_write_literal_scalar`` and
``yaml_emitter_write_block_scalar_hints`` (indentation and chomping indicators), and
``yaml_emitter_check_simple_key`` (a key of at most 128 bytes on one line). Whether a plain
scalar would read back as a string is PyYAML's own resolver (``yaml/resolver.py``).

Only what that covers exactly is written here; anything else raises :class:`Unsupported` and
the caller dumps the whole stream with PyYAML as before: other types, a container shared within
a document (PyYAML writes an anchor), empty or scalar documents, a complex key, strings with
characters libyaml escapes (written by libyaml itself, one scalar at a time), single-line
scalars long enough for libyaml to fold, multi-line strings that are not literal blocks, and a
literal block with keep chomping (``|+``, which can end the stream with ``...``).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterable

STR_TAG = "tag:yaml.org,2002:str"
MAX_INLINE = 1024  # longer single-line scalars may be folded at width 4096: libyaml decides
MAX_DEPTH = 400  # indentation below 800 columns, well inside the width
MAX_SIMPLE_KEY = 128  # bytes (yaml_emitter_check_simple_key)
#: single-line strings whose text the writer remembers: the common values (types, keys' values,
#: bindings) come first and repeat; names and addresses never repeat, so past this many the memo
#: stops growing (a 5,000-VM build wrote ~40,000 distinct strings; issue 28: peak memory)
MEMO = 8192

# IS_PRINTABLE in libyaml's yaml_private.h (0xFEFF, 0xFFFE, 0xFFFF and all above 0xFFFF are not);
# of ASCII text only \n and \x20-\x7e. The full class takes 4 ms to compile, a tenth of a small
# build's start-up, so it is compiled on the first non-ASCII string (issue 28).
_SPECIAL_ASCII = re.compile("[^\n\x20-\x7e]")


@functools.cache
def _special() -> re.Pattern[str]:
    return re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")


_BREAK = re.compile("[\n\r\x85\u2028\u2029]")
# block indicators of a single-line, printable scalar (yaml_emitter_analyze_scalar)
_BLOCK_INDICATOR = re.compile(r"\A(?:---|\.\.\.|[#,\[\]{}&*!|>'\"%@`]|[?:-](?= |\Z))|(?<=.):(?= |\Z)| #")


class Unsupported(Exception):
    """The data holds something this writer does not reproduce exactly."""


def block_style(value: str) -> str | None:
    """Multi-line strings as literal blocks (``|``), unless leading blanks forbid it."""
    return "|" if "\n" in value and not value.startswith((" ", "\t")) else None


class Writer:
    """Writes documents; ``escaped(value)`` is libyaml's one-line rendering of a string it
    escapes (double-quoted), ``resolve(value)`` PyYAML's tag for a plain scalar."""

    def __init__(self, escaped: Callable[[str], str], resolve: Callable[[str], str]) -> None:
        self.escaped = escaped
        self.resolve = resolve
        self.values: dict[Any, str] = {}  # scalar -> " text\n" after a key or a dash
        self.keys: dict[Any, str] = {}  # key -> "text:"

    def documents(self, docs: Iterable[Any], explicit_start: bool) -> Iterable[str]:
        """The text of each document, ``---`` first when ``explicit_start``."""
        start = "---\n" if explicit_start else ""
        for doc in docs:
            yield self.document(doc, start)

    def document(self, doc: Any, start: str) -> str:
        """One document's text (``start``: "---\\n" or "")."""
        out: list[str] = [start]
        if not doc or not (type(doc) is dict or type(doc) is list):
            raise Unsupported("an empty or scalar document")
        self.collection(doc, 0, "", out, set(), 0)
        return "".join(out)

    def item(self, doc: Any, dash: int) -> str:
        """``doc`` as a block-sequence item with its dash at column ``dash``: :meth:`document`'s
        text (without ``---``) with each non-empty line shifted right by ``dash + 2``, the first
        after ``- `` (a collection's layout does not depend on where it starts: nothing written
        here is folded at the width)."""
        out: list[str] = [" " * dash + "-"]
        if not doc or not (type(doc) is dict or type(doc) is list):
            raise Unsupported("an empty or scalar document")
        self.collection(doc, dash + 2, " ", out, set(), 0)
        return "".join(out)

    def line(self, value: str) -> str:
        """A single-line rendering of a string, without the leading space, or "" for a
        multi-line string that may be a literal block."""
        if not value:
            return "''"  # '' resolves to null
        if (_SPECIAL_ASCII if value.isascii() else _special()).search(value):  # a character libyaml escapes
            if "\u2028" in value or "\u2029" in value:
                raise Unsupported("a line separator")
            text = self.escaped(value)
            if "\n" in text or len(text) > MAX_INLINE:
                raise Unsupported("a folded double-quoted scalar")
            return text
        if "\n" in value or "\u2028" in value or "\u2029" in value:
            return ""
        if len(value) > MAX_INLINE:
            raise Unsupported("a scalar libyaml may fold")
        if value[0] == " " or value[-1] == " " or _BLOCK_INDICATOR.search(value) or self.resolve(value) != STR_TAG:
            return "'" + value.replace("'", "''") + "'"
        return value

    def string(self, value: str, indent: int) -> str:
        """The text after ``key:`` or ``-`` for a string whose parent collection is at ``indent``."""
        text = self.values.get(value)
        if text is not None:
            return text
        one = self.line(value)
        if one:
            text = " " + one + "\n"
            if len(self.values) < MEMO:
                self.values[value] = text
            return text
        return self.literal(value, indent)

    def literal(self, value: str, indent: int) -> str:
        """A printable multi-line string: a literal block when libyaml allows one, else its
        double-quoted line (yaml_emitter_write_literal_scalar, ..._write_block_scalar_hints)."""
        if block_style(value) is None or "\u2028" in value or "\u2029" in value:
            raise Unsupported("a multi-line plain or quoted scalar")
        if value[-1] == " " or " \n" in value:  # trailing space, space before a break
            text = self.escaped(value)
            if "\n" in text or len(text) > MAX_INLINE:
                raise Unsupported("a folded double-quoted scalar")
            return " " + text + "\n"
        if value[-1] != "\n":
            chomp = "-"
        elif len(value) == 1 or value[-2] == "\n":
            raise Unsupported("keep chomping")
        else:
            chomp = ""
        pad = " " * (indent + 2)
        lines = value.split("\n")
        last = lines.pop()
        body = "".join(pad + line + "\n" if line else "\n" for line in lines)
        return " |" + ("2" if value[0] == "\n" else "") + chomp + "\n" + body + (pad + last + "\n" if last else "")

    def key(self, key: Any) -> str:
        """``key:`` for a simple key."""
        kind = type(key)
        if kind is str:
            long = len(key) * 4 > MAX_SIMPLE_KEY and len(key.encode(errors="surrogatepass")) > MAX_SIMPLE_KEY
            if long or _BREAK.search(key):
                raise Unsupported("a complex key")
            text = self.line(key)
        elif kind is int or kind is bool or key is None:
            return self.scalar(key)[1:-1] + ":"
        else:
            raise Unsupported(f"a {kind.__name__} key")
        self.keys[key] = text = text + ":"  # str keys only: True == 1 would share an entry
        return text

    def scalar(self, value: Any) -> str:
        """`` text\\n`` for an int, bool or None."""
        if value is None:
            return " null\n"
        if value is True or value is False:
            return " true\n" if value else " false\n"
        if type(value) is int and -(10**100) < value < 10**100:
            return f" {value}\n"
        raise Unsupported(f"a {type(value).__name__}")

    def other(self, value: Any) -> str:
        """The text after ``key:`` / ``-`` for an empty collection or a non-string scalar
        (an empty collection is written in flow style: yaml_emitter_check_empty_mapping)."""
        kind = type(value)
        if kind is dict or kind is list:
            return " {}\n" if kind is dict else " []\n"
        return self.scalar(value)

    def collection(self, value: Any, indent: int, pad: str, out: list[str], seen: set[int], depth: int) -> None:
        """A non-empty dict or list after its parent's ``key:`` or ``-`` (``pad``: "" for a
        mapping value, which starts on the next line; " " for a sequence item, inline)."""
        if depth > MAX_DEPTH:
            raise Unsupported("deep nesting")
        if id(value) in seen:
            raise Unsupported("a shared object")
        seen.add(id(value))
        if type(value) is dict:
            self.mapping(value, indent, pad, out, seen, depth)
        else:
            self.sequence(value, indent, pad, out, seen, depth)

    def mapping(self, value: dict[Any, Any], indent: int, first: str, out: list[str], seen: set[int],
                depth: int) -> None:
        """A block mapping at ``indent`` (its first key after ``first`` on the current line:
        after a dash, or at the start of a line)."""
        pad = " " * indent
        lead = first or pad
        for k, v in value.items():
            key = self.keys.get(k) or self.key(k)
            kind = type(v)
            if kind is str:
                out.append(lead + key + (self.values.get(v) or self.string(v, indent)))
            elif (kind is dict or kind is list) and v:
                out.append(lead + key + "\n")
                if kind is dict:
                    self.collection(v, indent + 2, "", out, seen, depth + 1)
                else:  # indentless: the dashes at the mapping's indent
                    self.collection(v, indent, "", out, seen, depth + 1)
            else:
                out.append(lead + key + self.other(v))
            lead = pad

    def sequence(self, value: list[Any], indent: int, first: str, out: list[str], seen: set[int],
                 depth: int) -> None:
        """A block sequence with its dashes at ``indent`` (the first after ``first``)."""
        pad = " " * indent
        lead = first or pad
        for v in value:
            kind = type(v)
            if (kind is dict or kind is list) and v:
                out.append(lead + "-")
                self.collection(v, indent + 2, " ", out, seen, depth + 1)
            elif kind is str:
                out.append(lead + "-" + (self.values.get(v) or self.string(v, indent)))
            else:
                out.append(lead + "-" + self.other(v))
            lead = pad
