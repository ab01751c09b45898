"""CRD files given with ``--crd`` or the Argo CD ``crds`` setting (SPEC §4), read like plans.

They go through the same loader and bounds as plans (kvnet.input.loader, kvnet.input.bounds):
a billion-laughs CRD or a file that is not UTF-8 is a positioned diagnostic, never a hang or
a traceback. A document that is a CustomResourceDefinition but not a usable one is KV009.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.loader import Budget, Document, LoadError, load_file

CRD_KIND = "CustomResourceDefinition"
SchemaKey = tuple[str, str]  # (apiVersion, kind) of the custom resource


_HINT = "give the CRD as the cluster has it (kubectl get crd NAME -o yaml)"


def _misfit(docs: list[Document], shown: str) -> tuple[Loc, str] | None:
    """Where a --crd file holds a document that is not a mapping (a list, a scalar) or a List
    of objects (each CRD must be its own document), and what it is."""
    for doc in docs:
        if doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            return doc.loc(()), f"document {doc.index + 1} is a {type(doc.data).__name__}, not a mapping"
        kind = doc.data.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.data.get("items"), list):
            return doc.loc(("kind",)), f"document {doc.index + 1} is a {kind}: give each CRD as its own document"
    return None


def _crd_problem(doc: Document) -> tuple[Loc, str] | None:
    data = doc.data
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return doc.loc(("spec",)), "has no spec mapping"
    if not isinstance(spec.get("group"), str) or not spec.get("group"):
        return doc.loc(("spec", "group")), "has no spec.group"
    names = spec.get("names")
    if not isinstance(names, dict) or not isinstance(names.get("kind"), str):
        return doc.loc(("spec", "names")), "has no spec.names.kind"
    versions = spec.get("versions")
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        return doc.loc(("spec", "versions")), "spec.versions is not a list of mappings"
    for i, ver in enumerate(versions):
        problem = _version_problem(ver)
        if problem is not None:
            return doc.loc(("spec", "versions", i, *problem[0])), problem[1]
    return None


def _version_problem(ver: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """What is wrong with one ``spec.versions`` entry of a CRD (path under the entry, reason): no
    name, a schema.openAPIV3Schema that is no mapping or no valid JSON Schema (Kubernetes
    apiextensions/v1 CustomResourceDefinitionVersion)."""
    schema = ver.get("schema")
    if not isinstance(ver.get("name"), str):
        return (), "a version has no name"
    if schema is not None and not (isinstance(schema, dict)
                                   and isinstance(schema.get("openAPIV3Schema", {}), dict)):
        return ("schema",), "schema.openAPIV3Schema is not a mapping"
    if schema and schema.get("openAPIV3Schema"):
        bad = _schema_problem(schema["openAPIV3Schema"])
        if bad:
            return ("schema", "openAPIV3Schema"), f"schema is invalid: {bad}"
    return None


def _schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a usable JSON Schema (bad type names, patterns that do not compile)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    except SchemaError as exc:
        path = ".".join(str(p) for p in exc.absolute_path) or "(schema)"
        return f"{path}: {exc.message}"[:200]
    return None


@lru_cache(maxsize=16)
def _load(files: tuple[tuple[str, int, int], ...]) -> tuple[dict[SchemaKey, Any], tuple[Diagnostic, ...]]:
    schemas: dict[SchemaKey, Any] = {}
    diags: list[Diagnostic] = []
    budget = Budget()
    for path, _size, _mtime in files:
        shown = os.path.normpath(path)
        try:
            docs = load_file(path, shown, shown, budget)
        except LoadError as exc:
            diags.append(exc.diag)
            continue
        crds = [doc for doc in docs if isinstance(doc.data, dict) and doc.data.get("kind") == CRD_KIND]
        misfit = _misfit(docs, shown)
        if misfit is not None or not crds:  # a list, or no CRD at all: --crd would validate nothing
            where, what = misfit or (Loc(shown), "holds no CustomResourceDefinition")
            diags.append(error("KV009", f"--crd file {what}", where, hint=_HINT))
            continue
        for doc in crds:
            problem = _crd_problem(doc)
            if problem is not None:
                diags.append(error("KV009", f"CustomResourceDefinition {problem[1]}", problem[0], hint=_HINT))
                continue
            spec = doc.data["spec"]
            for ver in spec["versions"]:
                schema = (ver.get("schema") or {}).get("openAPIV3Schema")
                if isinstance(schema, dict):
                    schemas[(f"{spec['group']}/{ver['name']}", spec["names"]["kind"])] = schema
    return schemas, tuple(diags)


def _key(paths: Sequence[str]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((p, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((p, -1, -1))
    return tuple(out)


def crd_diagnostics(paths: Sequence[str]) -> list[Diagnostic]:
    """Problems reading the CRD files (loader diagnostics, KV009); empty when all are usable."""
    return list(_load(_key(paths))[1])


def crd_schemas(paths: Sequence[str]) -> dict[SchemaKey, Any]:
    """(apiVersion, kind) -> ``openAPIV3Schema`` of every version of the usable CRDs in ``paths``."""
    return dict(_load(_key(paths))[0])
