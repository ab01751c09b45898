"""SIGTERM / Ctrl-C in the middle of a run: every namespace goes, exit 128+signal."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from verify_helpers import kvnet_namespaces, nad_yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("import sys; from kvnet.verify.command import run_verify; "
          "sys.exit(run_verify(sys.argv[1:], None, 2, 'text', sys.stdout, sys.stderr))")


def slow_nads(path: Path, count: int = 150) -> Path:
    """Many NADs, each a three-plugin chain, so a run lasts several seconds."""
    docs = []
    for i in range(count):
        conf = {"cniVersion": "1.0.0", "name": f"s{i}", "plugins": [
            {"type": "bridge", "bridge": "br-slow", "ipam": {"type": "host-local", "subnet": "10.70.0.0/16"}},
            {"type": "tuning", "mtu": 1400},
            {"type": "tuning", "sysctl": {"net.ipv4.conf.net1.arp_ignore": "1"}},
        ]}
        docs.append(nad_yaml(f"s{i}", conf))
    path.write_text("---\n".join(docs))
    return path


def own(pid: int) -> set[str]:
    return {n for n in kvnet_namespaces() if n.startswith(f"kvnet-verify-{pid}-")}


def cli_available() -> bool:
    try:
        import kvnet.commands.verify  # noqa: F401  (wired by the CLI owner)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("entry", ["run_verify", "cli"])
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_cleans_up(runnable: str, tmp_path: Path, signum: int, code: int, entry: str) -> None:
    if entry == "cli" and not cli_available():
        pytest.skip("kvnet verify is not wired into the CLI yet (kvnet.commands.verify)")
    nads = slow_nads(tmp_path / "slow.yaml")
    argv = [sys.executable, "-c", SCRIPT] if entry == "run_verify" else [sys.executable, "-m", "kvnet", "verify",
                                                                          "--format", "text"]
    proc = subprocess.Popen([*argv, str(nads)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(seen) < 3 and proc.poll() is None:
            seen |= own(proc.pid)
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert seen, "no kvnet-verify namespace appeared"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert out == "", "no results are written when interrupted"
    assert err == f"kvnet verify: interrupted by {signal.Signals(signum).name}; removed the namespaces it created\n"
    assert own(proc.pid) == set()
