"""Validation of emitted NetworkAttachmentDefinitions and their CNI configurations.

The schemas live in ``kvnet/schemas``: ``networkattachmentdefinition.json`` for the NAD
object and ``cni/<type>.json`` / ``cni/ipam-<type>.json`` for the parsed ``spec.config``.
They only admit what kvnet emits, so any problem reported here is a kvnet bug.

Problems are returned as ``"path: message"`` strings, e.g.
``"ipam.addresses[0].address: 'x' is not a CIDR (IPv4 a.b.c.d/n or IPv6 addr/n)"``.
jsonschema is imported lazily: importing it costs ~190 ms, and ``kvnet --version`` must
stay fast.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from importlib.resources.abc import Traversable

    from jsonschema import Draft202012Validator, ValidationError

#: CNI plugin types kvnet emits; each has ``schemas/cni/<type>.json``.
PLUGIN_TYPES: tuple[str, ...] = ("bridge", "host-device", "ipvlan", "macvlan", "macvtap", "ovn-k8s-cni-overlay",
                                 "ovs", "sriov")
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
def plugin_validator(plugin_type: str) -> Draft202012Validator | None:
    """The cached validator for one plugin type, or None when kvnet has no schema for it."""
    if plugin_type not in PLUGIN_TYPES:
        return None
    schema = load_cni_schemas().get(f"{plugin_type}.json")
    if schema is None:
        return None
    from jsonschema import Draft202012Validator

    from kvnet.outputcheck.schema_tools import flatten

    # references inlined once: resolving them on every validation dominated the run time
    return Draft202012Validator(flatten(schema, load_cni_schemas(), f"{plugin_type}.json"))


@functools.cache
def _nad_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    from kvnet.outputcheck.schema_tools import flatten

    return Draft202012Validator(flatten(load_nad_schema(), name=NAD_SCHEMA_FILE))


# --------------------------------------------------------------------------- messages


def _path(parts: Iterable[str | int], prefix: str = "") -> str:
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


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


def _messages(err: ValidationError, prefix: str) -> Iterator[str]:
    """Turn one jsonschema error into one or more ``path: message`` lines."""
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    inst = err.instance
    here = list(err.absolute_path)
    if kind == "additionalProperties" and isinstance(inst, dict):
        known = list(schema.get("properties", {}))
        for key in inst:
            if key not in known:
                yield f"{_path([*here, key], prefix)}: unknown field{_did_you_mean(key, known)}"
        return
    if kind == "required" and isinstance(inst, dict):
        for key in err.validator_value:
            if key not in inst:
                yield f"{_path([*here, key], prefix)}: required field missing"
        return
    where = _path(here, prefix)
    custom = schema.get("x-message")
    if kind == "pattern" and custom:
        yield f"{where}: {_short(inst)} {custom}"
    elif kind == "enum":
        if custom:
            yield f"{where}: {_short(inst)} {custom}"
        else:
            allowed = ", ".join(str(v) for v in err.validator_value)
            yield f"{where}: {_short(inst)} is not one of {allowed}"
    elif kind == "const":
        yield f"{where}: must be {err.validator_value!r}, got {_short(inst)}"
    elif kind == "type":
        yield f"{where}: expected {err.validator_value}, got {_json_type(inst)}"
    elif kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            yield f"{where}: {inst!r} is out of range {low}..{high}"
        elif kind == "minimum":
            yield f"{where}: {inst!r} is less than {low}"
        else:
            yield f"{where}: {inst!r} is greater than {high}"
    elif kind == "minItems":
        yield f"{where}: must have at least {err.validator_value} item(s)"
    elif kind == "minLength":
        yield f"{where}: must be at least {err.validator_value} character(s)"
    else:
        yield f"{where}: {err.message}"


def _collect(errors: Iterable[ValidationError], prefix: str) -> list[str]:
    """Messages of all errors, deduplicated and sorted (so by path)."""
    return sorted({line for err in errors for line in _messages(err, prefix)})


# --------------------------------------------------------------------------- semantics


def _network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return None


def _address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        return None


def _pool_problems(
    where: str,
    subnet: object,
    start: object,
    end: object,
    gateway: object,
    names: tuple[str, str, str, str],
) -> list[str]:
    """Subnet must be a network address; pool bounds and gateway inside it, in order."""
    problems: list[str] = []
    net = _network(subnet)
    if net is None:
        return problems  # the schema already reported it
    sub_key, start_key, end_key, gw_key = names
    try:
        ipaddress.ip_network(str(subnet), strict=True)
    except ValueError:
        problems.append(f"{where}.{sub_key}: {str(subnet)!r} has host bits set (network is {net})")
    bounds: dict[str, ipaddress.IPv4Address | ipaddress.IPv6Address] = {}
    for key, value in ((start_key, start), (end_key, end), (gw_key, gateway)):
        if value is None:
            continue
        addr = _address(value)
        if addr is None:
            continue
        if addr.version != net.version or addr not in net:
            problems.append(f"{where}.{key}: {str(value)!r} is outside {sub_key} {net}")
        else:
            bounds[key] = addr
    if start_key in bounds and end_key in bounds and bounds[start_key] > bounds[end_key]:  # type: ignore[operator]
        problems.append(f"{where}.{end_key}: {str(end)!r} is before {start_key} {str(start)!r}")
    return problems


def _semantic_problems(config: dict[str, Any], prefix: str) -> list[str]:
    """Checks JSON Schema cannot express: host bits in subnets, pools inside subnets."""
    ipam = config.get("ipam")
    if not isinstance(ipam, dict):
        return []
    base = _path(["ipam"], prefix)
    problems: list[str] = []
    kind = ipam.get("type")
    if kind == "host-local" and "subnet" in ipam:
        # host-local's older single-range form (still read by containernetworking/plugins)
        problems += _pool_problems(base, ipam.get("subnet"), ipam.get("rangeStart"), ipam.get("rangeEnd"),
                                   ipam.get("gateway"), ("subnet", "rangeStart", "rangeEnd", "gateway"))
    if kind == "host-local" and isinstance(ipam.get("ranges"), list):
        for i, rangeset in enumerate(ipam["ranges"]):
            if not isinstance(rangeset, list):
                continue
            for j, rng in enumerate(rangeset):
                if isinstance(rng, dict):
                    problems += _pool_problems(
                        f"{base}.ranges[{i}][{j}]",
                        rng.get("subnet"),
                        rng.get("rangeStart"),
                        rng.get("rangeEnd"),
                        rng.get("gateway"),
                        ("subnet", "rangeStart", "rangeEnd", "gateway"),
                    )
    elif kind == "whereabouts" and "range" in ipam:
        problems += _pool_problems(
            base,
            ipam.get("range"),
            ipam.get("range_start"),
            ipam.get("range_end"),
            ipam.get("gateway"),
            ("range", "range_start", "range_end", "gateway"),
        )
        excludes = ipam.get("exclude")
        net = _network(ipam.get("range"))
        if isinstance(excludes, list) and net is not None:
            for i, item in enumerate(excludes):
                ex = _network(item)
                if ex is not None and (ex.version != net.version or not ex.subnet_of(net)):  # type: ignore[arg-type]
                    problems.append(f"{base}.exclude[{i}]: {str(item)!r} is outside range {net}")
    elif kind == "static" and isinstance(ipam.get("addresses"), list):
        for i, item in enumerate(ipam["addresses"]):
            if not isinstance(item, dict) or "gateway" not in item:
                continue
            net = _network(item.get("address"))
            gw = _address(item["gateway"])
            if net is not None and gw is not None and (gw.version != net.version or gw not in net):
                problems.append(f"{base}.addresses[{i}].gateway: {str(item['gateway'])!r} is outside {net}")
    return problems


# --------------------------------------------------------------------------- public API


def _foreign_relevant(line: str, prefix: str) -> bool:
    """Whether a schema problem also holds for a configuration kvnet did not write.

    kvnet's schemas admit only what kvnet emits: a field they do not list, a field they require
    that the plugin defaults (bridge's ``bridge``, macvlan's ``master``) and the ``cniVersion``
    enum (checked on its own by ``kvnet lint``) say nothing about a hand-written config.
    """
    where, _, message = line.partition(": ")
    if message.startswith("unknown field"):
        return False
    if message == "required field missing" and where != _path(["type"], prefix):
        return False
    return where != _path(["cniVersion"], prefix)


def validate_cni_config(config: dict[str, Any], *, prefix: str = "", foreign: bool = False) -> list[str]:
    """Problems of one parsed CNI plugin configuration; empty when it is valid.

    ``prefix`` is prepended to every path (``validate_nad`` passes ``"spec.config"``).
    ``foreign``: the config comes from existing manifests (``kvnet lint``, SPEC §8): the value
    checks apply, the rules for kvnet's own output (fields kvnet does not emit) do not.
    """
    if not isinstance(config, dict):
        return [f"{prefix or '(root)'}: expected object, got {_json_type(config)}"]
    if "type" not in config:
        return [f"{_path(['type'], prefix)}: required field missing"]
    plugin_type = config["type"]
    if not isinstance(plugin_type, str):
        return [f"{_path(['type'], prefix)}: expected string, got {_json_type(plugin_type)}"]
    validator = plugin_validator(plugin_type)
    if validator is None:
        hint = _did_you_mean(plugin_type, PLUGIN_TYPES)
        return [f"{_path(['type'], prefix)}: unknown plugin type {plugin_type!r}{hint}"]
    problems = _collect(validator.iter_errors(config), prefix)
    if foreign:
        problems = [p for p in problems if _foreign_relevant(p, prefix)]
        return sorted(set(problems) | set(_semantic_problems(config, prefix)))
    if not problems:
        problems = _semantic_problems(config, prefix)
    return problems


def validate_nad(obj: dict[str, Any]) -> list[str]:
    """Problems of one emitted NetworkAttachmentDefinition, including its ``spec.config``."""
    if not isinstance(obj, dict):
        return [f"(root): expected object, got {_json_type(obj)}"]
    problems = _collect(_nad_validator().iter_errors(obj), "")
    spec = obj.get("spec")
    raw = spec.get("config") if isinstance(spec, dict) else None
    if not isinstance(raw, str):
        return problems  # missing or mistyped config: already reported by the schema
    try:
        config = json.loads(raw)
    except ValueError as exc:
        return [*problems, f"spec.config: not valid JSON: {exc}"]
    if not isinstance(config, dict):
        return [*problems, f"spec.config: expected a JSON object, got {_json_type(config)}"]
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    if canonical != raw:
        problems.append("spec.config: not compact JSON with sorted keys "
                        "(json.dumps(cfg, sort_keys=True, separators=(',', ':')))")
    metadata = obj.get("metadata")
    nad_name = metadata.get("name") if isinstance(metadata, dict) else None
    if "name" in config and config["name"] != nad_name:
        problems.append(f"spec.config.name: {_short(config['name'])} differs from metadata.name {_short(nad_name)}")
    problems += validate_cni_config(config, prefix="spec.config")
    return problems
