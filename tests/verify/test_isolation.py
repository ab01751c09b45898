"""Another `kvnet verify` on the same host does not disturb the suite, nor the suite it.

The suite's leftover check (conftest.no_leftover_namespaces) only looks at the namespaces its
own runs created. Here a second, independent `kvnet verify` process runs while this suite
verifies NADs in-process; its namespaces are on the host, and ours are still judged alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from verify_helpers import Run, kvnet_namespaces, namespaces_of, nad_yaml, own_namespaces, slow_nads

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = {"cniVersion": "1.0.0", "name": "iso", "type": "bridge", "bridge": "br-iso",
          "ipam": {"type": "host-local", "subnet": "10.71.0.0/24"}}


@pytest.mark.slow
def test_a_concurrent_verify_run_does_not_disturb_ours(runnable: str, tmp_path: Path,
                                                      verify: Callable[..., Run]) -> None:
    # the other run is not one of ours: it is not recorded in SPAWNED, like a colleague's run
    other = subprocess.Popen([sys.executable, "-m", "kvnet", "verify", "--format", "text",
                              str(slow_nads(tmp_path / "other.yaml"))],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not namespaces_of({other.pid}) and other.poll() is None:
            time.sleep(0.02)
        assert namespaces_of({other.pid}), "the other verify run created no namespace to disturb us with"
        before_all, before_own = kvnet_namespaces(), own_namespaces()
        assert before_all - before_own, "the machine-wide list holds the other run's namespaces"

        nads = tmp_path / "ours.yaml"
        nads.write_text(nad_yaml("iso", BRIDGE))
        ours = verify([str(nads)])
        assert ours.code == 0, ours.err
        assert ours.result("iso")["status"] == "ok"
        assert own_namespaces() == before_own, "our run removed every namespace it created"
        assert not {n for n in own_namespaces() if n.startswith(f"kvnet-verify-{os.getpid()}-")}
        assert other.poll() is None, "the other run was still going while ours ran"
    finally:
        if other.poll() is None:
            other.send_signal(signal.SIGTERM)
        out, err = other.communicate(timeout=60)
    # ours did not disturb the other run either: it was interrupted only by our SIGTERM, cleanly
    assert other.returncode in (0, 143), err
    assert namespaces_of({other.pid}) == set()
