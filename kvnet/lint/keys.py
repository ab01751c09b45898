"""Kubernetes objects have string keys only (issue 27: a fuzzed manifest with a ``3:`` or
``!!binary`` key crashed lint and import).

A Kubernetes object is JSON (RFC 8259 §4: an object's member names are strings); YAML lets a
key be any value (YAML 1.1 §2: ``3``, ``true``, ``2001-12-14``, ``!!binary``, ``~`` read as an
int, a bool, a date, bytes, null). kubectl turns some of those into strings and refuses others
(sigs.k8s.io/yaml, ``convertToJSONableObject``); kvnet reports the first such key of an object
at its position, asks for it quoted, and leaves that object out of the rest of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.document import Document, PathT
from kvnet.input.model import is_plan_document


_KINDS = {"NoneType": "null", "bool": "a boolean", "int": "an integer", "float": "a float", "bytes": "binary data",
          "date": "a date", "datetime": "a timestamp", "tuple": "a sequence"}


def _shown(key: Any) -> str:
    if key is None or isinstance(key, bool):
        return "null" if key is None else str(key).lower()
    return repr(key) if isinstance(key, bytes) else str(key)


def first_non_string_key(data: Any, path: PathT = ()) -> PathT | None:
    """The path of the first mapping key of ``data`` (depth first, in input order) that is no
    string, the key itself last; None if every key is a string."""
    stack: list[tuple[Any, PathT]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    return where + (key,)
            stack.extend(reversed([(v, where + (k,)) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(v, where + (i,)) for i, v in enumerate(value)]))
    return None


def string_keyed(docs: Sequence[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """``docs`` without the non-plan documents that hold a key no string (a plan's such keys
    are its schema's unknown fields), and a KV102 error at the first such key of each."""
    kept: list[Document] = []
    found: list[Diagnostic] = []
    for doc in docs:
        bad = None if is_plan_document(doc.data) else first_non_string_key(doc.data)
        if bad is None:
            kept.append(doc)
            continue
        key = bad[-1]
        found.append(error("KV102", f"key {_shown(key)} is read as {_KINDS.get(type(key).__name__, 'a value')}, "
                           "not a string: Kubernetes "
                           "objects are JSON, whose keys are strings", doc.loc(bad, key=True),
                           hint="quote the key"))
    return kept, found
