"""Size limits the Kubernetes API server and etcd enforce, checked on each emitted object (KV108).

* Secret: the decoded bytes of all ``data`` values (and ``stringData``) may total at most 1 MiB
  (``MaxSecretSize``, k8s.io/kubernetes pkg/apis/core/validation ValidateSecret).
* ConfigMap: ``data`` plus ``binaryData`` at most 1 MiB (``MaxConfigMapSize``, ValidateConfigMap).
* Any object: etcd refuses a request over 1.5 MiB (its default ``--max-request-bytes`` 1572864).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

MAX_DATA_BYTES = 1024 * 1024
MAX_OBJECT_BYTES = 1536 * 1024


def _decoded_size(value: Any) -> int:
    text = str(value)
    try:
        return len(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return len(text.encode())


def data_size(obj: dict[str, Any]) -> int:
    """Bytes of a Secret's or ConfigMap's payload as the API server counts them (0 for other kinds)."""
    kind = obj.get("kind")
    total = 0
    if kind == "Secret":
        for value in (obj.get("data") or {}).values():
            total += _decoded_size(value)
        for value in (obj.get("stringData") or {}).values():
            total += len(str(value).encode())
    elif kind == "ConfigMap":
        for value in (obj.get("data") or {}).values():
            total += len(str(value).encode())
        for value in (obj.get("binaryData") or {}).values():
            total += _decoded_size(value)
    return total


#: JSON bytes per character of the object's YAML document, at most: a character of a string is
#: one byte or more in kvnet's YAML and at most six in compact JSON (a control character, \u00XX,
#: which YAML writes escaped too; UTF-8 is at most four bytes either way); the syntax around a
#: key or value (JSON: quotes, colon, comma, brackets; YAML: at least ": " or "- " and a line
#: break) is at most a few bytes more per scalar in JSON, never six times YAML's.
JSON_PER_YAML_CHAR = 6


def size_problem(obj: dict[str, Any], yaml_chars: int | None = None) -> str | None:
    """Why Kubernetes would refuse ``obj`` for its size, or None. ``yaml_chars``: the length of
    its YAML document when known (kvnet.rendering): a document short enough that its JSON
    cannot reach etcd's bound (:data:`JSON_PER_YAML_CHAR`) is not encoded as JSON to be measured
    (issue 28: that took ~4% of a 5,000-VM build)."""
    payload = data_size(obj)
    if payload > MAX_DATA_BYTES:
        return (f"its data is {payload} bytes; Kubernetes accepts at most {MAX_DATA_BYTES} bytes "
                f"in a {obj.get('kind')}")
    if yaml_chars is not None and yaml_chars * JSON_PER_YAML_CHAR <= MAX_OBJECT_BYTES:
        return None
    encoded = len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())
    if encoded > MAX_OBJECT_BYTES:
        return f"it is {encoded} bytes as JSON; etcd refuses objects over {MAX_OBJECT_BYTES} bytes"
    return None
