"""Check a NetworkPlan document against the NetworkPlan JSON Schema.

jsonschema errors are turned into positioned Diagnostics with messages written
for people (unknown fields get a did-you-mean, names say what a name must be).
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from collections.abc import Callable
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, Report, error
from kvnet.input.families import second_value
from kvnet.input.keys import document_non_string_key, key_problem
from kvnet.input.loader import Document, PathT
from kvnet.schema_tools import SchemaCheck, flatten
from kvnet.netmath import parse_ip
from kvnet.resources import read_schema


@lru_cache(maxsize=1)
def plan_schema() -> dict[str, Any]:
    return json.loads(read_schema("networkplan.json"))


@lru_cache(maxsize=1)
def _validator() -> SchemaCheck:
    schema = flatten(plan_schema(), name="networkplan.json")

    def detailed() -> Any:
        from jsonschema import Draft202012Validator, validators

        # JSON Schema counts 100.0 as an integer; Go's JSON decoding (CNI plugins, KubeVirt)
        # rejects it for an int field, so a plan's integers must be written as integers.
        checker = Draft202012Validator.TYPE_CHECKER.redefine(
            "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
        return validators.extend(Draft202012Validator, type_checker=checker)(schema)

    return SchemaCheck(schema, detailed, native_ok=_no_integral_floats)


def _no_integral_floats(data: Any) -> bool:
    """False when ``data`` holds a float such as 100.0, which jsonschema-rs accepts as an integer."""
    stack = [data]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float and node.is_integer():
            return False
    return True


def format_path(path: PathT) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# YAML value types as a plan's author knows them (bool before int: a bool is an int in Python)
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (type(None), "null"), (bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
    (list, "list"), (dict, "mapping"))


def _type_name(value: Any) -> str:
    return next((name for t, name in _TYPE_NAMES if isinstance(value, t)), type(value).__name__)


def _got(value: Any) -> str:
    return "null" if value is None else f"{_type_name(value)} {_show(value)}"


def _keyed(value: Any) -> Any:
    """``value`` with every mapping key a string (JSON's own form: a key read as 3, true or bytes
    is shown as written by ``str``), so that any value a plan holds can be shown."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _keyed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keyed(v) for v in value]
    return value


