"""Two runs in different PID namespaces never disturb each other (issue #27): liveness is a
flock held by the live run (its staging's lock file, its verify marker namespace), not a PID,
which says nothing across PID namespaces (``unshare --pid --fork --mount-proc``: containers,
CI runners sharing a directory or /var/run/netns). Needs root and unshare(1); verify also the
reference CNI plugins."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from reliability_helpers import KVNET, big_plan, env
from testlib import EXAMPLES

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="needs root and unshare(1) for a second PID namespace")
OTHER_PIDNS = ["unshare", "--pid", "--fork", "--mount-proc"]


def wait_for(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the first run never got there")
        time.sleep(0.02)


def test_build_o_in_another_pid_namespace_leaves_a_live_staging_alone(tmp_path: Path) -> None:
    big_plan(tmp_path / "big", 600)
    big_plan(tmp_path / "small", 3, prefix="small")
    out = tmp_path / "w" / "out"
    out.mkdir(parents=True)
    for trial in range(2):
        first = subprocess.Popen([*KVNET, "build", "-o", str(out), str(tmp_path / "big")], env=env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: any(n.startswith(".kvnet-staging-") for n in os.listdir(out.parent)))
        other = subprocess.run([*OTHER_PIDNS, *KVNET, "build", "-o", str(out), str(tmp_path / "small")],
                               env=env(), capture_output=True, text=True, timeout=120)
        _, err = first.communicate(timeout=120)
        assert other.returncode == 0, other.stderr
        assert first.returncode == 0, f"trial {trial}: the live run was disturbed: {err}"
        assert not [n for n in os.listdir(out.parent) if n.startswith(".kvnet-")]
        names = os.listdir(out)
        assert sum(n.startswith("vms_virtualmachine_vm-") for n in names) == 600


def test_verify_in_another_pid_namespace_leaves_a_live_run_alone(tmp_path: Path) -> None:
    from kvnet.verify.command import DEFAULT_BIN_DIRS, has_plugins

    if not any(has_plugins(d) for d in DEFAULT_BIN_DIRS) or shutil.which("ip") is None:
        pytest.skip("needs ip(8) and the reference CNI plugins (containernetworking-plugins)")
    from kvnet.verify.netns import remove_dead_leftovers

    big_plan(tmp_path / "vp", 60)
    remove_dead_leftovers()  # an earlier test's killed run would make "removed" below not this run's doing
    first = subprocess.Popen([*KVNET, "verify", "-j", "1", str(tmp_path / "vp")], env=env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def first_has_namespaces() -> bool:
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        return f"kvnet-verify-{first.pid}-" in names

    try:
        wait_for(first_has_namespaces)
        other = subprocess.run([*OTHER_PIDNS, *KVNET, "verify", str(EXAMPLES / "pool-shared")], env=env(),
                               capture_output=True, text=True, timeout=120)
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert other.returncode == 0 and "removed" not in other.stdout + other.stderr, other.stdout + other.stderr
    assert first.returncode == 0 and "FAILED" not in out, out[-2000:] + err
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"kvnet-verify-{first.pid}-" not in left
