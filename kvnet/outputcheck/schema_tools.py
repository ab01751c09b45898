"""Helpers for the JSON Schemas kvnet ships."""

from __future__ import annotations

from typing import Any, Callable

# resolve(ref, base) -> (target schema, base of the target); base names the current file
Resolver = Callable[[str, str], "tuple[Any, str]"]


def inline_refs(schema: Any, resolve: Resolver, base: str = "", _stack: tuple[str, ...] = ()) -> Any:
    """A copy of ``schema`` with every ``$ref`` replaced by its (inlined) target.

    jsonschema spends a large share of its time resolving references; kvnet's
    schemas are not recursive, so they can be flattened once at load time.
    """
    if isinstance(schema, list):
        return [inline_refs(item, resolve, base, _stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    out = {k: inline_refs(v, resolve, base, _stack) for k, v in schema.items()
           if k not in ("$ref", "$defs", "definitions")}
    if ref is None:
        return out
    key = f"{base}|{ref}"
    if key in _stack:
        raise ValueError(f"recursive $ref {ref!r} cannot be inlined")
    target, target_base = resolve(ref, base)
    target = inline_refs(target, resolve, target_base, _stack + (key,))
    if isinstance(target, dict):
        target = {k: v for k, v in target.items() if k not in ("$id", "$schema")}
    siblings = {k: v for k, v in out.items() if k not in ("description", "title", "$comment")}
    if not siblings:
        return target
    return {"allOf": [target, siblings]}


def _pointer(node: Any, pointer: str) -> Any:
    for part in [p for p in pointer.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def file_resolver(files: dict[str, Any]) -> Resolver:
    """Resolve ``file.json#/pointer`` and ``#/pointer`` among ``files`` (name -> schema)."""

    def resolve(ref: str, base: str) -> tuple[Any, str]:
        name, _, pointer = ref.partition("#")
        name = name.rsplit("/", 1)[-1] or base
        return _pointer(files[name], pointer), name

    return resolve


def flatten(schema: dict[str, Any], files: dict[str, Any] | None = None, name: str = "") -> dict[str, Any]:
    """``schema`` (the file ``name`` among ``files``) with all references inlined."""
    table = dict(files or {})
    table.setdefault(name, schema)
    return inline_refs(schema, file_resolver(table), name)  # type: ignore[no-any-return]