def _show(value: Any) -> str:
    text = json.dumps(_keyed(value), default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _same_shape(err: Any) -> Any:
    """For an ``anyOf`` of a mapping form and a string form (``instancetype``), the failure of
    the branch whose type the value has: its message names what is wrong, not "any of"."""
    if err.validator != "anyOf" or not err.context:
        return err
    shape = "string" if isinstance(err.instance, str) else "object" if isinstance(err.instance, dict) else None
    fits = [e for e in err.context if err.validator_value[e.relative_schema_path[0]].get("type") == shape]
    return fits[0] if fits else err


def _unknown_fields(err: Any, doc: Document, path: PathT) -> list[Diagnostic]:
    """KV101 for each key of the mapping that its schema's ``properties`` do not name."""
    allowed = sorted(err.schema.get("properties", {}))
    out = []
    for key in err.instance:
        if key not in err.schema.get("properties", {}):
            kpath = path + (key,)
            out.append(error(
                "KV101", f"unknown field {format_path(kpath)!r}{_suggest(str(key), allowed)}",
                doc.loc(kpath, key=True), hint="allowed here: " + ", ".join(allowed)))
    return out


def _missing(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """KV103: the first required field the mapping lacks."""
    inst = err.instance
    missing = [k for k in err.validator_value if isinstance(inst, dict) and k not in inst]
    name = missing[0] if missing else "?"
    return error("KV103", f"{format_path(path)}: missing required field {name!r}", doc.loc(path, key=True))


def _not_one_of(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """KV104 for a value outside an ``enum`` (or not the ``const``), with a close match."""
    options = err.validator_value if err.validator == "enum" else [err.validator_value]
    opts = [str(o) for o in options]
    return error("KV104", f"{format_path(path)}: {_show(err.instance)} is not one of: {', '.join(opts)}"
                 f"{_suggest(str(err.instance), opts)}", doc.loc(path))


def _string(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """A string failing ``pattern``/``minLength``/``maxLength``; an interface's network written as
    ``<namespace>/<nad>`` is KV290 (a NAD outside the plan)."""
    if err.validator == "pattern" and _is_foreign_nad(path, err.instance):
        return foreign_nad(str(err.instance), doc.loc(path))
    return _bad_string(err, format_path(path), doc.loc(path))


def _out_of_range(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """KV104 for a number outside ``minimum``..``maximum``."""
    lo = err.schema.get("minimum")
    hi = err.schema.get("maximum")
    rng = f"{lo}..{hi}" if lo is not None and hi is not None else (
        f">= {lo}" if lo is not None else f"<= {hi}")
    return error("KV104", f"{format_path(path)}: {err.instance} is out of range {rng}", doc.loc(path))


def _one_of_keys(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """KV104 for a mapping that must hold exactly one of its properties."""
    keys = ", ".join(sorted(err.schema.get("properties", {})))
    return error("KV104", f"{format_path(path)}: give exactly one of: {keys}", doc.loc(path))


def _too_many(err: Any, doc: Document, path: PathT) -> Diagnostic:
    """``maxItems``: a per-family list (marked ``x-per-family`` in the schema: subnet, gateway,
    range, allocate, an address) takes one value per address family (issue 25), so a third value
    is KV600 at the value that repeats a family (as :func:`kvnet.input.families.second_value`
    says it), else at the first value past the limit; any other list KV104."""
    limit, inst = err.validator_value, err.instance
    if not (err.schema.get("x-per-family") and isinstance(inst, list) and path):
        return error("KV104", f"{format_path(path)}: more than {limit} values", doc.loc(path))
    owner, fname = format_path(path[:-1]), str(path[-1])
    seen: set[int] = set()
    for i, value in enumerate(inst):
        version = _family(value)
        if version and version in seen:
            return second_value(owner, fname, str(value), version, doc.loc(path + (i,)))
        seen.add(version)
    return error("KV600", f"{owner}: {fname} {_show(inst[limit])} is a value past the {limit} a dual-stack "
                 f"{fname} takes (one per address family)", doc.loc(path + (limit,)),
                 hint=f"a dual-stack {fname} is a list of one IPv4 and one IPv6 value")


def _family(value: Any) -> int:
    """4 or 6 for an address, subnet or range text (its first address), else 0."""
    text = str(value).split("-")[0].split("/")[0].strip()
    ip = parse_ip(text)
    return ip.version if ip is not None else 0


#: JSON Schema keyword that failed -> the diagnostic kvnet gives (JSON Schema 2020-12 validation vocabulary)
_BY_KEYWORD: dict[str, Callable[[Any, Document, PathT], Diagnostic]] = {
    "required": _missing,
    "type": lambda err, doc, path: _wrong_type(err.schema.get("type"), err.instance, format_path(path),
                                               doc.loc(path)),
    "enum": _not_one_of, "const": _not_one_of,
    "pattern": _string, "minLength": _string, "maxLength": _string,
    "minimum": _out_of_range, "maximum": _out_of_range,
    "minProperties": _one_of_keys, "maxProperties": _one_of_keys,
    "maxItems": _too_many,
}


def _diag_for(err: Any, doc: Document) -> list[Diagnostic]:
    err = _same_shape(err)
    path: PathT = tuple(err.absolute_path)
    where = format_path(path)
    inst = err.instance
    if err.validator == "additionalProperties" and isinstance(inst, dict):
        return _unknown_fields(err, doc, path)
    if "propertyNames" in err.relative_schema_path and isinstance(inst, str):
        kpath = path + (inst,)
        return [error("KV105", f"{where}: key {inst!r} is not a Kubernetes label/annotation key "
                      "(optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.')",
                      doc.loc(kpath, key=True))]
    handler = _BY_KEYWORD.get(err.validator)
    if handler is not None:
        return [handler(err, doc, path)]
    return [error("KV104", f"{where}: {err.message}", doc.loc(path))]


def _is_foreign_nad(path: PathT, inst: Any) -> bool:
    """An interface's ``network`` written as ``<namespace>/<nad>``: a NAD outside the plan."""
    return (len(path) >= 3 and path[-1] == "network" and path[-3] == "interfaces"
            and isinstance(inst, str) and inst.count("/") == 1)


def foreign_nad(ref: str, loc: Loc) -> Diagnostic:
    """KV290: an interface names a NAD outside the plan; the way to attach to it is an
    ``external`` network (SPEC §9), which the hint spells out."""
    ns, _, name = ref.partition("/")
    net = name.split(".")[0] or "shared"
    return error("KV290", f"interface network {ref!r} names a NetworkAttachmentDefinition outside the plan "
                 f"(namespace {ns!r}); an interface's network must be a network of the plan or 'default'",
                 loc, hint=f"declare it as a network of type external and attach to that: "
                           f"'- {{name: {net}, type: external, nad: {ref}}}' under spec.networks, "
                           f"then 'network: {net}'")
def _wrong_type(want: Any, inst: Any, where: str, loc: Loc) -> Diagnostic:
    """KV102, with a quoting hint where YAML 1.1 turned a string into a number or boolean."""
    want_s = " or ".join(want) if isinstance(want, list) else str(want)
    want_s = want_s.replace("object", "mapping").replace("array", "list")
    hint = None
    if "string" in want_s and isinstance(inst, (int, float)) and not isinstance(inst, bool):
        hint = ("quote the value: YAML read it as a number (an unquoted MAC or time like 12:34:50 is "
                "a base-60 integer in YAML 1.1)")
    elif "string" in want_s and isinstance(inst, bool):
        hint = "quote the value: YAML reads yes/no/on/off/true/false as booleans"
    return error("KV102", f"{where}: expected {want_s}, got {_got(inst)}", loc, hint=hint)


def _bad_string(err: Any, where: str, loc: Loc) -> Diagnostic:
    """A string failing pattern/minLength/maxLength: KV105 with the schema's x-message (a name
    rule), else KV104."""
    kw, inst = err.validator, err.instance
    hint_msg = err.schema.get("x-message")
    if hint_msg:
        extra = f" ({len(inst)} characters)" if kw == "maxLength" and isinstance(inst, str) else ""
        return error("KV105", f"{where}: {_show(inst)} {hint_msg}{extra}", loc)
    if kw == "minLength":
        return error("KV104", f"{where}: must not be empty", loc)
    if kw == "maxLength":
        return error("KV104", f"{where}: {_show(inst)} is longer than {err.validator_value} characters", loc)
    return error("KV104", f"{where}: {_show(inst)} is not valid", loc)


def check_document(doc: Document) -> list[Diagnostic]:
    """All schema problems of one NetworkPlan document, positioned."""
    out: list[Diagnostic] = []
    for err in _validator().iter_errors(doc.data):
        out.extend(_diag_for(err, doc))
    # a value of the wrong type is reported once, not again for its range or pattern
    wrong_type = {(d.line, d.column) for d in out if d.code == "KV102"}
    out = [d for d in out if d.code == "KV102" or (d.line, d.column) not in wrong_type]
    bad = None if out else document_non_string_key(doc)  # a free-form map's key (labels: {~: x})
    return [key_problem(doc, bad)] if bad is not None else out


def check_documents(plan_docs: Sequence[Document], report: Report) -> list[Document]:
    """Schema stage: the plan documents that pass the NetworkPlan schema (KV1xx)."""
    valid: list[Document] = []
    for doc in plan_docs:
        problems = check_document(doc)
        report.extend(problems)
        if not any(p.is_error for p in problems):
            valid.append(doc)
    return valid
