"""Mapping keys YAML reads as no string (issue 27): where the first one stands, and its KV102.

A Kubernetes object is JSON (RFC 8259 §4: an object's member names are strings); YAML lets a
key be any value (YAML 1.1 §2: ``3``, ``true``, ``2001-12-14``, ``!!binary``, ``~`` read as an
int, a bool, a date, bytes, null). kubectl turns some of those into strings and refuses others
(sigs.k8s.io/yaml, ``convertToJSONableObject``). Used by lint (manifests) and by the plan schema
stage (a plan's free-form maps: labels, annotations, nodeSelector, template).
"""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.document import Document, PathT

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


def document_non_string_key(doc: Document) -> PathT | None:
    """:func:`first_non_string_key` of ``doc.data``, without walking the data when the loader
    saw only string keys while building it (``Document.string_keys``; issue 28: the walk was
    ~2% of a build and ~5% of a lint of a 1,000-VM manifest)."""
    return None if doc.string_keys else first_non_string_key(doc.data)


def key_problem(doc: Document, bad: PathT) -> Diagnostic:
    """KV102 at the non-string key that ``bad`` (from :func:`first_non_string_key`) ends with."""
    key = bad[-1]
    return error("KV102", f"key {_shown(key)} is read as {_KINDS.get(type(key).__name__, 'a value')}, "
                 "not a string: Kubernetes objects are JSON, whose keys are strings", doc.loc(bad, key=True),
                 hint="quote the key")
