"""A small YAML writer for netplan documents kvnet builds itself.

networkData is written once per VM; PyYAML's representer costs ~0.6 ms each,
which dominated large plans. The data here is only mappings with plain keys,
lists, strings, integers and booleans, so a direct writer is simple and exact:
strings are always double-quoted (JSON escapes are valid YAML), so no value
can be mis-read as another type (a MAC like 02:00:00:00:00:10 would be a
sexagesimal integer in YAML 1.1 if left plain).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
#: ``json.dumps(value, ensure_ascii=False)`` of a string, without building a JSONEncoder per call
#: (json/__init__.py ``dumps`` -> encoder.py ``JSONEncoder.encode``: a str is ``encode_basestring``)
_quoted = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quoted(value)
    raise TypeError(f"netplan writer: unsupported value {value!r}")


@functools.lru_cache(maxsize=256)
def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) and key not in ("true", "false", "null", "yes", "no", "on", "off") \
        else json.dumps(key)


def _lines(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_key(k)}:")
                _lines(v, indent + 2, out)
            elif isinstance(v, (dict, list)):
                out.append(f"{pad}{_key(k)}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                out.append(f"{pad}{_key(k)}: {_scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _lines(item, indent + 2, sub)
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                out.extend(sub)
            elif isinstance(item, list) and item:
                raise TypeError("netplan writer: nested lists are not supported")
            else:
                out.append(f"{pad}- {_scalar(item) if not isinstance(item, (dict, list)) else '{}'}")
    else:
        raise TypeError(f"netplan writer: top level must be a mapping, got {value!r}")


def dump(document: dict[str, Any]) -> str:
    out: list[str] = []
    _lines(document, 0, out)
    return "".join(line + "\n" for line in out)
