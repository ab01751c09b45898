"""Every adapter reads kvnet.lock and never writes it (SPEC §7): Argo CD's CMP in a read-only
checkout, the kustomize exec plugin through the real ``kubectl kustomize``, and ``kvnet fn``."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from adapter_helpers import GOOD_PLAN, clean_env, kvnet, kvnet_build, objects

ALLOC_PLAN = GOOD_PLAN.replace("      gateway: 192.168.10.1\n", "      gateway: 192.168.10.1\n      ipam: static\n"
                               "      allocate: 192.168.10.50-192.168.10.59\n").replace(
    "          address: 192.168.10.20/24\n", "")
LOCK = ("# kvnet.lock: addresses kvnet allocated. Written by `kvnet lock`; commit it with the plan.\n"
        "apiVersion: kvnet.dev/v1alpha1\nkind: AddressLock\nplans:\n  vms/lab:\n    lan:\n      web-1: 192.168.10.57\n")
APP_PATH = "clusters/lab/vms"


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"")
            for p in sorted(root.rglob("*"))}


def static_address(objs: list[dict]) -> str:  # type: ignore[type-arg]
    nad = [o for o in objs if o["kind"] == "NetworkAttachmentDefinition"][0]
    return str(json.loads(nad["spec"]["config"])["ipam"]["addresses"][0]["address"])


@pytest.fixture
def readonly_checkout() -> Iterator[Path]:
    """A checkout nobody may write to: directories 0555, files 0444 (and a read-only mount as root)."""
    base = Path(tempfile.mkdtemp(prefix="kvnet-ro-"))
    app = base / "repo" / APP_PATH
    app.mkdir(parents=True)
    (app / "kvnet.yaml").write_text(ALLOC_PLAN)
    (app / "kvnet.lock").write_text(LOCK)
    for p in [base, *base.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    yield app
    for p in [base, *base.rglob("*")]:
        p.chmod(stat.S_IRWXU | (p.stat().st_mode & 0o777))
    shutil.rmtree(base)


def read_only(cmd: list[str], root: Path) -> list[str]:
    """``cmd`` with ``root`` read-only for it. Root writes through mode bits, so as root the command
    runs in its own mount namespace with ``root`` bind-mounted read-only (as a read-only volume is)."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a read-only checkout")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$PWD" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(root), *cmd]


