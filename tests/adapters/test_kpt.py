"""`kvnet fn` end to end through kpt, which runs exec KRM functions: `kpt fn eval --exec` and
`kpt fn render --allow-exec` on a package with a Kptfile pipeline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from adapter_helpers import BAD_PLAN, GOOD_PLAN, by_identity, clean_env, kvnet_build, objects

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("kpt") is None, reason="kpt is not on PATH")]

FN = f"{sys.executable} -m kvnet fn"  # kpt splits --exec / exec: on spaces
CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: keep-me # a user's comment
data:
  key: value
"""
KVNET_ANNOTATIONS = ("config.kubernetes.io/", "internal.config.kubernetes.io/", "kvnet.dev/source")


def kpt(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kpt", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=300, check=False)


def package(root: Path, plan: str = GOOD_PLAN, kptfile: bool = False) -> Path:
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "kvnet.yaml").write_text(plan)
    (pkg / "cm.yaml").write_text(CONFIG_MAP)
    if kptfile:
        pipeline = {"mutators": [{"exec": FN, "configPath": "kvnet.yaml"}]}
        (pkg / "Kptfile").write_text(yaml.safe_dump({"apiVersion": "kpt.dev/v1", "kind": "Kptfile",
                                                     "metadata": {"name": "pkg"}, "pipeline": pipeline}))
    return pkg


def generated(pkg: Path) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """The objects kpt wrote under pkg/kvnet/, without the annotations that name their file."""
    out = []
    for path in sorted((pkg / "kvnet").glob("*.yaml")):
        for obj in objects(path.read_text()):
            ann = obj["metadata"].get("annotations") or {}
            for key in [k for k in ann if k.startswith(KVNET_ANNOTATIONS)]:
                del ann[key]
            out.append(obj)
    return by_identity(out)


def expected(tmp_path: Path, plan: str = GOOD_PLAN) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    ref = tmp_path / "ref"
    ref.mkdir(parents=True)
    (ref / "kvnet.yaml").write_text(plan)
    objs = objects(kvnet_build(ref))
    for obj in objs:
        obj["metadata"]["annotations"].pop("kvnet.dev/source")
    return by_identity(objs)


def test_kpt_fn_eval_exec(tmp_path: Path) -> None:
    pkg = package(tmp_path)
    res = kpt("fn", "eval", str(pkg), "--exec", FN, "--fn-config", str(pkg / "kvnet.yaml"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert generated(pkg) == expected(tmp_path)  # the same objects as kvnet build
    assert (pkg / "cm.yaml").read_text() == CONFIG_MAP  # the user's resource kept, comment and all


def test_kpt_fn_eval_exec_reports_errors_and_writes_nothing(tmp_path: Path) -> None:
    pkg = package(tmp_path, BAD_PLAN)
    before = sorted(p.name for p in pkg.rglob("*"))
    res = kpt("fn", "eval", str(pkg), "--exec", FN, "--fn-config", str(pkg / "kvnet.yaml"), cwd=tmp_path)
    assert res.returncode != 0
    assert "KV210" in res.stderr and "192.168.10.7/24" in res.stderr
    assert sorted(p.name for p in pkg.rglob("*")) == before


def test_kpt_fn_render_allow_exec_is_idempotent_and_follows_the_plan(tmp_path: Path) -> None:
    pkg = package(tmp_path, kptfile=True)
    first = kpt("fn", "render", str(pkg), "--allow-exec", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert generated(pkg) == expected(tmp_path)
    files = sorted(p.name for p in (pkg / "kvnet").iterdir())
    again = kpt("fn", "render", str(pkg), "--allow-exec", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (pkg / "kvnet").iterdir()) == files  # replaced, not duplicated

    moved = GOOD_PLAN.replace("192.168.10.20/24", "192.168.10.21/24")
    (pkg / "kvnet.yaml").write_text(moved)
    third = kpt("fn", "render", str(pkg), "--allow-exec", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert generated(pkg) == expected(tmp_path / "moved", moved)

    (pkg / "kvnet.yaml").write_text(BAD_PLAN)
    kept = {p.name: p.read_text() for p in (pkg / "kvnet").iterdir()}
    failed = kpt("fn", "render", str(pkg), "--allow-exec", cwd=tmp_path)
    assert failed.returncode != 0 and "KV210" in failed.stderr
    assert {p.name: p.read_text() for p in (pkg / "kvnet").iterdir()} == kept  # render wrote nothing


def test_kpt_fn_render_refuses_exec_without_allow_exec(tmp_path: Path) -> None:
    """kpt's own guard: the pipeline's exec function runs only with --allow-exec."""
    pkg = package(tmp_path, kptfile=True)
    res = kpt("fn", "render", str(pkg), cwd=tmp_path)
    assert res.returncode != 0 and not (pkg / "kvnet").exists()
