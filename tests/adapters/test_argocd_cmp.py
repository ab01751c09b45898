"""``kvnet cmp generate`` run as argocd-cmp-server runs it: cwd = app dir, Argo CD's env."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from adapter_helpers import (
    BAD_LINE,
    BAD_PLAN,
    GOOD_PLAN,
    big_plan,
    clean_env,
    kvnet,
    kvnet_build,
    objects,
)

APP_PATH = "clusters/lab/vms"


def app(tmp_path: Path, plan: str | None = GOOD_PLAN) -> Path:
    """A repository checkout with the app at clusters/lab/vms."""
    d = tmp_path / "repo" / APP_PATH
    d.mkdir(parents=True)
    if plan is not None:
        (d / "kvnet.yaml").write_text(plan)
        (d / "kustomization.yaml").write_text("resources: []\n")  # ignored: another apiVersion
    return d


def argocd_env(params: list[dict[str, object]] | None = None, **extra: str) -> dict[str, str]:
    env = clean_env(ARGOCD_APP_NAME="lab-vms", ARGOCD_APP_NAMESPACE="vms", ARGOCD_APP_SOURCE_PATH=APP_PATH,
                    ARGOCD_APP_REVISION="f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8",
                    ARGOCD_APP_SOURCE_REPO_URL="https://git.example.com/gitops.git",
                    KUBE_VERSION="1.30.4", KUBE_API_VERSIONS="v1,apps/v1")
    if params is not None:
        env["ARGOCD_APP_PARAMETERS"] = json.dumps(params)
    env.update(extra)
    return env


def generate(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return kvnet(["cmp", "generate"], cwd=cwd, env=env)


def assert_failure_header(stderr: str) -> None:
    first = stderr.splitlines()[0]
    assert "lab-vms" in first and APP_PATH in first and "f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8" in first, first


def test_good_plan_prints_exactly_kvnet_build(tmp_path: Path) -> None:
    d = app(tmp_path)
    res = generate(d, argocd_env())
    assert res.returncode == 0, res.stderr
    assert res.stdout == kvnet_build(d)
    kinds = [o["kind"] for o in objects(res.stdout)]
    assert kinds == ["NetworkAttachmentDefinition", "VirtualMachine"]
    assert res.stderr == ""


def test_broken_plan_names_app_path_revision_and_writes_nothing(tmp_path: Path) -> None:
    d = app(tmp_path, BAD_PLAN)
    res = generate(d, argocd_env())
    assert res.returncode == 1
    assert res.stdout == ""
    assert_failure_header(res.stderr)
    # diagnostics name the file from the repository root, with its real line
    assert f"{APP_PATH}/kvnet.yaml:{BAD_LINE}:15: error[KV210]" in res.stderr
    assert "Traceback" not in res.stderr


def test_empty_directory_fails_unless_allow_empty(tmp_path: Path) -> None:
    d = app(tmp_path, plan=None)
    res = generate(d, argocd_env())
    assert res.returncode == 1 and res.stdout == ""
    assert_failure_header(res.stderr)
    assert "KV006" in res.stderr and "allow-empty" in res.stderr

    ok = generate(d, argocd_env([{"name": "allow-empty", "string": "true"}]))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ""
    via_env = generate(d, argocd_env(ARGOCD_ENV_KVNET_ALLOW_EMPTY="true"))
    assert via_env.returncode == 0, via_env.stderr


def test_parameters_paths_and_kube_version(tmp_path: Path) -> None:
    d = app(tmp_path, plan=None)
    (d / "plans").mkdir()
    (d / "plans" / "lab.yaml").write_text(GOOD_PLAN)
    res = generate(d, argocd_env([{"name": "paths", "array": ["plans"]},
                                  {"name": "kube-version", "string": "1.29"}]))
    assert res.returncode == 0, res.stderr
    assert [o["kind"] for o in objects(res.stdout)] == ["NetworkAttachmentDefinition", "VirtualMachine"]

    res = generate(d, argocd_env(ARGOCD_ENV_KVNET_PATHS="plans/lab.yaml"))
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("params,extra,needle", [
    ([{"name": "kube-verison", "string": "1.30"}], {}, "unknown parameter 'kube-verison'"),
    ([{"name": "allow-empty", "string": "maybe"}], {}, "is not a boolean"),
    ([{"name": "kube-version", "string": "banana"}], {}, "not a Kubernetes version"),
    ([{"name": "distribution", "string": "minikube"}], {}, "is not one of"),
    ([{"name": "paths", "array": ["../../../../etc"]}], {}, "leads outside the repository"),
    ([{"name": "paths", "array": ["/etc"]}], {}, "is absolute"),
    (None, {"ARGOCD_ENV_KVNET_KUBEVERSION": "1.30"}, "unknown plugin env KVNET_KUBEVERSION"),
    (None, {"ARGOCD_APP_PARAMETERS": "{not json"}, "not JSON"),
])
def test_bad_settings_are_usage_errors(tmp_path: Path, params: list[dict[str, object]] | None,
                                       extra: dict[str, str], needle: str) -> None:
    d = app(tmp_path)
    res = generate(d, argocd_env(params, **extra))
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    assert_failure_header(res.stderr)
    assert needle in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("params,extra,needle", [
    # the case: a parameter wins, but the env value is still checked
    ([{"name": "kube-version", "string": "1.30"}], {"ARGOCD_ENV_KVNET_KUBE_VERSION": "banana"},
     "env KVNET_KUBE_VERSION: 'banana' is not a Kubernetes version"),
    ([{"name": "kube-version", "string": "banana"}], {"ARGOCD_ENV_KVNET_KUBE_VERSION": "1.30"},
     "parameter 'kube-version': 'banana' is not a Kubernetes version"),
    ([{"name": "distribution", "string": "k3s"}], {"ARGOCD_ENV_KVNET_DISTRIBUTION": "minikube"},
     "env KVNET_DISTRIBUTION: 'minikube' is not one of"),
    ([{"name": "allow-empty", "string": "false"}], {"ARGOCD_ENV_KVNET_ALLOW_EMPTY": "maybe"},
     "env KVNET_ALLOW_EMPTY: 'maybe' is not a boolean"),
    ([{"name": "strict", "string": "maybe"}], {"ARGOCD_ENV_KVNET_STRICT": "true"},
     "parameter 'strict': 'maybe' is not a boolean"),
    ([{"name": "paths", "array": ["."]}], {"ARGOCD_ENV_KVNET_PATHS": "../../../../etc"},
     "env KVNET_PATHS: '../../../../etc' leads outside the repository"),
    ([{"name": "crds", "array": []}], {"ARGOCD_ENV_KVNET_CRDS": "missing-crd.yaml"},
     "env KVNET_CRDS: missing-crd.yaml: no such file"),
])
def test_bad_setting_is_usage_error_even_when_the_other_source_wins(
        tmp_path: Path, params: list[dict[str, object]], extra: dict[str, str], needle: str) -> None:
    d = app(tmp_path)
    res = generate(d, argocd_env(params, **extra))
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    assert_failure_header(res.stderr)
    assert needle in res.stderr.splitlines()[1], res.stderr  # the line after the header names the bad one
    assert "Traceback" not in res.stderr


def test_good_env_under_a_winning_parameter_is_fine(tmp_path: Path) -> None:
    d = app(tmp_path)
    res = generate(d, argocd_env([{"name": "kube-version", "string": "1.30"}], ARGOCD_ENV_KVNET_KUBE_VERSION="1.29",
                                 ARGOCD_ENV_KVNET_DISTRIBUTION=""))
    assert res.returncode == 0, res.stderr
    assert res.stdout == kvnet_build(d)


def test_parameters_win_over_env(tmp_path: Path) -> None:
    d = app(tmp_path, plan=None)
    res = generate(d, argocd_env([{"name": "allow-empty", "string": "false"}], ARGOCD_ENV_KVNET_ALLOW_EMPTY="true"))
    assert res.returncode == 1 and "KV006" in res.stderr


def test_unsupported_cluster_version_falls_back_with_a_note(tmp_path: Path) -> None:
    d = app(tmp_path)
    res = generate(d, argocd_env(KUBE_VERSION="1.99.0"))
    assert res.returncode == 0, res.stderr
    assert "1.99.0" in res.stderr and res.stdout == kvnet_build(d)


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    plan = GOOD_PLAN + "---\napiVersion: kvnet.dev/v1beta9\nkind: NetworkPlan\nmetadata: {name: old}\n"
    d = app(tmp_path, plan)
    lenient = generate(d, argocd_env())
    assert lenient.returncode == 0 and "warning[KV008]" in lenient.stderr
    strict = generate(d, argocd_env([{"name": "strict", "string": "true"}]))
    assert strict.returncode == 1 and strict.stdout == ""
    assert_failure_header(strict.stderr)


@pytest.mark.parametrize("home", ["/proc/kvnet-no-such-home", "/dev/null"])
def test_needs_no_writable_home(tmp_path: Path, home: str) -> None:
    d = app(tmp_path)
    env = argocd_env(HOME=home)
    env.pop("XDG_CACHE_HOME", None)
    env.pop("XDG_CONFIG_HOME", None)
    res = generate(d, env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == kvnet_build(d)
    assert not (tmp_path / "repo" / APP_PATH / ".cache").exists()


def test_github_format_under_actions(tmp_path: Path) -> None:
    d = app(tmp_path, BAD_PLAN)
    res = generate(d, argocd_env(GITHUB_ACTIONS="true"))
    assert res.returncode == 1
    assert f"::error file={APP_PATH}/kvnet.yaml,line={BAD_LINE},col=15" in res.stderr


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def test_sigterm_exits_143_with_nothing_written(tmp_path: Path) -> None:
    d = app(tmp_path, big_plan(3000))
    proc = subprocess.Popen([sys.executable, "-m", "kvnet", "cmp", "generate"], cwd=d, env=argocd_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not _catches_sigterm(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _catches_sigterm(proc.pid), "kvnet never installed its SIGTERM handler"
    time.sleep(0.3)  # inside compilation of 3,000 VMs (takes seconds)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert out == b""


def test_unreadable_plan_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    d = app(tmp_path)
    (d / "kvnet.yaml").write_bytes(b"\xff\xfe not utf-8 \x00")
    res = generate(d, argocd_env())
    assert res.returncode in (1, 2) and res.stdout == ""
    assert_failure_header(res.stderr)
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    assert os.path.exists(d / "kvnet.yaml")
