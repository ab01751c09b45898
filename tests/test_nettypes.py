"""The network-type catalog (kvnet/nettypes, issue 19): the plan schema agrees with it, every
entry round-trips (plan -> NAD -> lint's model -> ``kvnet import`` -> the same plan network), and a
type's name is written only in the catalog and the JSON schemas."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from testlib import REPO, write

from kvnet import nettypes

KVNET = REPO / "kvnet"
SCHEMA = json.loads((KVNET / "schemas" / "networkplan.json").read_text(encoding="utf-8"))
NETWORK = SCHEMA["$defs"]["network"]["properties"]


def test_plan_schema_types_are_the_catalog() -> None:
    assert set(NETWORK["type"]["enum"]) == set(nettypes.NAMES)
    assert set(NETWORK["mode"]["enum"]) == {m for t in nettypes.CATALOG for m in t.modes}
    bindings = set(SCHEMA["$defs"]["interface"]["properties"]["binding"]["enum"])
    assert {t.default_binding for t in nettypes.CATALOG} <= bindings
    described = NETWORK["type"]["description"]  # written by hand: a new type must be described too
    assert [n for n in nettypes.NAMES if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", described)] == []


def test_catalog_fields_are_plan_fields() -> None:
    for entry in nettypes.CATALOG:
        for name in (*entry.fields, *(f for r in entry.required for f in r.any_of)):
            assert name in nettypes.PLAN_FIELDS and name in NETWORK, (entry.name, name)
        for ck in entry.cni_keys:
            assert ck.field is None or ck.field in NETWORK or ck.manifest_only, (entry.name, ck.field)
        assert set(entry.example) <= set(NETWORK), entry.name


def test_every_cni_type_has_its_schema() -> None:
    cni = KVNET / "schemas" / "cni"
    assert [t for t in nettypes.plugin_types() if not (cni / f"{t}.json").is_file()] == []


def _plan(entry: nettypes.NetType) -> dict[str, object]:
    network = {"name": "net1", "type": entry.name, **entry.example}
    interfaces: list[dict[str, str]] = [{"network": "default"}]
    if entry.no_binding_fix is None:  # a type KubeVirt cannot attach is imported from its NAD alone
        interfaces.append({"network": "net1"})
    return {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "metadata": {"name": "rt", "namespace": "ns"},
            "spec": {"networks": [network], "vms": [{"name": "vm1", "image": "quay.io/containerdisks/ubuntu:22.04",
                                                    "interfaces": interfaces}]}}


@pytest.mark.parametrize("entry", nettypes.CATALOG, ids=nettypes.NAMES)
def test_round_trip(entry: nettypes.NetType, kvnet, tmp_path: Path) -> None:
    plan = _plan(entry)
    write(tmp_path / "plan" / "kvnet.yaml", yaml.safe_dump(plan, sort_keys=False))
    built = kvnet("build", str(tmp_path / "plan"))
    assert built.code == 0, built.err
    out = write(tmp_path / "out" / "all.yaml", built.out)
    linted = kvnet("lint", "--format", "text", str(out))
    assert linted.code == 0, linted.out
    imported = kvnet("import", str(out))
    assert imported.code == 0, imported.err
    networks = yaml.safe_load(imported.out)["spec"]["networks"]
    want = dict(plan["spec"]["networks"][0])  # type: ignore[index]
    if entry.writes_nad:
        want.setdefault("ipam", "none")
    assert [n for n in networks if n["name"] == "net1"] == [want]


# ------------------------------------------------------------------ names only in the catalog

TYPE_EXPRS = ("net_type", "ptype", "type_name")


def _is_type_expr(node: ast.AST) -> bool:
    """``x.type``, a variable named like a type, ``d["type"]`` / ``d.get("type")``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "type"
    if isinstance(node, ast.Name):
        return node.id in TYPE_EXPRS
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "type"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "type"
    return False


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    names = set(nettypes.NAMES)
    plugins = {t.cni_type for t in nettypes.CATALOG if t.cni_type is not None}
    plan_only = names - {t.cni_type for t in nettypes.CATALOG} - {t.default_binding for t in nettypes.CATALOG}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(_is_type_expr(o) for o in (node.left, *node.comparators)):
            found += [(node.lineno, s) for o in (node.left, *node.comparators) for s in _strings(o) if s in names]
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if len([k for k in keys if k in names]) >= 2 and all(k in names for k in keys):
                found += [(node.lineno, f"a table keyed by type: {keys}")]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(items) >= 3 and len(items) == len(node.elts) and set(items) <= names | plugins:
                found.append((node.lineno, f"a list of types: {items}"))
        elif isinstance(node, ast.Constant) and node.value in plan_only:
            found.append((node.lineno, node.value))
    return found


def test_type_names_only_in_the_catalog() -> None:
    bad = []
    for path in sorted(KVNET.rglob("*.py")):
        rel = path.relative_to(KVNET).as_posix()
        if rel.startswith("nettypes/"):
            continue
        bad += [f"{rel}:{line}: {what}" for line, what in _offences(ast.parse(path.read_text(encoding="utf-8")))]
    assert bad == []
