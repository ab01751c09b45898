"""Validation of emitted NetworkAttachmentDefinitions and their CNI configurations.

The schemas live in ``kvnet/schemas``: ``networkattachmentdefinition.json`` for the NAD
object and ``cni/<type>.json`` / ``cni/ipam-<type>.json`` for the parsed ``spec.config``.
They only admit what kvnet emits, so any problem reported here is a kvnet bug.

Problems are returned as :class:`Problem` values: the path of the offending node and the
``"path: message"`` line, e.g. ``(("ipam", "addresses", 0, "address"),
"ipam.addresses[0].address: 'x' is not a CIDR (IPv4 a.b.c.d/n or IPv6 addr/n)")``.
The schemas are checked natively (jsonschema-rs); pure-Python jsonschema is imported only
to explain a failure, so a valid configuration never pays its ~190 ms import.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kvnet import nettypes
from kvnet.outputcheck.cni_semantics import semantic_problems, whereabouts_range
from kvnet.outputcheck.problem import Cause, PathT, Problem, problem_at
from kvnet.schema_tools import SchemaCheck, draft202012, flatten

if TYPE_CHECKING:  # pragma: no cover
    from importlib.resources.abc import Traversable

    from jsonschema import ValidationError


#: CNI plugin types kvnet emits; each has ``schemas/cni/<type>.json``.
PLUGIN_TYPES: tuple[str, ...] = nettypes.plugin_types()
#: IPAM types kvnet emits; each has ``schemas/cni/ipam-<type>.json``.
IPAM_TYPES: tuple[str, ...] = ("dhcp", "host-local", "static", "whereabouts")

CNI_SCHEMA_BASE = "https://kvnet.dev/schemas/cni/"
NAD_SCHEMA_FILE = "networkattachmentdefinition.json"


# --------------------------------------------------------------------------- loading


def _schemas_dir() -> Traversable:
    from importlib.resources import files

    return files("kvnet").joinpath("schemas")


@functools.cache
def load_cni_schemas() -> dict[str, dict[str, Any]]:
    """All CNI schemas keyed by file name (``bridge.json``, ``ipam.json``, ...)."""
    out: dict[str, dict[str, Any]] = {}
    for entry in _schemas_dir().joinpath("cni").iterdir():
        if entry.name.endswith(".json") and entry.is_file():
            out[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return dict(sorted(out.items()))


@functools.cache
def load_nad_schema() -> dict[str, Any]:
    """The NetworkAttachmentDefinition schema."""
    text = _schemas_dir().joinpath(NAD_SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def plugin_validator(plugin_type: str) -> SchemaCheck | None:
    """The cached validator for one plugin type, or None when kvnet has no schema for it."""
    if plugin_type not in PLUGIN_TYPES:
        return None
    schema = load_cni_schemas().get(f"{plugin_type}.json")
    if schema is None:
        return None
    # references inlined once: resolving them on every validation dominated jsonschema's time
    flat = flatten(schema, load_cni_schemas(), f"{plugin_type}.json")
    return SchemaCheck(flat, draft202012(flat))


@functools.cache
def _nad_validator() -> SchemaCheck:
    flat = flatten(load_nad_schema(), name=NAD_SCHEMA_FILE)
    return SchemaCheck(flat, draft202012(flat))


# --------------------------------------------------------------------------- messages


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _messages(err: ValidationError, base: PathT) -> Iterator[Problem]:
    """Turn one jsonschema error into one or more problems (``base`` leads every path)."""
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    inst = err.instance
    here = (*base, *err.absolute_path)
    if kind == "additionalProperties" and isinstance(inst, dict):
        known = list(schema.get("properties", {}))
        for key in inst:
            if key not in known:
                yield problem_at((*here, key), f"unknown field{_did_you_mean(key, known)}", Cause.UNKNOWN_FIELD)
        return
    if kind == "required" and isinstance(inst, dict):
        for key in err.validator_value:
            if key not in inst:
                yield problem_at((*here, key), "required field missing", Cause.REQUIRED)
        return
    yield problem_at(here, _detail(err, kind, schema, inst))


def _detail(err: ValidationError, kind: str, schema: dict[str, Any], inst: Any) -> str:
    """The message of one error of keyword ``kind``, without its path."""
    custom = schema.get("x-message")
    if kind == "pattern" and custom:
        return f"{_short(inst)} {custom}"
    if kind == "enum":
        if custom:
            return f"{_short(inst)} {custom}"
        allowed = ", ".join(str(v) for v in err.validator_value)
        return f"{_short(inst)} is not one of {allowed}"
    if kind == "const":
        return f"must be {err.validator_value!r}, got {_short(inst)}"
    if kind == "type":
        return f"expected {err.validator_value}, got {_json_type(inst)}"
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"{inst!r} is out of range {low}..{high}"
        if kind == "minimum":
            return f"{inst!r} is less than {low}"
        return f"{inst!r} is greater than {high}"
    if kind == "minItems":
        return f"must have at least {err.validator_value} item(s)"
    if kind == "minLength":
        return f"must be at least {err.validator_value} character(s)"
    return str(err.message)


def _collect(errors: Iterable[ValidationError], base: PathT) -> list[Problem]:
    """Problems of all errors, deduplicated and sorted by their text (so by path)."""
    unique = {p.message: p for err in errors for p in _messages(err, base)}
    return [unique[text] for text in sorted(unique)]


# --------------------------------------------------------------------------- public API


def _foreign_relevant(problem: Problem, base: PathT, config: dict[str, Any]) -> bool:
    """Whether a schema problem also holds for a configuration kvnet did not write.

    kvnet's schemas admit only what kvnet emits: a field they do not list, a field they require
    that the plugin defaults (bridge's ``bridge``, macvlan's ``master``), the ``cniVersion``
    enum (checked on its own by ``kvnet lint``) and a whereabouts ``range`` in its
    ``FIRST-LAST/n`` form say nothing about a hand-written config.
    """
    if problem.path == (*base, "ipam", "range") and isinstance(config.get("ipam"), dict) \
            and whereabouts_range(config["ipam"].get("range")) is not None:
        return False
    if problem.cause is Cause.UNKNOWN_FIELD:
        return False
    if problem.cause is Cause.REQUIRED and problem.path != (*base, "type"):
        return False
    return problem.path != (*base, "cniVersion")


def validate_cni_config(config: dict[str, Any], *, prefix: str = "", foreign: bool = False) -> list[Problem]:
    """Problems of one parsed CNI plugin configuration; empty when it is valid.

    ``prefix`` (dotted keys) leads every path (``validate_nad`` passes ``"spec.config"``).
    ``foreign``: the config comes from existing manifests (``kvnet lint``, SPEC §8): the value
    checks apply, the rules for kvnet's own output (fields kvnet does not emit) do not.
    """
    base: PathT = tuple(prefix.split(".")) if prefix else ()
    if not isinstance(config, dict):
        return [problem_at(base, f"expected object, got {_json_type(config)}")]
    if "type" not in config:
        return [problem_at((*base, "type"), "required field missing", Cause.REQUIRED)]
    plugin_type = config["type"]
    if not isinstance(plugin_type, str):
        return [problem_at((*base, "type"), f"expected string, got {_json_type(plugin_type)}")]
    validator = plugin_validator(plugin_type)
    if validator is None:
        hint = _did_you_mean(plugin_type, PLUGIN_TYPES)
        return [problem_at((*base, "type"), f"unknown plugin type {plugin_type!r}{hint}")]
    problems = _collect(validator.iter_errors(config), base)
    if foreign:
        problems = [p for p in problems if _foreign_relevant(p, base, config)]
        return sorted(set(problems) | set(semantic_problems(config, base, foreign=True)))
    if not problems:
        problems = semantic_problems(config, base)
    return problems


def validate_nad(obj: dict[str, Any]) -> list[Problem]:
    """Problems of one emitted NetworkAttachmentDefinition, including its ``spec.config``."""
    if not isinstance(obj, dict):
        return [problem_at((), f"expected object, got {_json_type(obj)}")]
    problems = _collect(_nad_validator().iter_errors(obj), ())
    spec = obj.get("spec")
    raw = spec.get("config") if isinstance(spec, dict) else None
    if not isinstance(raw, str):
        return problems  # missing or mistyped config: already reported by the schema
    at_config = ("spec", "config")
    try:
        config = json.loads(raw)
    except ValueError as exc:
        return [*problems, problem_at(at_config, f"not valid JSON: {exc}")]
    if not isinstance(config, dict):
        return [*problems, problem_at(at_config, f"expected a JSON object, got {_json_type(config)}")]
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    if canonical != raw:
        problems.append(problem_at(at_config, "not compact JSON with sorted keys "
                                       "(json.dumps(cfg, sort_keys=True, separators=(',', ':')))"))
    metadata = obj.get("metadata")
    nad_name = metadata.get("name") if isinstance(metadata, dict) else None
    if "name" in config and config["name"] != nad_name:
        problems.append(problem_at((*at_config, "name"),
                            f"{_short(config['name'])} differs from metadata.name {_short(nad_name)}"))
    problems += validate_cni_config(config, prefix="spec.config")
    return problems
