"""The NetworkPlan schema documents itself (editor hovers), and editors can find it.

Every property added to kvnet/schemas/networkplan.json needs a ``description``; an
``examples`` entry, where given, must itself be valid for the property.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import yaml
from testlib import REPO

SCHEMA_PATH = REPO / "kvnet" / "schemas" / "networkplan.json"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def properties(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (JSON-pointer-ish path, subschema) under a ``properties`` or ``patternProperties``."""
    if isinstance(node, dict):
        for kw in ("properties", "patternProperties"):
            for name, sub in (node.get(kw) or {}).items():
                yield f"{path}/{kw}/{name}", sub
        for key, value in node.items():
            yield from properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from properties(value, f"{path}/{i}")


def test_every_property_has_a_description() -> None:
    found = list(properties(schema()))
    assert len(found) > 50  # the walk reaches $defs too
    missing = [p for p, sub in found if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())]
    assert missing == [], f"add a description to these NetworkPlan schema properties: {missing}"


def test_examples_are_valid_values() -> None:
    from jsonschema import Draft202012Validator

    root = schema()
    checked = 0
    for path, sub in properties(root):
        for example in sub.get("examples", []):
            validator = Draft202012Validator({**sub, "$defs": root["$defs"]})
            problems = [e.message for e in validator.iter_errors(example)]
            assert problems == [], (path, example, problems)
            checked += 1
    assert checked > 30


def resolve_modeline(plan: Path) -> Path:
    """Where yaml-language-server looks for the schema named by the plan's modeline: a
    relative path is resolved from the plan's directory (yaml-language-server PR #499)."""
    first = plan.read_text().splitlines()[0]
    match = MODELINE.match(first)
    assert match, first
    ref = match.group(1)
    assert "://" not in ref, f"{ref} is a URL nothing serves"
    return (plan.parent / ref).resolve()


def test_init_writes_a_schema_the_plan_points_at(tmp_path: Path, kvnet) -> None:
    from jsonschema import Draft202012Validator

    res = kvnet("init", str(tmp_path / "app"))
    assert res.code == 0, res.err
    plan = tmp_path / "app" / "kvnet.yaml"
    target = resolve_modeline(plan)
    assert target == (tmp_path / "app" / "networkplan.schema.json").resolve() and target.is_file()
    assert target.read_text() == kvnet("schema").out
    validator = Draft202012Validator(json.loads(target.read_text()))
    assert list(validator.iter_errors(yaml.safe_load(plan.read_text()))) == []
    # the schema file beside the plan is not taken for a plan
    assert kvnet("validate", str(tmp_path / "app")).out == "1 plans, 2 objects: 0 errors, 0 warnings\n"


def test_init_with_a_shared_schema(tmp_path: Path, kvnet) -> None:
    wrote = kvnet("schema", "-o", str(tmp_path / "schemas" / "networkplan.json"))
    assert wrote.code == 0 and wrote.out == "" and "wrote" in wrote.err
    res = kvnet("init", "--schema-ref", "../schemas/networkplan.json", str(tmp_path / "app"))
    assert res.code == 0, res.err
    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == ["kvnet.yaml"]
    target = resolve_modeline(tmp_path / "app" / "kvnet.yaml")
    assert target == (tmp_path / "schemas" / "networkplan.json").resolve()
    assert json.loads(target.read_text()) == schema()


def test_schema_path_is_the_installed_file(kvnet) -> None:
    res = kvnet("schema", "--path")
    assert res.code == 0
    assert json.loads(Path(res.out.strip()).read_text()) == json.loads(kvnet("schema").out)
    both = kvnet("schema", "--path", "-o", "x.json")
    assert both.code == 2 and both.out == ""


def test_starter_plan_names_a_local_schema() -> None:
    starter = REPO / "kvnet" / "data" / "starter-kvnet.yaml"
    assert MODELINE.match(starter.read_text().splitlines()[0]).group(1) == "networkplan.schema.json"
