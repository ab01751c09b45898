"""Edit a ResourceList's YAML text in place (the fast path of ``kvnet fn``).

Pass-through items must come back untouched, comments included. Rather than round-trip the
whole list through ruamel.yaml (pure Python: ~20x slower than a build at 1,000 VMs), the
positions libyaml already gave every top-level key and every item say which lines belong to
which item; kept items are copied byte for byte, a previous run's objects are cut out, and the
generated objects are appended as text dumped the way ``kvnet build`` dumps them. Input that
is not a plain block-style ResourceList (flow style, aliased items, CR line ends, document
markers) gets ``None`` from :func:`layout` and takes the round-trip path instead.
"""

from __future__ import annotations

import re
from kvnet.record import dataclass
from typing import Any

from kvnet.emit import dump_yaml, to_yaml
from kvnet.emit import sequence_items as emit_items
from kvnet.input.loader import Document

_DASH = re.compile(r"( *)- +")
_DOC_START = re.compile(r"^---\n", re.M)
_LINE_START = re.compile(r"(?<=\n)(?=[^\n])")  # the start of every line but the first, unless empty


@dataclass
class Layout:
    """Where things are in the input: ``lines`` keep their ``\\n``; ``keys`` maps each top-level
    key to its first line; ``items`` holds each item's first line (its dash line); ``dash`` is
    the items' dash column. Line numbers are 0-based."""

    lines: list[str]
    keys: dict[str, int]
    items: list[int]
    dash: int


def _lines(text: str) -> list[str]:
    """``text`` split into lines that keep their ``\n`` (the last one without, unless empty)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _key_lines(doc: Document) -> dict[str, int] | None:
    """Each top-level key's 0-based line, or None when a key is no string or not at column 1."""
    keys: dict[str, int] = {}
    for key in doc.data:
        pos = doc.keys.get((key,))
        if not isinstance(key, str) or pos is None or pos[1] != 1:
            return None
        keys[key] = pos[0] - 1
    return keys


def _item_starts(lines: list[str], doc: Document) -> tuple[list[int], int] | None:
    """The dash line of every item and the dash column they share, or None when an item has no
    position, no plain ``- `` before it, is out of order or at another column."""
    starts: list[int] = []
    dash = 0
    for i in range(len(doc.data.get("items") or [])):
        pos = doc.values.get(("items", i))
        if pos is None:
            return None
        line = pos[0] - 1
        match = _DASH.fullmatch(lines[line][:pos[1] - 1]) if line < len(lines) else None
        if match is None or (starts and (line <= starts[-1] or len(match.group(1)) != dash)):
            return None
        dash = len(match.group(1))
        starts.append(line)
    return starts, dash


def layout(text: str, doc: Document) -> Layout | None:
    """The line layout of ``text`` (one ResourceList, loaded as ``doc``), or None."""
    if any(ch in text for ch in "\r\x85\u2028\u2029\ufeff") or not isinstance(doc.data, dict):
        return None
    lines = _lines(text)
    keys = _key_lines(doc)
    if keys is None:
        return None
    first = min(keys.values(), default=0)
    if any(line.startswith(("---", "...")) for line in lines[first:]):
        return None
    found = _item_starts(lines, doc)
    if found is None:
        return None
    starts, dash = found
    if starts and not (keys["items"] < starts[0] and starts[-1] < _region_end(keys, "items", len(lines))):
        return None
    return Layout(lines, keys, _with_leading_comments(lines, starts, dash), dash)


def _with_leading_comments(lines: list[str], starts: list[int], dash: int) -> list[int]:
    """Item start lines moved up over the comment lines right above them (a comment no deeper
    than the dash cannot be block-scalar text of the item before)."""
    comment = re.compile(rf" {{0,{dash}}}#")
    out = starts[:1]
    for prev, start in zip(starts, starts[1:], strict=False):
        while start - 1 > prev and comment.match(lines[start - 1]):
            start -= 1
        out.append(start)
    return out


def _region_end(keys: dict[str, int], key: str, total: int) -> int:
    """The line where the top-level ``key``'s region ends (the next key's line, or the end)."""
    return min((line for line in keys.values() if line > keys[key]), default=total)


def sequence_items(objects: list[Any], dash: int) -> str:
    """``objects`` dumped as block-sequence items whose dashes sit at column ``dash``: the
    documents of one :func:`to_yaml` stream (one emitter for all), each shifted right."""
    direct = emit_items(objects, dash)
    if direct is not None:
        return direct
    stream = to_yaml(objects)
    docs = _DOC_START.split(stream)
    if docs[:1] != [""] or len(docs) != len(objects) + 1:  # a stray '---' line: dump one by one
        docs = ["", *(dump_yaml(obj) for obj in objects)]
    pad = " " * (dash + 2)
    return "".join(" " * dash + "- " + _LINE_START.sub(pad, doc) for doc in docs[1:])


def edit(lay: Layout, keep: list[bool], generated: list[Any], results: str | None) -> str:
    """The ResourceList text with the items where ``keep`` is False cut out, ``generated``
    appended to ``items`` and the ``results:`` block replaced by ``results`` (removed when
    None); every other line as it was. New top-level keys go at the end: items, results."""
    lines = lay.lines
    order = sorted(lay.keys, key=lay.keys.__getitem__)
    out = lines[:lay.keys[order[0]]] if order else list(lines)
    new_items = sequence_items(generated, lay.dash) if generated else ""
    for key in order:
        start, end = lay.keys[key], _region_end(lay.keys, key, len(lines))
        if key == "items":
            out.extend(_items_region(lay, keep, start, end, new_items))
        elif key == "results":
            if results is not None:
                out.append(results)
        else:
            out.extend(lines[start:end])
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    if "items" not in lay.keys:
        out.append("items:\n" + new_items if new_items else "items: []\n")
    if "results" not in lay.keys and results is not None:
        out.append(results)
    return "".join(out)


def _items_region(lay: Layout, keep: list[bool], start: int, end: int, new_items: str) -> list[str]:
    lines = lay.lines
    if not lay.items:  # `items: []`, `items:` or `items: null`: written anew, later lines kept
        return ["items:\n" + new_items if new_items else "items: []\n", *lines[start + 1:end]]
    out = list(lines[start:lay.items[0]])
    bounds = [*lay.items, end]
    for i, kept in enumerate(keep):
        if kept:
            out.extend(lines[bounds[i]:bounds[i + 1]])
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    if not new_items and len(out) == lay.items[0] - start:
        return ["items: []\n", *out[1:]]  # every item was cut out
    out.append(new_items)
    return out
