"""``yaml.load(text, Loader=yaml.CSafeLoader)``, built faster: small YAML texts embedded in
objects (a VM's userData, kvnet's own networkData read back by ``explain``), read one by one.

libyaml composes the node graph as before (tags from kvnet.input.loader's memoised resolver,
the same as PyYAML's); the data is then built here where the graph holds only
what PyYAML's SafeConstructor builds by a plain rule (pyyaml lib/yaml/constructor.py:
``construct_yaml_str``, ``construct_yaml_bool``, ``construct_yaml_null``, ``construct_yaml_int``
for a decimal integer, ``construct_yaml_map``/``construct_yaml_seq`` of string keys), and by
SafeConstructor itself for anything else (other tags, merge keys, non-string keys, deep nesting).
SafeConstructor's generic dispatch was most of reading a small text (issue 28).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kvnet.input.loader import loader_class

_OTHER = object()  # a node left to SafeConstructor
_BOOL = yaml.constructor.SafeConstructor.bool_values
_TAG = "tag:yaml.org,2002:"
_STR, _BOOL_TAG, _NULL, _INT, _MAP, _SEQ = (_TAG + t for t in ("str", "bool", "null", "int", "map", "seq"))
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # construct_yaml_int reads these as int() does
MAX_DEPTH = 100  # deeper graphs are SafeConstructor's (its recursion, its RecursionError)


def available() -> bool:
    """True when PyYAML was built with libyaml (``yaml.CSafeLoader``)."""
    return hasattr(yaml, "CSafeLoader")


def load(text: str) -> Any:
    """The data of the single document of ``text`` as ``yaml.load(text, Loader=CSafeLoader)``
    returns it (None without a document); raises what it raises (yaml.YAMLError, and the
    constructor errors of a bad explicit tag). Needs :func:`available`."""
    loader = loader_class("Safe")(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        data = _plain(node, {}, 0)
        return loader.construct_document(node) if data is _OTHER else data
    finally:
        loader.dispose()


def _scalar(node: Any) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _BOOL_TAG:
        return _BOOL.get(value.lower(), _OTHER)
    if tag == _NULL:
        return None
    if tag == _INT and _DECIMAL.fullmatch(value):
        return int(value)
    return _OTHER


def _plain(node: Any, memo: dict[int, Any], depth: int) -> Any:
    """SafeConstructor's data for ``node``, or _OTHER; an alias gives the same object again."""
    if node.__class__ is yaml.ScalarNode:
        return _scalar(node)
    if id(node) in memo or depth > MAX_DEPTH:
        return memo.get(id(node), _OTHER)
    if node.tag == _MAP and node.__class__ is yaml.MappingNode:
        out: dict[str, Any] = {}
        memo[id(node)] = out
        for knode, vnode in node.value:
            value = _plain(vnode, memo, depth + 1)
            if knode.__class__ is not yaml.ScalarNode or knode.tag != _STR or value is _OTHER:
                return _OTHER  # a merge key, a key of another type, a value of another type
            out[knode.value] = value
        return out
    if node.tag != _SEQ or node.__class__ is not yaml.SequenceNode:
        return _OTHER
    items: list[Any] = []
    memo[id(node)] = items
    for item in node.value:
        value = _plain(item, memo, depth + 1)
        if value is _OTHER:
            return _OTHER
        items.append(value)
    return items
