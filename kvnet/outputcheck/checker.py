"""Validate every emitted object before a byte reaches stdout (SPEC §4).

Validators are compiled once per process and kind.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from kvnet.options import DEFAULT_KUBE_VERSION
from kvnet.resources import read_schema


@dataclass
class OutputChecker:
    kube_version: str = DEFAULT_KUBE_VERSION
    crd_files: list[str] = field(default_factory=list)
    _crds: dict[tuple[str, str], Any] | None = None

    def problems(self, obj: dict[str, Any]) -> list[str]:
        kind = obj.get("kind")
        api = obj.get("apiVersion", "")
        out: list[str] = []
        if kind == "NetworkAttachmentDefinition":
            from kvnet.outputcheck.cni_schemas import validate_nad

            out.extend(validate_nad(obj))
        elif kind == "VirtualMachine":
            out.extend(_schema_errors(_vm_validator(), obj))
            from kvnet.outputcheck.admission import check_vm_networks, check_vm_storage

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


def _schema_errors(validator: Any, obj: dict[str, Any]) -> list[str]:
    out = []
    for err in validator.iter_errors(obj):
        path = ".".join(str(p) for p in err.absolute_path) or "(object)"
        out.append(f"{path}: {err.message}")
    return out


# Kinds of other projects kvnet emits, checked against a schema kvnet ships (written from the
# project's API, since no upstream schema is in the suite): (apiVersion, kind) -> schemas/<file>.
OWN_SCHEMAS: dict[tuple[str, str], str] = {
    ("nmstate.io/v1", "NodeNetworkConfigurationPolicy"): "nodenetworkconfigurationpolicy.json",
}


@lru_cache(maxsize=8)
def _own_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    from kvnet.outputcheck.schema_tools import flatten

    return Draft202012Validator(flatten(json.loads(read_schema(name)), name=name))


@lru_cache(maxsize=1)
def _vm_validator() -> Any:
    from jsonschema import Draft202012Validator

    from kvnet.outputcheck.schema_tools import flatten

    return Draft202012Validator(flatten(json.loads(read_schema("virtualmachine.json")), name="virtualmachine.json"))


@lru_cache(maxsize=64)
def _core_validator(kind: str, api_version: str, kube_version: str) -> Any:
    """kubernetes-validate's strict schema for ``kind``, compiled once (its own
    ``validate`` re-reads the large definitions file on every call)."""
    from jsonschema import Draft202012Validator
    from kubernetes_validate import utils as kv
    from referencing import Registry, Resource

    version = kube_version[1:] if kube_version.startswith("v") else kube_version
    mm = kv.major_minor(version)
    candidates = [v for v in kv.all_versions() if kv.major_minor(v) <= mm]
    if not candidates:
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {kube_version}")
    chosen = candidates[-1]
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"v{chosen}-local-strict"
    schema = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group}.json", version)
    defs = definitions(schema_dir, version)
    registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
    return Draft202012Validator(schema, registry=registry)


@lru_cache(maxsize=4)
def definitions(schema_dir: str, version: str) -> Any:
    from kubernetes_validate import utils as kv

    return kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)


def _core_errors(obj: dict[str, Any], kube_version: str) -> list[str]:
    try:
        validator = _core_validator(str(obj.get("kind")), str(obj.get("apiVersion")), kube_version)
    except FileNotFoundError:
        return [f"no schema for {obj.get('apiVersion')}/{obj.get('kind')} at Kubernetes {kube_version}"]
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
