"""Helpers for the JSON Schemas kvnet ships."""

from __future__ import annotations

from typing import Any, Callable, Iterator

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


class SchemaCheck:
    """One JSON Schema (Draft 2020-12), checked natively and explained in Python.

    ``jsonschema-rs`` answers "is this instance valid?" about a hundred times faster than
    pure-Python ``jsonschema``; kvnet's diagnostics are written from ``jsonschema``'s errors
    (absolute path, validator keyword, its value, the failing subschema, the instance and
    the message text), so on the first instance that fails the pure-Python validator is built
    (by ``detailed()``) and asked for them. A valid instance never imports ``jsonschema``.

    ``native_ok(instance)`` may veto the native answer where the two libraries differ (the
    NetworkPlan's integers: JSON Schema, and so jsonschema-rs, counts 100.0 as an integer).
    Data that is not JSON (a YAML date or set, a mapping key that is not a string) is left to
    ``jsonschema`` too, which reports it as a wrong type.
    """

    def __init__(self, schema: dict[str, Any], detailed: Callable[[], Any], *, registry: Any = None,
                 base_uri: str | None = None, native_ok: Callable[[Any], bool] | None = None) -> None:
        import jsonschema_rs

        self._native = jsonschema_rs.Draft202012Validator(schema, validate_formats=False, registry=registry,
                                                          base_uri=base_uri)
        self._detailed_factory = detailed
        self._detailed: Any = None
        self._native_ok = native_ok

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        """jsonschema ``ValidationError`` objects for ``instance``; none when it is valid."""
        if self._natively_valid(instance):
            return iter(())
        if self._detailed is None:
            self._detailed = self._detailed_factory()
        return iter(self._detailed.iter_errors(instance))

    def _natively_valid(self, instance: Any) -> bool:
        try:
            valid = self._native.is_valid(instance)
        except ValueError:  # not JSON data (a YAML date, set or binary, a non-string key): ask jsonschema
            return False
        return valid and (self._native_ok is None or self._native_ok(instance))


def draft202012(schema: dict[str, Any]) -> Callable[[], Any]:
    """A factory of the pure-Python Draft 2020-12 validator of ``schema`` (for SchemaCheck)."""

    def build() -> Any:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(schema)

    return build
