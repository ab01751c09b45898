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

from kvnet.diagnostics import Diagnostic
from kvnet.input.document import Document
from kvnet.input.keys import document_non_string_key, key_problem
from kvnet.input.model import is_plan_document


def string_keyed(docs: Sequence[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """``docs`` without the non-plan documents that hold a key no string (a plan's such keys
    are its schema's unknown fields), and a KV102 error at the first such key of each."""
    kept: list[Document] = []
    found: list[Diagnostic] = []
    for doc in docs:
        bad = None if is_plan_document(doc.data) else document_non_string_key(doc)
        if bad is None:
            kept.append(doc)
            continue
        found.append(key_problem(doc, bad))
    return kept, found
