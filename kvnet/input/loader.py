"""Load YAML documents with the position of every node.

PyYAML's libyaml ``compose`` gives line/column marks on every node at C speed
(ruamel.yaml's round-trip loader is ~15x slower on a 1,000-VM plan). We build
plain Python data ourselves from the node graph, which lets us reject duplicate
keys, bound alias expansion and record a position for every path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.bounds import MAX_ALIAS_NODES, MAX_FILE_BYTES, BoundError, Budget, check_scalar, prescan, \
    reader_error_loc

__all__ = ["MAX_ALIAS_NODES", "MAX_FILE_BYTES", "MAX_DEPTH", "Budget", "Document", "LoadError", "load_file",
           "load_text", "iter_yaml_files"]
MAX_DEPTH = 200

PathT = tuple[Any, ...]
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class Document:
    """One YAML document: its data and where each value (and each key) sits."""

    file: str  # path as shown to the user in diagnostics
    index: int  # document index within the file
    data: Any
    source: str = ""  # path relative to the plan root (kvnet.dev/source)
    values: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    # KV106/KV107 values found by a lenient load (``strict_values=False``), by path
    suspect_values: dict[PathT, Diagnostic] = field(default_factory=dict)

    def loc(self, path: PathT, key: bool = False) -> Loc:
        """Position of ``path``; falls back to the nearest enclosing node."""
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


class LoadError(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def _yaml() -> Any:
    import yaml

    return yaml


def _loader_class() -> Any:
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Turn a composed node graph into plain data plus position tables."""

    def __init__(self, doc: Document, budget: Budget, strict_values: bool = True) -> None:
        self.doc = doc
        self.budget = budget
        self.strict_values = strict_values
        self.seen_ids: set[int] = set()
        yaml = _yaml()
        self._constructor = yaml.SafeLoader("")  # used only to resolve scalar values
        self.MappingNode = yaml.MappingNode
        self.SequenceNode = yaml.SequenceNode

    def _mark(self, node: Any) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Any, path: PathT, depth: int = 0, record: bool = True) -> Any:
        if depth > MAX_DEPTH:
            raise LoadError(error("KV003", f"document nests deeper than {MAX_DEPTH} levels",
                                  Loc(self.doc.file, *self._mark(node))))
        nid = id(node)
        aliased = nid in self.seen_ids
        if not aliased:  # a second visit of the same node is an alias expansion
            self.seen_ids.add(nid)
        try:
            self.budget.take_node(aliased, lambda: Loc(self.doc.file, *self._mark(node)))
        except BoundError as exc:
            raise LoadError(exc.diag) from None
        if record:
            self.doc.values[path] = self._mark(node)
        if isinstance(node, self.MappingNode):
            out: dict[Any, Any] = {}
            explicit: set[Any] = set()  # keys written in this mapping; merged ('<<') keys yield to them
            for knode, vnode in node.value:
                if knode.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(vnode, path, depth + 1, record=False)
                    items = merged if isinstance(merged, list) else [merged]
                    for m in items:
                        if isinstance(m, dict):
                            for k, v in m.items():
                                if k not in explicit:
                                    out.setdefault(k, v)
                    continue
                key = self.build(knode, path + ("<key>",), depth + 1, record=False)
                if isinstance(key, (dict, list)):
                    raise LoadError(error("KV001", f"a {'mapping' if isinstance(key, dict) else 'sequence'} "
                                          "is used as a mapping key; keys must be scalars",
                                          Loc(self.doc.file, *self._mark(knode))))
                if key in explicit:
                    first = self.doc.keys.get(path + (key,))
                    where = f" (first at line {first[0]})" if first else ""
                    raise LoadError(error(
                        "KV002", f"duplicate key {key!r}{where}",
                        Loc(self.doc.file, *self._mark(knode)),
                        hint="YAML keeps only one of them; remove or rename the other"))
                if record:
                    self.doc.keys[path + (key,)] = self._mark(knode)
                explicit.add(key)
                out[key] = self.build(vnode, path + (key,), depth + 1, record)
            return out
        if isinstance(node, self.SequenceNode):
            return [self.build(item, path + (i,), depth + 1, record)
                    for i, item in enumerate(node.value)]
        if node.tag == _STR_TAG:
            # what construct_yaml_str returns, without its dispatch (most scalars); check_scalar
            # has nothing to say about a string
            return node.value
        value = self._constructor.construct_object(node, deep=False)
        try:
            check_scalar(node, value, Loc(self.doc.file, *self._mark(node)))
        except BoundError as exc:
            if self.strict_values:
                raise LoadError(exc.diag) from None
            self.doc.suspect_values.setdefault(path, exc.diag)
        return value


