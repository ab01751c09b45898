"""The pre-commit hooks of .pre-commit-hooks.yaml, through the real ``pre-commit try-repo``.

pre-commit builds a virtualenv and pip-installs kvnet from this repository into it
(network to PyPI needed); PRE_COMMIT_HOME is shared by the tests of one session so
that happens once. try-repo takes the repository's HEAD plus its uncommitted changes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from adapter_helpers import BAD_LINE, BAD_PLAN, GOOD_PLAN, REPO, clean_env, kvnet, kvnet_build

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                                reason="pre-commit and git are needed")


def hooks() -> dict[str, dict[str, object]]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def test_hook_definitions() -> None:
    h = hooks()
    assert set(h) == {"kvnet-validate", "kvnet-build-check", "kvnet-lock-check"}
    v = h["kvnet-validate"]
    assert v["entry"] == "kvnet validate --whole-dir" and v["language"] == "python"
    assert v["require_serial"] is True and v.get("pass_filenames", True) is True
    pattern = re.compile(str(v["files"]))
    for name in ("kvnet.yaml", "kvnet.yml", "clusters/lab/kvnet.yaml", "lab.kvnet.yaml", "kvnet-lab.yml",
                 "networkplan.yaml"):
        assert pattern.search(name), name
    for name in ("kustomization.yaml", "rendered.yaml", "mykvnet.yaml", "kvnet/values.yaml", "kvnet.json"):
        assert not pattern.search(name), name
    b = h["kvnet-build-check"]
    assert re.search(str(b["files"]), "clusters/lab/rendered.yaml") and re.search(str(b["files"]), "kvnet.yaml")
    lock = h["kvnet-lock-check"]
    assert lock["entry"] == "kvnet lock --check"
    for name in ("clusters/lab/kvnet.lock", "kvnet.lock", "clusters/lab/kvnet.yaml"):
        assert re.search(str(lock["files"]), name), name
    assert not re.search(str(lock["files"]), "rendered.yaml")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def git_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def try_repo(cwd: Path, home: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run(["pre-commit", "try-repo", str(REPO), hook, "--verbose", "--files", *files],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)


def test_validate_hook_passes_a_good_plan_and_fails_a_bad_one(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = git_repo(tmp_path / "user", {"clusters/lab/kvnet.yaml": GOOD_PLAN, "clusters/bad/kvnet.yaml": BAD_PLAN})
    good = try_repo(repo, pre_commit_home, "kvnet-validate", "clusters/lab/kvnet.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    bad = try_repo(repo, pre_commit_home, "kvnet-validate", "clusters/bad/kvnet.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert f"clusters/bad/kvnet.yaml:{BAD_LINE}:15: error[KV210]" in bad.stdout


def test_build_check_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    from kvnet.cli import COMMANDS

    if "check-rendered" not in COMMANDS:
        pytest.skip("kvnet check-rendered is not wired into kvnet.cli.COMMANDS yet")
    lab = tmp_path / "build"
    lab.mkdir()
    (lab / "kvnet.yaml").write_text(GOOD_PLAN)
    rendered = kvnet_build(lab)
    repo = git_repo(tmp_path / "user", {"lab/kvnet.yaml": GOOD_PLAN, "lab/rendered.yaml": rendered})
    ok = try_repo(repo, pre_commit_home, "kvnet-build-check", "lab/kvnet.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr

    (repo / "lab/kvnet.yaml").write_text(GOOD_PLAN.replace("192.168.10.20/24", "192.168.10.21/24"))
    stale = try_repo(repo, pre_commit_home, "kvnet-build-check", "lab/kvnet.yaml")
    assert stale.returncode == 1
    assert "lab/rendered.yaml:1:1: error[KV960]" in stale.stdout
    assert re.search(r"^\+.*192\.168\.10\.21", stale.stdout, re.MULTILINE), stale.stdout


ALLOC_PLAN = GOOD_PLAN.replace("      gateway: 192.168.10.1\n", "      gateway: 192.168.10.1\n      ipam: static\n"
                               "      allocate: 192.168.10.50-192.168.10.59\n").replace(
    "          address: 192.168.10.20/24\n", "")


def test_lock_check_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    from kvnet.cli import COMMANDS

    if "lock" not in COMMANDS:
        pytest.skip("kvnet lock is not in this build")
    repo = git_repo(tmp_path / "user", {"clusters/lab/kvnet.yaml": ALLOC_PLAN})
    stale = try_repo(repo, pre_commit_home, "kvnet-lock-check", "clusters/lab/kvnet.yaml")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "clusters/lab/kvnet.lock: vms/lab lan web-1: + 192.168.10.50" in stale.stdout
    assert "error[KV287]" in stale.stdout
    assert not (repo / "clusters/lab/kvnet.lock").exists()  # --check writes nothing

    assert kvnet(["lock", "clusters/lab"], cwd=repo).returncode == 0
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    ok = try_repo(repo, pre_commit_home, "kvnet-lock-check", "clusters/lab/kvnet.lock")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout
