"""A loaded YAML document: its data and the position of every value and key.

Positions are looked up in the composed YAML node graph the document keeps (``root``) when
asked: a run asks for few of them, and recording ~150,000 of them for a 1,000-VM manifest took
a sixth of its load time. The ``values``/``keys`` tables (path -> (line, column)) are made from
the graph on first use, for callers that need every position (kvnet.adapters). The kept graph
costs memory (~30 MB for that manifest; the run-wide node budget of kvnet.input.bounds caps it)
and, in a process with Python's cyclic garbage collector on, the collector's walks over it:
kvnet's console script runs with the collector off (kvnet.entry).
"""

from __future__ import annotations

from enum import Enum

from kvnet.record import dataclass, field
from typing import Any, Callable, Iterator

from kvnet.diagnostics import Diagnostic, Loc

PathT = tuple[Any, ...]
Position = tuple[int, int]
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class Document:
    """One YAML document: its data and where each value (and each key) sits."""

    file: str  # path as shown to the user in diagnostics
    index: int  # document index within the file
    data: Any
    source: str = ""  # path relative to the plan root (kvnet.dev/source)
    # KV106/KV107 values found by a lenient load (``strict_values=False``), by path
    suspect_values: dict[PathT, Diagnostic] = field(default_factory=dict)
    root: Any = None  # the composed node of the document, while its positions are not tabled
    # a non-string scalar key node -> its data (1, true): set by the loader with ``root``
    key_reader: Callable[[Any], Any] | None = None
    _values: dict[PathT, Position] | None = None
    _keys: dict[PathT, Position] | None = None
    #: True when the loader built ``data`` and saw only string mapping keys (nothing for
    #: kvnet.input.keys.first_non_string_key to find); False: not known
    string_keys: bool = False
    #: composes ``root`` again from the document's text, after :meth:`release` (set by the loader)
    recompose: Callable[[], Any] | None = None

    def release(self) -> None:
        """Let the node graph go (most of a loaded plan's memory: ~50 MB for 5,000 VMs; issue 28);
        a position asked for afterwards composes it again from the text, once."""
        if self.recompose is not None and self._values is None:
            self.root = None

    def _graph(self) -> None:
        if self.root is None and self._values is None and self.recompose is not None:
            self.root = self.recompose()

    @property
    def values(self) -> dict[PathT, Position]:
        """Path -> (line, column) of every value (merged-in values excepted)."""
        self._table()
        assert self._values is not None
        return self._values

    @values.setter
    def values(self, table: dict[PathT, Position]) -> None:
        self._table()
        self._values = table

    @property
    def keys(self) -> dict[PathT, Position]:
        """Path -> (line, column) of every mapping key written in the document."""
        self._table()
        assert self._keys is not None
        return self._keys

    @keys.setter
    def keys(self, table: dict[PathT, Position]) -> None:
        self._table()
        self._keys = table

    def _table(self) -> None:
        self._graph()
        if self._values is None:
            self._values, self._keys = {}, {}
            if self.root is not None:
                _fill(self.root, (), None, self._values, self._keys, self._read_key)
            self.root = None

    def loc(self, path: PathT, key: bool = False) -> Loc:
        """Position of ``path``; falls back to the nearest enclosing node (with ``key``: to its key)."""
        self._graph()
        if self._values is None and self.root is not None:
            line, column = self._walk(tuple(path), key)
            return Loc(self.file, line, column)
        table = self.keys if key else self.values
        p = tuple(path)
        while True:
            pos = table.get(p)
            if pos is None and key:
                pos = self.values.get(p)
            if pos is not None:
                return Loc(self.file, pos[0], pos[1])
            if not p:
                return Loc(self.file, 1, 1)
            p = p[:-1]

    def _read_key(self, knode: Any) -> Any:
        if knode.tag == _STR_TAG or self.key_reader is None:
            return knode.value
        return self.key_reader(knode)

    def _walk(self, path: PathT, key: bool) -> Position:
        node, key_mark = self.root, None
        for step in path:
            child = None
            if node.id == "mapping":
                child = self._entry(node, step)
                if child is not None:
                    key_mark, child = child[0].start_mark, child[1]
            elif node.id == "sequence" and isinstance(step, int) and 0 <= step < len(node.value):
                key_mark, child = None, node.value[step]
            if child is None:
                break
            node = child
        mark = key_mark if key and key_mark is not None else node.start_mark
        return mark.line + 1, mark.column + 1

    def _entry(self, mapping: Any, step: Any) -> tuple[Any, Any] | None:
        for key, knode, vnode in _pairs(mapping, self._read_key):
            if key == step:
                return knode, vnode
        return None


def _pairs(mapping: Any, read_key: Callable[[Any], Any]) -> Iterator[tuple[Any, Any, Any]]:
    """(key, key node, value node) of each entry of a mapping node as the data has it: the keys
    written in it, then those a YAML merge key (``<<: *base``, ``<<: [*a, *b]``) brings in and
    the mapping does not write (the first merged mapping that has a key gives it)."""
    merges: list[Any] = []
    seen: set[Any] = set()
    for knode, vnode in mapping.value:
        if knode.tag == _MERGE_TAG:
            merges.extend(vnode.value if vnode.id == "sequence" else [vnode])
        elif knode.id == "scalar":
            key = knode.value if knode.tag == _STR_TAG else read_key(knode)
            seen.add(key)
            yield key, knode, vnode
    for merged in merges:
        if merged.id != "mapping":
            continue
        for key, knode, vnode in _pairs(merged, read_key):
            if key not in seen:
                seen.add(key)
                yield key, knode, vnode


def _fill(node: Any, path: PathT, key_mark: Any, values: dict[PathT, Position], keys: dict[PathT, Position],
          read_key: Callable[[Any], Any]) -> None:
    """Table the position of ``node`` and of everything under it (a merged-in entry: where the
    merged mapping writes it)."""
    mark = node.start_mark
    values[path] = (mark.line + 1, mark.column + 1)
    if key_mark is not None:
        keys[path] = (key_mark.line + 1, key_mark.column + 1)
    if node.id == "mapping":
        for key, knode, vnode in _pairs(node, read_key):
            _fill(vnode, path + (key,), knode.start_mark, values, keys, read_key)
    elif node.id == "sequence":
        for i, item in enumerate(node.value):
            _fill(item, path + (i,), None, values, keys, read_key)


class LoadReason(str, Enum):
    """Why a file could not be loaded, for callers that treat the cases apart (issue 19: a load
    error carries a reason; nobody reads it from the message)."""

    INVALID = "invalid"  # not the YAML data kvnet reads (tags, duplicate keys, bounds...)
    UNREADABLE = "unreadable"  # the operating system refused to read it
    NOT_UTF8 = "not-utf8"  # its bytes are not UTF-8 text
    SYNTAX = "syntax"  # a YAML syntax error at a position; its message starts with SYNTAX_ERROR


SYNTAX_ERROR = "YAML syntax error: "


class LoadError(Exception):
    """A file that cannot be loaded: its positioned diagnostic and the reason."""

    def __init__(self, diag: Diagnostic, reason: LoadReason = LoadReason.INVALID) -> None:
        super().__init__(diag.message)
        self.diag = diag
        self.reason = reason
