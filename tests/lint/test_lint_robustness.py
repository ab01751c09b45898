"""Bad input never crashes lint or import: the robustness fuzz inputs (mutated plans, garbage
text) and kvnet's own output mutated at every node give findings or nothing, never a traceback."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
import yaml
from test_robustness import ODD_VALUES, paths, plans, set_at
from testlib import EXAMPLES, example_dirs

from kvnet.importer import import_documents
from kvnet.input.loader import LoadError, load_text
from kvnet.lint import lint_documents
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_paths


def _check(text: str, name: str) -> None:
    docs = load_text(text, name)
    result = lint_documents(docs)
    code = result.exit_code()
    assert code in (0, 1)
    if code:
        assert any(d.is_error for d in result.diagnostics)
    assert all(d.file == name and d.line >= 1 and d.column >= 1 for d in result.diagnostics)
    imported = import_documents(docs)
    assert imported.ok or not imported.plans


@pytest.mark.parametrize("name,plan", plans(), ids=[p[0] for p in plans()])
def test_mutated_plans_through_lint(name: str, plan: Any) -> None:
    rng = random.Random("lint-" + name)
    for path in list(paths(plan)):
        for value in rng.sample(ODD_VALUES, 2):
            text = yaml.safe_dump(set_at(copy.deepcopy(plan), path, value), sort_keys=False)
            result = lint_documents(load_text(text, "plan.yaml"))
            if result.exit_code():
                assert result.diagnostics and all(d.file == "plan.yaml" for d in result.diagnostics)


def _outputs() -> list[tuple[str, list[Any]]]:
    out = []
    for d in example_dirs():
        result = compile_paths([str(d)], BuildOptions())
        out.append((d.name, [o for o in result.objects if o["kind"] in (
            "NetworkAttachmentDefinition", "VirtualMachine", "DaemonSet", "CustomResourceDefinition")]))
    return out


@pytest.mark.parametrize("name,objects", _outputs(), ids=[o[0] for o in _outputs()])
def test_mutated_manifests_never_crash(name: str, objects: list[Any]) -> None:
    rng = random.Random(name)
    cases = 0
    for i, obj in enumerate(objects):
        all_paths = list(paths(obj))
        for path in rng.sample(all_paths, min(len(all_paths), 120)):
            mutated = [copy.deepcopy(o) for o in objects]
            mutated[i] = set_at(mutated[i], path, rng.choice(ODD_VALUES))
            _check(yaml.safe_dump_all(mutated, sort_keys=False), "out.yaml")
            cases += 1
    assert cases >= 50


def test_mutated_nad_configs_never_crash() -> None:
    rng = random.Random(7)
    values = ['{', '[]', '""', '{"type": 1}', '{"plugins": {}}', '{"plugins": [1]}', '{"type":"bridge","ipam":[]}',
              '{"type":"bridge","ipam":{"type":"static","addresses":"x"}}', '{"type":"macvlan","vlan":"x","mtu":[]}',
              '{"type":"bridge","ipam":{"type":"host-local","ranges":[["x"]]}}', '{"cniVersion":1,"type":"sriov"}',
              '{"type":"bridge","ipam":{"type":"static","routes":[{"dst":7}],"addresses":[{"address":"::/0"}]}}']
    for config in values * 3:
        text = yaml.safe_dump_all([
            {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
             "metadata": {"name": rng.choice(["a", "default", "", 3])}, "spec": {"config": config}},
            {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "v"},
             "spec": {"template": {"spec": {"networks": [{"name": "a", "multus": {"networkName": "a"}}],
                                            "domain": {"devices": {"interfaces": [{"name": "a", "bridge": {}}]}}}}}}])
        _check(text, "nad.yaml")


def test_garbage_text_through_the_command(kvnet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    base = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
    target = tmp_path / "x.yaml"
    for _ in range(60):
        chars = list(base)
        for _ in range(rng.randint(1, 8)):
            chars[rng.randrange(len(chars))] = rng.choice(["\t", ":", "-", "{", "[", "&a", "*a", "\x00", "'"])
        target.write_text("".join(chars))
        run = kvnet("lint", str(target))
        assert run.code in (0, 1, 2), run.err
        if run.code:
            assert "error[KV" in run.out and "Traceback" not in run.err
        try:
            load_text("".join(chars), "x.yaml")
        except LoadError:
            assert run.code == 1
