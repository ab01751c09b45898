"""Plain data and position tables from a composed YAML node graph (the loader's hot path)."""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error, shorten
from kvnet.input.bounds import BoundError, Budget, check_scalar
from kvnet.input.document import Document, LoadError, PathT

MAX_DEPTH = 200
_STR_TAG = "tag:yaml.org,2002:str"
#: what PyYAML's constructors raise, besides YAMLError, for an explicit tag whose value they
#: cannot convert (``!!int ''``: IndexError, ``!!bool maybe``: KeyError, ``!!timestamp x``: AttributeError)
CONSTRUCT_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, ArithmeticError)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _short(value: Any) -> str:
    """``value`` quoted for a message, cut short."""
    return shorten(repr(value if isinstance(value, str) else str(value)), 60)


def _tag_name(tag: str) -> str:
    """``!!int`` for ``tag:yaml.org,2002:int``."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else _short(tag)


class NodeBuilder:
    """Turn a composed node graph into plain data, with its positions.

    The hot path of every run (a 1,000-VM build output has ~150,000 nodes): a string scalar,
    most nodes, costs a class test and a tag compare; the budget is counted in local attributes
    and settled with the run's :class:`Budget` once the document is built. ``track_aliases=False``
    (text without ``&``: no anchor, so no alias) skips remembering every node to tell an alias
    expansion from a first visit.

    Positions: by default the document keeps the node graph and looks each one up when asked
    (:class:`Document`); ``table=True`` fills its ``values``/``keys`` tables while building
    (a lenient load, ``strict_values=False``, records its suspect values by path anyway).
    """

    def __init__(self, doc: Document, budget: Budget, strict_values: bool = True,
                 track_aliases: bool = True, table: bool = False) -> None:
        self.doc = doc
        self.table = table
        self.values = doc.values if table else {}
        self.keys = doc.keys if table else {}
        self.budget = budget
        self.strict_values = strict_values
        self.seen_ids: set[int] | None = set() if track_aliases else None
        self.other_keys = False  # a mapping key that is no string was built
        self.nodes = budget.nodes
        self.aliases = budget.aliases
        import yaml

        self._constructor = yaml.SafeLoader("")  # used only to resolve scalar values
        self.MappingNode = yaml.MappingNode
        self.ScalarNode = yaml.ScalarNode

    def _loc(self, node: Any) -> Loc:
        mark = node.start_mark
        return Loc(self.doc.file, mark.line + 1, mark.column + 1)

    def build_document(self, node: Any) -> Any:
        """The data of a document's root ``node``; the budget is settled even when it fails."""
        try:
            data = self.build(node, (), record=self.table)
            self.doc.string_keys = not self.other_keys
            if not self.table:
                self.doc.root, self.doc.key_reader = node, self.read_key
            return data
        finally:
            self.budget.nodes, self.budget.aliases = self.nodes, self.aliases

    def _count(self, node: Any) -> None:
        """Account one node built; KV003 past the run's node or alias bound (kvnet.input.bounds)."""
        self.nodes -= 1
        if self.seen_ids is not None or self.nodes < 0:
            self._track(node)

    def _track(self, node: Any) -> None:
        """The rarer part of :meth:`_count`: alias expansions, and the bounds once crossed."""
        if self.seen_ids is not None:
            nid = id(node)
            if nid in self.seen_ids:  # a second visit of the same node is an alias expansion
                self.aliases -= 1
            else:
                self.seen_ids.add(nid)
        if self.nodes < 0 or self.aliases < 0:
            self.budget.nodes, self.budget.aliases = self.nodes, self.aliases
            try:
                self.budget.check(self._loc(node))
            except BoundError as exc:
                raise LoadError(exc.diag) from None

    def build(self, node: Any, path: PathT, depth: int = 0, record: bool = True) -> Any:
        if depth > MAX_DEPTH:
            raise LoadError(error("KV003", f"document nests deeper than {MAX_DEPTH} levels", self._loc(node)))
        self.nodes -= 1  # _count, inline: this runs for every node
        if self.seen_ids is not None or self.nodes < 0:
            self._track(node)
        if record:
            mark = node.start_mark
            self.values[path] = (mark.line + 1, mark.column + 1)
        cls = node.__class__
        if cls is self.ScalarNode:
            if node.tag == _STR_TAG:
                # what construct_yaml_str returns, without its dispatch (most scalars); check_scalar
                # has nothing to say about a string
                return node.value
            return self._scalar(node, path)
        if cls is self.MappingNode:
            if node.tag != _MAP_TAG:
                self._collection_tag(node, "mapping")
            return self._mapping(node, path, depth, record)
        if node.tag != _SEQ_TAG:
            self._collection_tag(node, "sequence")
        if not record:  # no path is made: nothing would use it
            return [self.build(item, path, depth + 1, False) for item in node.value]
        return [self.build(item, path + (i,), depth + 1, record) for i, item in enumerate(node.value)]

    def _mapping(self, node: Any, path: PathT, depth: int, record: bool) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: set[Any] | None = None  # keys a '<<' merge gave; a key written in the mapping overrides them
        keys = self.keys
        fast_keys = depth < MAX_DEPTH  # a key one level deeper than the bound is refused by build()
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                merged = merged if merged is not None else set()
                self._merge(out, merged, vnode, self.build(vnode, path, depth + 1, record=False))
                continue
            if fast_keys and knode.__class__ is self.ScalarNode and knode.tag == _STR_TAG:
                self._count(knode)
                key = knode.value
            else:
                key = self.build(knode, path + ("<key>",), depth + 1, record=False)
                self.other_keys = self.other_keys or type(key) is not str
                if isinstance(key, (dict, list)):
                    raise LoadError(error("KV001", f"a {'mapping' if isinstance(key, dict) else 'sequence'} "
                                          "is used as a mapping key; keys must be scalars", self._loc(knode)))
            if key in out:
                if merged is None or key not in merged:
                    raise LoadError(self._duplicate(node, knode, key))
                merged.discard(key)
            if record:
                kpath = path + (key,)
                mark = knode.start_mark
                keys[kpath] = (mark.line + 1, mark.column + 1)
                out[key] = self.build(vnode, kpath, depth + 1, True)
            else:
                out[key] = self.build(vnode, path, depth + 1, False)
        return out

    def _merge(self, out: dict[Any, Any], merged: set[Any], vnode: Any, value: Any) -> None:
        """YAML merge key: the mappings of ``value`` fill keys not yet in ``out`` (first one wins).
        Anything but a mapping or a list of mappings is KV001 (PyYAML's safe loader refuses it too)."""
        for m in value if isinstance(value, list) else [value]:
            if not isinstance(m, dict):
                raise LoadError(error("KV001", f"a merge key ('<<') takes a mapping or a list of mappings, not "
                                      f"{_short(m)}", self._loc(vnode), hint="merge an anchored mapping: <<: *name"))
            for k, v in m.items():
                if k not in out:
                    out[k] = v
                    merged.add(k)

    def _duplicate(self, mapping: Any, knode: Any, key: Any) -> Diagnostic:
        """KV002 at the second ``key`` of ``mapping``, naming the line of the first (written the same,
        or another way to write the same value: 1, true and 1.0 are one key once read)."""
        first = next((k for k, _ in mapping.value if k is not knode and k.__class__ is knode.__class__
                      and (k.value == knode.value or self._same_key(k, key))), None)
        if first is None:
            return error("KV002", f"duplicate key {_short(key)}", self._loc(knode),
                         hint="YAML keeps only one of them; remove or rename the other")
        where = f" (first at line {first.start_mark.line + 1})"
        if first.value == knode.value:
            return error("KV002", f"duplicate key {_short(key)}{where}", self._loc(knode),
                         hint="YAML keeps only one of them; remove or rename the other")
        return error("KV002", f"key {_short(knode.value)} is the same key as {_short(first.value)}{where}: "
                     "YAML reads them as equal values", self._loc(knode),
                     hint="quote the keys to keep them apart as strings, or remove one")

    def _same_key(self, knode: Any, key: Any) -> bool:
        if knode.__class__ is not self.ScalarNode or knode.tag == "tag:yaml.org,2002:merge":
            return False
        try:
            other = self.read_key(knode)
        except Exception:  # noqa: BLE001 - a key that does not read is no equal of this one
            return False
        return bool(other == key)

    def _collection_tag(self, node: Any, kind: str) -> None:
        """KV001 for a mapping or sequence under another tag (``!!python/tuple [1]``, ``!!set``,
        ``!custom {}``): read as a plain one it would pass through to YAML readers that refuse it."""
        raise LoadError(error("KV001", f"a {kind} tagged {_tag_name(node.tag)} is not plain YAML data",
                              self._loc(node), hint=f"drop the tag: Kubernetes reads a plain {kind}"))

    def read_key(self, node: Any) -> Any:
        """The data of a scalar (key) node (1, true, null...), as PyYAML's safe loader makes it.

        An explicit tag its constructor cannot convert (``!!int 0x``, ``!!bool maybe``,
        ``!!timestamp 2001-13-45``: PyYAML raises ValueError, KeyError... from its
        ``construct_yaml_*``) is KV001 at the node."""
        try:
            return self._constructor.construct_object(node, deep=False)
        except CONSTRUCT_ERRORS:
            raise LoadError(error("KV001", f"{_short(node.value)} is not a valid {_tag_name(node.tag)}",
                                  self._loc(node), hint="quote the value, or drop the explicit tag")) from None

    def _scalar(self, node: Any, path: PathT) -> Any:
        value = self.read_key(node)
        try:
            check_scalar(node, value, self._loc(node))
        except BoundError as exc:
            if self.strict_values:
                raise LoadError(exc.diag) from None
            self.doc.suspect_values.setdefault(path, exc.diag)
        return value
