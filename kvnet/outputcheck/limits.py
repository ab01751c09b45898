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


def size_problem(obj: dict[str, Any]) -> str | None:
    """Why Kubernetes would refuse ``obj`` for its size, or None."""
    payload = data_size(obj)
    if payload > MAX_DATA_BYTES:
        return (f"its data is {payload} bytes; Kubernetes accepts at most {MAX_DATA_BYTES} bytes "
                f"in a {obj.get('kind')}")
    encoded = len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())
    if encoded > MAX_OBJECT_BYTES:
        return f"it is {encoded} bytes as JSON; etcd refuses objects over {MAX_OBJECT_BYTES} bytes"
    return None
