"""Access to data files shipped inside the package (schemas, templates)."""

from __future__ import annotations

from importlib import resources


def read_schema(name: str) -> str:
    """Text of ``kvnet/schemas/<name>`` (``name`` may contain a sub folder)."""
    ref = resources.files("kvnet").joinpath("schemas")
    for part in name.split("/"):
        ref = ref.joinpath(part)
    return ref.read_text(encoding="utf-8")


def read_data(name: str) -> str:
    """Text of ``kvnet/data/<name>``."""
    return resources.files("kvnet").joinpath("data").joinpath(name).read_text(encoding="utf-8")
