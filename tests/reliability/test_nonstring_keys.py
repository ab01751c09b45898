"""Mapping keys that YAML reads as no string (``3``, ``true``, ``~``, a date, ``!!binary``) in
every input kind (issue 27: a fuzzed kustomize generator config with a ``!!binary`` key ended in
"keys must be str, int, float, bool or None, not bytes"; lint/import sorted mixed keys). Each: a
one-line diagnostic at file:line:col, exit 1, empty stdout (lint's report aside), no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from testlib import EXAMPLES, run_kvnet, write

KEYS = ["3", "true", "~", "2001-12-14", "1.5", "!!binary aGk="]
HEAD = "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: x, namespace: vms}\nspec:\n"


def _one_line_failure(code: int, out: str, err: str, where: str, report: bool = False) -> None:
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert report or out == "", out[:300]
    first = (out if report else err).splitlines()[0]
    assert first.startswith(where) and "error[KV1" in first, first


@pytest.mark.parametrize("key", KEYS)
def test_non_string_key_in_a_manifest(tmp_path: Path, key: str) -> None:
    built = run_kvnet("build", str(EXAMPLES / "pool-shared"))
    assert built.code == 0, built.err
    text = built.out.replace("    kvnet.dev/source: kvnet.yaml\n", f"    kvnet.dev/source: kvnet.yaml\n    {key}: x\n", 1)
    line = text.splitlines().index(f"    {key}: x") + 1
    path = write(tmp_path / "in.yaml", text)
    lint = run_kvnet("lint", str(path))
    _one_line_failure(lint.code, lint.out, lint.err, f"{path}:{line}:5: error[KV102]: key ", report=True)
    imp = run_kvnet("import", str(path))
    _one_line_failure(imp.code, imp.out, imp.err, f"{path}:{line}:5: error[KV102]: key ")


@pytest.mark.parametrize("key", KEYS)
def test_non_string_key_in_a_kustomize_generator_config(tmp_path: Path, key: str) -> None:
    text = (EXAMPLES / "pool-shared" / "kvnet.yaml").read_text().replace("\n  networks:\n", f"\n  {key}: x\n  networks:\n")
    cfg = write(tmp_path / "gen" / "config.yaml", text)
    r = run_kvnet("kustomize", "exec", str(cfg), cwd=cfg.parent)
    _one_line_failure(r.code, r.out, r.err, "NetworkPlan/workers: spec")


@pytest.mark.parametrize("key", KEYS)
def test_non_string_key_in_a_plan_value(tmp_path: Path, key: str) -> None:
    write(tmp_path / "kvnet.yaml", HEAD + f"  networks: [{{name: s, type: {{{key}: 1}}}}]\n")
    r = run_kvnet("build", str(tmp_path))
    _one_line_failure(r.code, r.out, r.err, f"{tmp_path / 'kvnet.yaml'}:5:")


@pytest.mark.parametrize("key", KEYS)
def test_non_string_key_in_a_free_form_plan_map(tmp_path: Path, key: str) -> None:
    """labels, nodeSelector: maps the plan schema types by value only (fuzz seed 27, mutant 10122:
    a '~:' key in spec.cluster.nodeSelector was an internal error while sorting the keys)."""
    for body in (f"  vms: [{{name: a, image: x, labels: {{{key}: x}}}}]\n",
                 f"  cluster: {{nodeSelector: {{{key}: x}}}}\n  vms: [{{name: a, image: x}}]\n"):
        write(tmp_path / "kvnet.yaml", HEAD + body)
        r = run_kvnet("build", str(tmp_path))
        _one_line_failure(r.code, r.out, r.err, f"{tmp_path / 'kvnet.yaml'}:5:")
        assert "error[KV102]: key " in r.err, r.err
