"""Deep merge of a user's raw template fragment (SPEC §2 ``template``)."""

from __future__ import annotations

import copy
from typing import Any


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items)


def deep_merge(base: Any, overlay: Any) -> Any:
    """Maps merge key by key; lists of named items merge by name; other lists and scalars replace."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for k, v in overlay.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(overlay, list) and _named(base) and _named(overlay):
        out_list = list(base)
        index = {item["name"]: i for i, item in enumerate(out_list)}
        for item in overlay:
            if item["name"] in index:
                out_list[index[item["name"]]] = deep_merge(out_list[index[item["name"]]], item)
            else:
                out_list.append(copy.deepcopy(item))
        return out_list
    return copy.deepcopy(overlay)
