"""``kvnet check-rendered``: committed rendered output against ``kvnet build`` of each plan directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from adapter_helpers import BAD_PLAN, GOOD_PLAN, by_identity, clean_env, kvnet_build, objects
from testlib import write

RUN = ("import sys; from kvnet.commands.check_rendered import check_rendered; "
       "sys.exit(check_rendered.main(sys.argv[1:], prog_name='kvnet check-rendered', standalone_mode=False))")


def check(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command itself (it runs the same whether or not cli.py lists it yet)."""
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("lab", "prod"):
        d = tmp_path / "clusters" / name
        d.mkdir(parents=True)
        # the same plan name in two directories: each directory is compiled on its own
        (d / "kvnet.yaml").write_text(GOOD_PLAN)
        (d / "rendered.yaml").write_text(kvnet_build(d))
    return tmp_path


def test_up_to_date_passes(repo: Path) -> None:
    res = check(repo, "clusters/lab/kvnet.yaml", "clusters/prod/kvnet.yaml", "clusters/prod/rendered.yaml")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "" and res.stderr == ""


def test_stale_output_fails_with_a_unified_diff(repo: Path) -> None:
    plan = repo / "clusters/lab/kvnet.yaml"
    plan.write_text(GOOD_PLAN.replace("address: 192.168.10.20/24", "address: 192.168.10.21/24"))
    res = check(repo, "clusters/lab/kvnet.yaml", "clusters/prod/kvnet.yaml")
    assert res.returncode == 1
    assert "clusters/lab/rendered.yaml:1:1: error[KV960]: rendered output is stale" in res.stderr
    assert "kvnet build clusters/lab > clusters/lab/rendered.yaml" in res.stderr
    assert res.stdout.startswith("--- clusters/lab/rendered.yaml (committed)\n"
                                 "+++ clusters/lab/rendered.yaml (kvnet build clusters/lab)\n")
    assert "-" in res.stdout and "+" in res.stdout and "192.168.10.21" in res.stdout
    assert "clusters/prod" not in res.stdout + res.stderr


def test_fix_rewrites_and_still_fails_once(repo: Path) -> None:
    (repo / "clusters/lab/rendered.yaml").unlink()
    res = check(repo, "--fix", "clusters/lab")
    assert res.returncode == 1 and "KV961" in res.stderr
    assert (repo / "clusters/lab/rendered.yaml").read_text() == kvnet_build(repo / "clusters/lab")
    assert check(repo, "clusters/lab").returncode == 0


def test_broken_plan_reports_diagnostics(repo: Path) -> None:
    (repo / "clusters/lab/kvnet.yaml").write_text(BAD_PLAN)
    res = check(repo, "clusters/lab/kvnet.yaml")
    assert res.returncode == 1
    assert "clusters/lab/kvnet.yaml:12:15: error[KV210]" in res.stderr
    assert res.stdout == ""


def test_other_rendered_name_and_github_format(repo: Path) -> None:
    d = repo / "clusters/lab"
    (d / "rendered.yaml").rename(d / "manifests.yaml")
    assert check(repo, "--rendered", "manifests.yaml", "clusters/lab").returncode == 0
    (d / "manifests.yaml").write_text("# stale\n")
    res = check(repo, "--rendered", "manifests.yaml", "clusters/lab", GITHUB_ACTIONS="true")
    assert res.returncode == 1
    assert res.stderr.startswith("::error file=clusters/lab/manifests.yaml,line=1,col=1,title=kvnet KV960::")


def test_plan_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kvnet.adapters.rendered import plan_dirs

    (tmp_path / "b").mkdir()
    for name in ("a/kvnet.yaml", "a/rendered.yaml", "kvnet.yaml"):
        write(tmp_path / name, "x: 1\n")
    monkeypatch.chdir(tmp_path)
    assert plan_dirs(["a/kvnet.yaml", "a/rendered.yaml", "b", "kvnet.yaml", "b/"]) == [".", "a", "b"]
    assert plan_dirs([]) == ["."]
    # a path that does not exist stands for itself, so that reading it says so (KV000), not "."
    assert plan_dirs(["nope", "c/kvnet.yaml"]) == ["c/kvnet.yaml", "nope"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) is not on PATH")
def test_flux_layout_plan_rendered_output_and_kustomization_together(tmp_path: Path) -> None:
    """docs/gitops.md's Flux recipe: kustomize (what Flux's kustomize-controller runs) builds
    exactly kvnet's objects from the directory, and check-rendered guards the output."""
    app = tmp_path / "clusters" / "lab" / "vms"
    app.mkdir(parents=True)
    (app / "kvnet.yaml").write_text(GOOD_PLAN)
    (app / "rendered.yaml").write_text(kvnet_build(app))
    (app / "kustomization.yaml").write_text("resources:\n  - rendered.yaml\n")
    assert kvnet_build(app) == (app / "rendered.yaml").read_text()  # the kustomization is not input
    flux = subprocess.run(["kubectl", "kustomize", str(app)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert flux.returncode == 0, flux.stderr
    assert by_identity(objects(flux.stdout)) == by_identity(objects(kvnet_build(app)))
    assert "NetworkPlan" not in flux.stdout
    assert check(tmp_path, "clusters/lab/vms").returncode == 0
    (app / "kvnet.yaml").write_text(GOOD_PLAN.replace("192.168.10.20/24", "192.168.10.21/24"))
    stale = check(tmp_path, "clusters/lab/vms")
    assert stale.returncode == 1 and "KV960" in stale.stderr and "192.168.10.21" in stale.stdout + stale.stderr
