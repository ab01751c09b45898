"""YAML texts embedded in objects (cloud-init networkData): many small texts read at once.

Each text is read as PyYAML's ``BaseLoader`` reads it: every scalar a string (an unquoted MAC
stays a MAC; the safe loader reads ``02:5e:10:00:00:20`` as a base-60 integer), mappings as
dicts, sequences as lists, no merge keys. Starting libyaml costs more than reading a small
text, so texts that can only be one document each are read as one stream, cut apart by the
document start markers put between them; every other text, and every text of a stream that
fails, is read on its own, so results and error messages are PyYAML's.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from kvnet.input.loader import loader_class, yaml_error_text

# text that reads otherwise in a stream: a document marker or a directive at the start of a
# line, a line break libyaml knows besides \n (a marker could follow it), a BOM, or a block
# scalar that keeps its final line breaks (the \n put after the text would be one more)
_NOT_ALONE = re.compile(r"^(?:---|\.\.\.)(?:[ \t\n]|$)|^%|\r|\x85|\u2028|\u2029|\ufeff|[|>](?:[1-9]?\+|\+)",
                        re.M)


class Unreadable:
    """A text PyYAML cannot read: the first line of its error."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"Unreadable({self.message!r})"


def read_texts(texts: Sequence[str]) -> list[Any]:
    """The data of each text (None for a text without a document), or :class:`Unreadable`."""
    batch = [i for i, t in enumerate(texts) if not _NOT_ALONE.search(t)]
    done = _read_stream([texts[i] for i in batch]) if len(batch) > 1 else None
    read = dict(zip(batch, done, strict=True)) if done is not None else {}
    return [read[i] if i in read else _read_one(text) for i, text in enumerate(texts)]


def _read_one(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except yaml.YAMLError as exc:
        return Unreadable(yaml_error_text(exc))


def _read_stream(texts: Sequence[str]) -> list[Any] | None:
    """Every text as one document of one stream; None when the stream does not read as
    exactly one document per text into plain data (then each is read on its own)."""
    import yaml

    loader = loader_class("Base")("".join(f"---\n{t}\n" for t in texts))
    docs: list[Any] = []
    try:
        while loader.check_node():
            root = loader.get_node()
            # a document of nothing but comments: PyYAML reads that text alone as no document
            empty = root.__class__ is yaml.ScalarNode and root.value == "" and not root.style
            docs.append(None if empty else _plain(root, {}, yaml.ScalarNode, yaml.MappingNode))
    except (yaml.YAMLError, TypeError):  # TypeError: an unhashable key; PyYAML words that one
        return None
    finally:
        loader.dispose()
    return docs if len(docs) == len(texts) else None


def _plain(node: Any, memo: dict[int, Any], scalar: type, mapping: type) -> Any:
    """What BaseConstructor makes of ``node``; an alias gives the same object again."""
    cls = node.__class__
    if cls is scalar:
        return node.value
    made = memo.get(id(node))
    if made is not None:
        return made
    if cls is mapping:
        out: dict[Any, Any] = {}
        memo[id(node)] = out
        for knode, vnode in node.value:
            out[_plain(knode, memo, scalar, mapping)] = _plain(vnode, memo, scalar, mapping)
        return out
    items: list[Any] = []
    memo[id(node)] = items
    items.extend(_plain(n, memo, scalar, mapping) for n in node.value)
    return items
