"""Load YAML documents with the position of every node.

PyYAML's libyaml ``compose`` gives line/column marks on every node at C speed
(ruamel.yaml's round-trip loader is ~15x slower on a 1,000-VM plan). We build
plain Python data ourselves from the node graph, which lets us reject duplicate
keys, bound alias expansion and record a position for every path.
"""

from __future__ import annotations

import os
import re
from functools import partial
from typing import Any, Iterator

from kvnet.diagnostics import Loc, error
from kvnet.input.bounds import BoundError, Budget, limits, decode_error_loc, document_texts, \
    prescan, reader_error_loc
from kvnet.input.document import SYNTAX_ERROR, Document, LoadError, LoadReason, PathT
from kvnet.input.nodes import MAX_DEPTH, NodeBuilder
from kvnet.input.tabs import first_bad_tab, tab_error

__all__ = ["MAX_DEPTH", "SYNTAX_ERROR", "Budget", "Document", "LoadError",
           "LoadReason", "load_file", "load_text", "iter_yaml_files", "PathT"]

def _yaml() -> Any:
    import yaml

    return yaml


_LOADERS: dict[str, Any] = {}


def loader_class(kind: str = "Safe") -> Any:
    """PyYAML's ``CSafeLoader`` (``kind="Base"``: ``CBaseLoader``, every scalar a string; the
    pure-Python one without libyaml) with a faster resolver, the same tags.

    libyaml calls the Python resolver for every node it composes. A plain scalar's tag depends
    on its text alone (PyYAML's implicit resolvers), and a manifest repeats the same plain values
    (``true``, ``bridge``, ``eth0``) thousands of times: they go through a memo. Every other node
    gets the default tag of its kind, as PyYAML's resolver gives it when no path resolver is
    registered (none is, for these loaders)."""
    if kind in _LOADERS:
        return _LOADERS[kind]
    yaml = _yaml()
    base = getattr(yaml, f"C{kind}Loader", getattr(yaml, f"{kind}Loader"))
    if base.yaml_path_resolvers:  # somebody registered one: keep PyYAML's resolver
        _LOADERS[kind] = base
        return base
    memo: dict[str, str] = {}
    scalar_node = yaml.ScalarNode
    defaults = {scalar_node: base.DEFAULT_SCALAR_TAG, yaml.SequenceNode: base.DEFAULT_SEQUENCE_TAG,
                yaml.MappingNode: base.DEFAULT_MAPPING_TAG}

    class FastResolveLoader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is scalar_node and implicit[0]:
                tag = memo.get(value)
                if tag is None:
                    tag = base.resolve(self, kind, value, implicit)
                    if len(memo) < 4096 and len(value) < 64:
                        memo[value] = tag
                return tag
            return defaults[kind]

    _LOADERS[kind] = FastResolveLoader
    return FastResolveLoader


def _read(path: str, shown: str, budget: Budget) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits().file_bytes + 1)  # a special file may report no size: read no more
            budget.take_bytes(max(len(raw), os.fstat(fh.fileno()).st_size), Loc(shown))
    except BoundError as exc:
        raise LoadError(exc.diag) from None
    except OSError as exc:
        raise LoadError(error("KV004", f"cannot read file: {exc.strerror or exc}", Loc(shown)),
                        LoadReason.UNREADABLE) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(error("KV001", f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                              decode_error_loc(raw, exc, shown)), LoadReason.NOT_UTF8) from None


_BRACKETS = re.compile(r"[^\[\]{}]+")


def _check_nesting(text: str, shown: str, pieces: list[str]) -> None:
    """Refuse input nested deeper than MAX_DEPTH before composing it.

    libyaml's composer recurses in C and crashes the process on a few tens of
    thousands of nested flow collections; its event parser does not recurse.
    Only flow collections can nest that deep within the file size bound, so
    the events are walked only when the brackets alone could go that deep: first
    counted per document (``pieces``, kvnet.input.bounds.document_texts), then nested.
    """
    if all(p.count("[") + p.count("{") <= MAX_DEPTH for p in pieces):
        return
    rough = 0
    depth = 0
    for ch in _BRACKETS.sub("", text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        rough = max(rough, depth)
    if rough <= MAX_DEPTH:
        return
    yaml = _yaml()
    level = 0
    for event in yaml.parse(text, Loader=loader_class()):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            level += 1
            if level > MAX_DEPTH:
                mark = event.start_mark
                raise LoadError(error("KV003", f"document nests deeper than {MAX_DEPTH} levels",
                                      Loc(shown, mark.line + 1, mark.column + 1)))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            level -= 1


def _documents(text: str, shown: str, source: str, budget: Budget, strict_values: bool) -> list[Document]:
    """Compose and build every document of ``text`` (each keeps its node graph for positions)."""
    loader = loader_class()(text)
    track_aliases = "&" in text  # without an anchor there is no alias to expand
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            doc = Document(shown, len(docs), None, source, recompose=partial(_compose, text, len(docs)))
            if node is not None:
                doc.data = NodeBuilder(doc, budget, strict_values, track_aliases,
                                       table=not strict_values).build_document(node)
            docs.append(doc)
    finally:
        loader.dispose()
    return docs


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
    budget.take_text(text)
    try:
        pieces = document_texts(text)
        _check_nesting(text, shown, pieces)
        prescan(text, shown, budget, loader_class(), max(map(len, pieces)))
        tab = first_bad_tab(text, loader_class())
        if tab is not None:  # kvnet.input.tabs: only libyaml and Go read it
            raise LoadError(tab_error(text, tab, shown))
        docs = _documents(text, shown, shown if source is None else source, budget, strict_values)
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
        msg = yaml_error_text(exc)
        raise LoadError(error("KV001", SYNTAX_ERROR + msg, Loc(shown, line, col)), LoadReason.SYNTAX) from None
    except yaml.YAMLError as exc:
        raise LoadError(error("KV001", f"YAML error: {yaml_error_text(exc)}", Loc(shown))) from None
    except RecursionError:
        raise LoadError(error("KV003", "document nests too deeply", Loc(shown))) from None
    return docs


def _compose(text: str, index: int) -> Any:
    """The node graph of document ``index`` of ``text``, composed again (Document.release)."""
    loader = loader_class()(text)
    try:
        node = None
        for _ in range(index + 1):
            loader.check_node()
            node = loader.get_node()
        return node
    finally:
        loader.dispose()


def yaml_error_text(exc: Exception) -> str:
    """One line of what PyYAML says is wrong: the context and the problem of a marked error
    ("while scanning a quoted scalar found unexpected end of stream"), else its first line."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = " ".join(p for p in parts if isinstance(p, str) and p).replace("\n", " ")
    return text or (str(exc).splitlines() or ["invalid YAML"])[0]


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