def _read(path: str, shown: str, budget: Budget) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # a special file may report no size: read no more
            budget.take_bytes(max(len(raw), os.fstat(fh.fileno()).st_size), Loc(shown))
    except BoundError as exc:
        raise LoadError(exc.diag) from None
    except OSError as exc:
        raise LoadError(error("KV004", f"cannot read file: {exc.strerror or exc}", Loc(shown))) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(error("KV001", f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                              Loc(shown))) from None


_BRACKETS = re.compile(r"[^\[\]{}]+")


def _check_nesting(text: str, shown: str) -> None:
    """Refuse input nested deeper than MAX_DEPTH before composing it.

    libyaml's composer recurses in C and crashes the process on a few tens of
    thousands of nested flow collections; its event parser does not recurse.
    Only flow collections can nest that deep within the file size bound, so
    the events are walked only when the brackets alone could go that deep.
    """
    rough = 0
    depth = 0
    for ch in _BRACKETS.sub("", text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        rough = max(rough, depth)
    if rough <= MAX_DEPTH:
        return
    yaml = _yaml()
    level = 0
    for event in yaml.parse(text, Loader=_loader_class()):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            level += 1
            if level > MAX_DEPTH:
                mark = event.start_mark
                raise LoadError(error("KV003", f"document nests deeper than {MAX_DEPTH} levels",
                                      Loc(shown, mark.line + 1, mark.column + 1)))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            level -= 1


def load_text(text: str, shown: str, source: str | None = None, budget: Budget | None = None,
              strict_values: bool = True) -> list[Document]:
    """Parse all documents of ``text``; raise LoadError with a positioned diagnostic.

    ``budget``: what the run has left (kvnet.input.bounds); one run passes the same budget
    to every load so that the bounds hold for the whole input. Default: a fresh one.
    ``strict_values=False`` records KV106/KV107 values in ``Document.suspect_values`` instead
    of raising (a KRM ResourceList: its items are YAML 1.2 for kustomize, only the plan is kvnet's).
    """
    yaml = _yaml()
    budget = budget if budget is not None else Budget()
    docs: list[Document] = []
    try:
        _check_nesting(text, shown)
        prescan(text, shown, budget, _loader_class())
        loader = _loader_class()(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                doc = Document(shown, index, None, source if source is not None else shown)
                if node is not None:
                    doc.data = _Builder(doc, budget, strict_values).build(node, ())
                docs.append(doc)
                index += 1
        finally:
            loader.dispose()
    except BoundError as exc:
        raise LoadError(exc.diag) from None
    except yaml.reader.ReaderError as exc:
        what = (f"control character U+{exc.character:04X} is not allowed in YAML"
                if isinstance(exc.character, int) else f"unreadable character: {exc.reason}")
        raise LoadError(error("KV001", what, reader_error_loc(text, exc.position, shown),
                              hint="remove it, or write it as an escape (\\e, \\x1b) inside a double-quoted "
                                   "string")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(s for s in (exc.context, exc.problem) if s).replace("\n", " ") or "invalid YAML"
        raise LoadError(error("KV001", f"YAML syntax error: {msg}", Loc(shown, line, col))) from None
    except yaml.YAMLError as exc:
        first = (str(exc).splitlines() or ["invalid YAML"])[0]
        raise LoadError(error("KV001", f"YAML error: {first}", Loc(shown))) from None
    except RecursionError:
        raise LoadError(error("KV003", "document nests too deeply", Loc(shown))) from None
    return docs


def load_file(path: str, shown: str, source: str | None = None, budget: Budget | None = None) -> list[Document]:
    """Read and parse one file (UTF-8, bounded: see :func:`load_text`)."""
    budget = budget if budget is not None else Budget()
    return load_text(_read(path, shown, budget), shown, source, budget)


def iter_yaml_files(directory: str) -> Iterator[str]:
    """The ``*.yaml``/``*.yml`` files of a directory (not recursive), sorted."""
    names = sorted(n for n in os.listdir(directory)
                   if n.endswith((".yaml", ".yml")) and not n.startswith("."))
    for name in names:
        full = os.path.join(directory, name)
        if not os.path.isdir(full):
            yield full  # a dangling link or special file is reported by the caller