def test_cmp_generate_in_a_read_only_checkout(readonly_checkout: Path) -> None:
    import sys

    env = clean_env(ARGOCD_APP_NAME="lab-vms", ARGOCD_APP_SOURCE_PATH=APP_PATH, ARGOCD_APP_REVISION="abc123",
                    HOME="/nonexistent")
    root = readonly_checkout.parents[2]
    probe = subprocess.run(read_only(["sh", "-c", "touch x"], root), cwd=readonly_checkout, capture_output=True,
                           env=env, check=False)
    if probe.returncode != 0 and b"mount" in probe.stderr and b"Read-only" not in probe.stderr:
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr.decode().strip()}")
    assert probe.returncode != 0, "the test directory is not read-only for the CMP"
    before = snapshot(root)
    res = subprocess.run(read_only([sys.executable, "-m", "kvnet", "cmp", "generate"], root), cwd=readonly_checkout,
                         env=env, capture_output=True, text=True, check=False, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == kvnet_build(readonly_checkout)
    assert static_address(objects(res.stdout)) == "192.168.10.57/24"
    assert snapshot(root) == before


def test_cmp_generate_with_a_stale_lock_fails_with_the_command_to_run(tmp_path: Path) -> None:
    app = tmp_path / "repo" / APP_PATH
    app.mkdir(parents=True)
    (app / "kvnet.yaml").write_text(ALLOC_PLAN)
    env = clean_env(ARGOCD_APP_NAME="lab-vms", ARGOCD_APP_SOURCE_PATH=APP_PATH, ARGOCD_APP_REVISION="abc123")
    res = kvnet(["cmp", "generate"], cwd=app, env=env)
    assert res.returncode == 1 and res.stdout == ""
    row = ALLOC_PLAN.splitlines().index("        - network: lan") + 1
    assert (f"{APP_PATH}/kvnet.yaml:{row}:20: error[KV280]: VM 'web-1' has no address on network 'lan' in kvnet.lock; "
            "run 'kvnet lock' and commit kvnet.lock") in res.stderr
    assert sorted(p.name for p in app.iterdir()) == ["kvnet.yaml"]


@pytest.fixture
def plugin_home(tmp_path: Path) -> Path:
    home = tmp_path / "plugins"
    assert kvnet(["kustomize", "install-plugin", "--plugin-home", str(home)], cwd=tmp_path).returncode == 0
    return home


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kustomize_plugin_reads_the_lock_beside_the_generator_file(tmp_path: Path, plugin_home: Path) -> None:
    app = tmp_path / "app"
    (app / "plans").mkdir(parents=True)
    (app / "plans" / "lab.yaml").write_text(ALLOC_PLAN)
    (app / "plans" / "kvnet.lock").write_text(LOCK)
    (app / "kvnet.lock").write_text(LOCK.replace("192.168.10.57", "192.168.10.51"))  # not the generator's
    (app / "kustomization.yaml").write_text("generators:\n  - plans/lab.yaml\n")
    before = snapshot(app)
    env = clean_env(KUSTOMIZE_PLUGIN_HOME=str(plugin_home))
    res = subprocess.run(["kubectl", "kustomize", "--enable-alpha-plugins", str(app)], env=env,
                         capture_output=True, text=True, check=False, timeout=180)
    assert res.returncode == 0, res.stderr
    assert static_address(objects(res.stdout)) == "192.168.10.57/24"
    assert snapshot(app) == before
    (app / "plans" / "kvnet.lock").unlink()
    res = subprocess.run(["kubectl", "kustomize", "--enable-alpha-plugins", str(app)], env=env,
                         capture_output=True, text=True, check=False, timeout=180)
    assert res.returncode != 0 and "error[KV280]" in res.stderr
    assert not (app / "plans" / "kvnet.lock").exists()


def resource_list(path: str | None) -> str:
    fc = yaml.safe_load(ALLOC_PLAN)
    if path:
        fc["metadata"]["annotations"] = {"config.kubernetes.io/path": path}
    return yaml.safe_dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [],
                           "functionConfig": fc})


@pytest.mark.parametrize("path,lock_dir", [("plans/lab.yaml", "plans"), (None, ".")], ids=["beside-path", "cwd"])
def test_fn_reads_the_lock_beside_the_function_config(tmp_path: Path, path: str | None, lock_dir: str) -> None:
    (tmp_path / "plans").mkdir()
    if path:
        (tmp_path / path).write_text(ALLOC_PLAN)
    (tmp_path / lock_dir / "kvnet.lock").write_text(LOCK)
    before = snapshot(tmp_path)
    res = kvnet(["fn"], cwd=tmp_path, stdin=resource_list(path))
    assert res.returncode == 0, res.stderr
    items = yaml.safe_load(res.stdout)["items"]
    assert static_address(items) == "192.168.10.57/24"
    assert snapshot(tmp_path) == before
    (tmp_path / lock_dir / "kvnet.lock").unlink()
    res = kvnet(["fn"], cwd=tmp_path, stdin=resource_list(path))
    assert res.returncode == 1
    results = yaml.safe_load(res.stdout)["results"]
    assert [r["tags"]["kvnet.dev/code"] for r in results] == ["KV280"]
    assert "VM 'web-1' has no address on network 'lan' in kvnet.lock" in results[0]["message"]
    assert sorted(p.name for p in (tmp_path / lock_dir).iterdir() if p.name == "kvnet.lock") == []
