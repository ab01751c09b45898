"""``kvnet verify`` after SIGKILL (issue #14): the next run removes what the killed run left
(network namespaces and scratch directory, named with its pid), says so, and touches nothing
of a live process. Real namespaces, real CNI plugins; each test uses only its own names."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from reliability_helpers import KVNET, env

from kvnet.verify.netns import list_netns, remove_dead_leftovers
from kvnet.verify.command import DEFAULT_BIN_DIRS


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "kvnet verify needs root (network namespaces)"
    if shutil.which("ip") is None:
        return "iproute2 'ip' is not installed"
    if not any(os.path.isfile(os.path.join(d, "bridge")) for d in DEFAULT_BIN_DIRS):
        return "no CNI plugins (apt-get install containernetworking-plugins)"
    return None


pytestmark = pytest.mark.skipif(why_not() is not None, reason=why_not() or "")


def nads(path: Path, count: int) -> Path:
    docs = []
    for i in range(count):
        conf = {"cniVersion": "1.0.0", "name": f"k{i}", "plugins": [
            {"type": "bridge", "bridge": "br-kill", "ipam": {"type": "host-local", "subnet": "10.71.0.0/16"}},
            {"type": "tuning", "mtu": 1400}]}
        docs.append(json.dumps({"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
                                "metadata": {"name": f"k{i}"}, "spec": {"config": json.dumps(conf)}}))
    path.write_text("\n---\n".join(docs) + "\n")
    return path


def owned(pid: int) -> list[str]:
    return [n for n in list_netns() if n.startswith(f"kvnet-verify-{pid}-")]


def test_a_run_removes_what_a_sigkilled_run_left_and_says_so(tmp_path: Path) -> None:
    proc = subprocess.Popen([*KVNET, "verify", str(nads(tmp_path / "slow.yaml", 120))], env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(owned(proc.pid)) < 2 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = owned(proc.pid)
    scratch = [p for p in Path(tempfile.gettempdir()).glob(f"kvnet-verify-{proc.pid}-*")]
    assert left, "the killed run should have left namespaces (it had no chance to clean up)"
    res = subprocess.run([*KVNET, "verify", str(nads(tmp_path / "one.yaml", 1))], env=env(), capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert owned(proc.pid) == [], "a later run must remove the dead run's namespaces"
    assert not any(p.exists() for p in scratch)
    assert "left by earlier runs that were killed" in res.stderr


def test_leftovers_of_a_live_process_are_not_touched(tmp_path: Path) -> None:
    live = subprocess.Popen(["sleep", "30"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    names = [f"kvnet-verify-{live.pid}-1-test", f"kvnet-verify-{dead.pid}-1-test"]
    try:
        for name in names:
            subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
        removed, _ = remove_dead_leftovers()
        assert names[1] in removed and names[1] not in list_netns()
        assert names[0] not in removed and names[0] in list_netns()
    finally:
        live.kill()
        live.wait()
        for name in names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
