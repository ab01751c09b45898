"""Validate every emitted object before a byte reaches stdout (SPEC §4).

Validators are compiled once per process and kind.
"""

from __future__ import annotations

import json
import os
import re
from kvnet.record import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from kvnet.options import DEFAULT_KUBE_VERSION
from kvnet.outputcheck.admission import check_vm_networks, check_vm_storage
from kvnet.outputcheck.cni_schemas import validate_nad
from kvnet.outputcheck.kube_versions import schema_root, schema_versions, version_key
from kvnet.outputcheck.problem import Problem
from kvnet.schema_tools import SchemaCheck, draft202012, flatten
from kvnet.resources import read_schema


@dataclass
class OutputChecker:
    kube_version: str = DEFAULT_KUBE_VERSION
    crd_files: list[str] = field(default_factory=list)
    _crds: dict[tuple[str, str], Any] | None = None

    def problems(self, obj: dict[str, Any]) -> list[Problem]:
        """Every problem of ``obj`` against its schema (and, for a VM, KubeVirt's admission rules)."""
        kind = obj.get("kind")
        api = obj.get("apiVersion", "")
        out: list[Problem] = []
        if kind == "NetworkAttachmentDefinition":
            out.extend(validate_nad(obj))
        elif kind == "VirtualMachine":
            out.extend(_schema_errors(_vm_validator(), obj))
            out.extend(check_vm_networks(obj))
            out.extend(check_vm_storage(obj))
        elif (api, kind) in OWN_SCHEMAS:
            out.extend(_schema_errors(_own_validator(OWN_SCHEMAS[(api, str(kind))]), obj))
        elif "." not in api.split("/")[0] or api.split("/")[0].endswith(".k8s.io"):
            out.extend(_core_errors(obj, self.kube_version))
        for validator in self._crd_validators(api, str(kind)):
            out.extend(_schema_errors(validator, obj))
        return out

    def _crd_validators(self, api: str, kind: str) -> list[Any]:
        if not self.crd_files:
            return []
        if self._crds is None:
            self._crds = load_crd_validators(self.crd_files)
        v = self._crds.get((api, kind))
        return [v] if v is not None else []


def _schema_errors(validator: Any, obj: dict[str, Any]) -> list[Problem]:
    out = []
    for err in validator.iter_errors(obj):
        path = tuple(err.absolute_path)
        out.append(Problem(path, f"{'.'.join(str(p) for p in path) or '(object)'}: {err.message}"))
    return out


# Kinds of other projects kvnet emits, checked against a schema kvnet ships (each file says where
# it comes from: written from the project's API, or its CRD's schema): (apiVersion, kind) -> schemas/<file>.
OWN_SCHEMAS: dict[tuple[str, str], str] = {
    ("nmstate.io/v1", "NodeNetworkConfigurationPolicy"): "nodenetworkconfigurationpolicy.json",
    ("k8s.cni.cncf.io/v1beta1", "MultiNetworkPolicy"): "multinetworkpolicy.json",
}


@lru_cache(maxsize=8)
def _own_validator(name: str) -> SchemaCheck:
    schema = flatten(json.loads(read_schema(name)), name=name)
    return SchemaCheck(schema, draft202012(schema))


@lru_cache(maxsize=1)
def _vm_validator() -> SchemaCheck:
    schema = flatten(json.loads(read_schema("virtualmachine.json")), name="virtualmachine.json")
    return SchemaCheck(schema, draft202012(schema))


def _read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=64)
def _core_validator(kind: str, api_version: str, kube_version: str) -> SchemaCheck:
    """kubernetes-validate's strict schema for ``kind`` at the newest schema version not newer
    than ``kube_version`` (as its ``validate`` chooses), compiled once; FileNotFoundError when
    it has no such schema."""
    want = version_key(kube_version)
    candidates = [v for v in schema_versions() if version_key(v) <= want]
    if not candidates:
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {kube_version}")
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = os.path.join(schema_root(), f"v{candidates[-1]}-local-strict")
    schema = _read_json(os.path.join(schema_dir, f"{kind.lower()}-{group}.json"))
    defs = _definitions(schema_dir)

    def detailed() -> Any:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource

        registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
        return Draft202012Validator(schema, registry=registry)

    return SchemaCheck(schema, detailed, registry=_native_registry(schema_dir))


@lru_cache(maxsize=4)
def _native_registry(schema_dir: str) -> Any:
    """jsonschema-rs's registry of the ``_definitions.json`` of ``schema_dir``, one for every kind
    (each holds its own copy of the 1.3 MB definitions)."""
    import jsonschema_rs

    defs = _definitions(schema_dir)
    return jsonschema_rs.Registry([(defs["$id"], defs)])


@lru_cache(maxsize=4)
def _definitions(schema_dir: str) -> Any:
    return _read_json(os.path.join(schema_dir, "_definitions.json"))


def _core_errors(obj: dict[str, Any], kube_version: str) -> list[Problem]:
    try:
        validator = _core_validator(str(obj.get("kind")), str(obj.get("apiVersion")), kube_version)
    except FileNotFoundError:
        return [Problem((), f"no schema for {obj.get('apiVersion')}/{obj.get('kind')} at Kubernetes {kube_version}")]
    return _schema_errors(validator, obj)


def load_crd_validators(paths: Iterable[str]) -> dict[tuple[str, str], Any]:
    """(apiVersion, kind) -> validator for every served version of the CRDs in ``paths``
    (read, bounded, by kvnet.input.crds; its problems are reported before output is checked)."""
    from jsonschema import Draft202012Validator

    from kvnet.input.crds import crd_schemas

    return {key: Draft202012Validator(_crd_to_jsonschema(schema)) for key, schema in crd_schemas(list(paths)).items()}


def _crd_to_jsonschema(schema: Any) -> Any:
    """Drop the Kubernetes OpenAPI extensions JSON Schema does not know."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for k, v in schema.items():
            if k.startswith("x-kubernetes-"):
                if k == "x-kubernetes-int-or-string" and v:
                    out.pop("type", None)
                    out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
                continue
            if k == "type" and "anyOf" in out:
                continue
            out[k] = _crd_to_jsonschema(v) if k not in ("enum", "required", "default", "example") else v
        if schema.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"]
        out.pop("nullable", None)
        return out
    if isinstance(schema, list):
        return [_crd_to_jsonschema(x) for x in schema]
    return schema
