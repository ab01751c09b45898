"""The pre-commit hooks of .pre-commit-hooks.yaml, through the real ``pre-commit run``.

Like ``pre-commit try-repo``, the hooks come from a snapshot of this working tree (HEAD plus
uncommitted changes), here committed once per session into a scratch git repository that the
user repositories' ``.pre-commit-config.yaml`` pins by commit. pre-commit clones it and builds
its virtualenv with kvnet pip-installed from it once: the store (PRE_COMMIT_HOME) is shared by
the session, and every run uses the same repo and rev. (try-repo makes a new commit per call,
so each call installed kvnet again: 4 installs, two thirds of the suite's time.)

Offline and quick: the hook virtualenv sees this interpreter's site-packages
(VIRTUALENV_SYSTEM_SITE_PACKAGES, virtualenv's setting), where ``.[test]`` installed kvnet's
dependencies, and pip uses no index (PIP_NO_INDEX) and builds kvnet with the virtualenv's own
setuptools (PIP_NO_BUILD_ISOLATION=0: pip reads this variable inverted, 0 means no isolation).
kvnet itself is installed into the hook virtualenv from the pinned commit, as for a user.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from adapter_helpers import BAD_LINE, BAD_PLAN, GOOD_PLAN, REPO, clean_env, kvnet, kvnet_build

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                                reason="pre-commit and git are needed")
GIT_ID = ["-c", "user.name=kvnet tests", "-c", "user.email=tests@kvnet.invalid", "-c", "commit.gpgsign=false"]


def hooks() -> dict[str, dict[str, object]]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def test_hook_definitions() -> None:
    h = hooks()
    assert set(h) == {"kvnet-validate", "kvnet-build-check", "kvnet-lock-check", "kvnet-lint"}
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
    assert lock["entry"] == "kvnet lock --check --brief-plan-errors"
    assert b["entry"] == "kvnet check-rendered --brief-plan-errors"
    lint = h["kvnet-lint"]  # plan files are kvnet-validate's
    assert re.search(str(lint["exclude"]), "clusters/lab/kvnet.yaml") and not re.search(str(lint["exclude"]), "vm.yaml")
    for name in ("clusters/lab/kvnet.lock", "kvnet.lock", "clusters/lab/kvnet.yaml"):
        assert re.search(str(lock["files"]), name), name
    assert not re.search(str(lock["files"]), "rendered.yaml")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree (tracked and untracked files, as try-repo takes them) committed once
    into a scratch repository: (its path, the commit)."""
    snap = tmp_path_factory.mktemp("kvnet-hooks-repo")
    ignore = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")
    shutil.copytree(REPO, snap, ignore=ignore, dirs_exist_ok=True)
    subprocess.run(["git", "init", "-q", str(snap)], check=True)
    subprocess.run(["git", "-C", str(snap), "add", "-A"], check=True)
    subprocess.run(["git", *GIT_ID, "-C", str(snap), "commit", "-q", "-m", "snapshot"], check=True)
    rev = subprocess.run(["git", "-C", str(snap), "rev-parse", "HEAD"], check=True, capture_output=True,
                         text=True).stdout.strip()
    return snap, rev


def git_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def run_hook(cwd: Path, home: Path, hook_repo: tuple[Path, str], hook: str, *files: str,
             args: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """``pre-commit run HOOK --files ...`` with a config that pins the snapshot by commit."""
    repo, rev = hook_repo
    entry: dict[str, Any] = {"id": hook, **({"args": args} if args else {})}
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": [entry]}]}
    (cwd / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "-C", str(cwd), "add", ".pre-commit-config.yaml"], check=True)
    env = clean_env(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", VIRTUALENV_SYSTEM_SITE_PACKAGES="1",
                    PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0")
    return subprocess.run(["pre-commit", "run", hook, "--verbose", "--files", *files],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)


@pytest.mark.slow
def test_validate_hook_passes_a_good_plan_and_fails_a_bad_one(tmp_path: Path, pre_commit_home: Path,
                                                              hook_repo: tuple[Path, str]) -> None:
    repo = git_repo(tmp_path / "user", {"clusters/lab/kvnet.yaml": GOOD_PLAN, "clusters/bad/kvnet.yaml": BAD_PLAN})
    good = run_hook(repo, pre_commit_home, hook_repo, "kvnet-validate", "clusters/lab/kvnet.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    bad = run_hook(repo, pre_commit_home, hook_repo, "kvnet-validate", "clusters/bad/kvnet.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert f"clusters/bad/kvnet.yaml:{BAD_LINE}:15: error[KV210]" in bad.stdout


@pytest.mark.slow
def test_build_check_hook(tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]) -> None:
    from kvnet.cli import COMMANDS

    if "check-rendered" not in COMMANDS:
        pytest.skip("kvnet check-rendered is not wired into kvnet.cli.COMMANDS yet")
    lab = tmp_path / "build"
    lab.mkdir()
    (lab / "kvnet.yaml").write_text(GOOD_PLAN)
    rendered = kvnet_build(lab)
    repo = git_repo(tmp_path / "user", {"lab/kvnet.yaml": GOOD_PLAN, "lab/rendered.yaml": rendered})
    ok = run_hook(repo, pre_commit_home, hook_repo, "kvnet-build-check", "lab/kvnet.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr

    (repo / "lab/kvnet.yaml").write_text(GOOD_PLAN.replace("192.168.10.20/24", "192.168.10.21/24"))
    stale = run_hook(repo, pre_commit_home, hook_repo, "kvnet-build-check", "lab/kvnet.yaml")
    assert stale.returncode == 1
    assert "lab/rendered.yaml:1:1: error[KV960]" in stale.stdout
    assert re.search(r"^\+.*192\.168\.10\.21", stale.stdout, re.MULTILINE), stale.stdout


ALLOC_PLAN = GOOD_PLAN.replace("      gateway: 192.168.10.1\n", "      gateway: 192.168.10.1\n      ipam: static\n"
                               "      allocate: 192.168.10.50-192.168.10.59\n").replace(
    "          address: 192.168.10.20/24\n", "")


@pytest.mark.slow
def test_lock_check_hook(tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]) -> None:
    from kvnet.cli import COMMANDS

    if "lock" not in COMMANDS:
        pytest.skip("kvnet lock is not in this build")
    repo = git_repo(tmp_path / "user", {"clusters/lab/kvnet.yaml": ALLOC_PLAN})
    stale = run_hook(repo, pre_commit_home, hook_repo, "kvnet-lock-check", "clusters/lab/kvnet.yaml")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "clusters/lab/kvnet.lock: vms/lab lan web-1: + 192.168.10.50" in stale.stdout
    assert "error[KV287]" in stale.stdout
    assert not (repo / "clusters/lab/kvnet.lock").exists()  # --check writes nothing

    assert kvnet(["lock", "clusters/lab"], cwd=repo).returncode == 0
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    ok = run_hook(repo, pre_commit_home, hook_repo, "kvnet-lock-check", "clusters/lab/kvnet.lock")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout


@pytest.mark.slow
def test_lint_hook_on_manifests(tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]) -> None:
    """kvnet-lint on hand-written manifests: the macvlan NAD behind the bridge binding fails at its
    line; Helm templates (not YAML before rendering) are left alone."""
    corpus = REPO / "tests" / "lint" / "corpus"
    assert hooks()["kvnet-lint"]["entry"] == "kvnet lint"
    repo = git_repo(tmp_path / "user", {
        "apps/vm.yaml": (corpus / "field-incident.yaml").read_text(),
        "apps/good.yaml": (corpus / "clean-bridge-static.yaml").read_text(),
        "chart/templates/nad.yaml": "{{- if .Values.nad }}\nkind: {{ .Values.kind }}\n{{- end }}\n"})
    good = run_hook(repo, pre_commit_home, hook_repo, "kvnet-lint", "apps/good.yaml", "chart/templates/nad.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run_hook(repo, pre_commit_home, hook_repo, "kvnet-lint", "apps/vm.yaml", "apps/good.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "apps/vm.yaml:45:13: error[KV230]" in bad.stdout and "apps/good.yaml" not in bad.stdout


@pytest.mark.slow
def test_all_hooks_report_a_plan_error_once(tmp_path: Path, pre_commit_home: Path,
                                            hook_repo: tuple[Path, str]) -> None:
    """Every hook enabled, one bad plan: kvnet-validate prints its error; kvnet-build-check and
    kvnet-lock-check fail with one KV055 line pointing there; kvnet-lint leaves plan files alone."""
    repo_path, rev = hook_repo
    repo = git_repo(tmp_path / "user", {"clusters/bad/kvnet.yaml": BAD_PLAN})
    ids = ["kvnet-validate", "kvnet-build-check", "kvnet-lock-check", "kvnet-lint"]
    config = {"repos": [{"repo": str(repo_path), "rev": rev, "hooks": [{"id": i} for i in ids]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "-C", str(repo), "add", ".pre-commit-config.yaml"], check=True)
    env = clean_env(PRE_COMMIT_HOME=str(pre_commit_home), PRE_COMMIT_COLOR="never",
                    VIRTUALENV_SYSTEM_SITE_PACKAGES="1", PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0")
    res = subprocess.run(["pre-commit", "run", "--files", "clusters/bad/kvnet.yaml"], cwd=repo, env=env,
                         capture_output=True, text=True, check=False, timeout=900)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert out.count("error[KV210]") == 1, out
    assert out.count("error[KV055]") == 2, out  # build-check and lock-check: failing, in one line each
