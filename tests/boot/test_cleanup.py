"""Nothing the booted-guest harness starts outlives a boot that fails (issue 20): a guest killed at
its deadline, a set-up that raises, a run killed with SIGTERM. Each boots one guest of
``plans/mixed`` for a few seconds (no boot round of its own)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import harness
import pytest
import runner

pytestmark = pytest.mark.boot

HERE = Path(__file__).parent
MIXED = HERE / "plans" / "mixed"


def _left_behind(work: Path) -> list[str]:
    ns = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
          if n.startswith("kvb-")]
    procs = subprocess.run(["pgrep", "-f", str(work)], capture_output=True, text=True).stdout.split()
    return ns + procs


def test_a_timed_out_boot_leaves_nothing_behind(images: Path, tmp_path: Path) -> None:
    """A guest killed at its deadline: qemu, dnsmasq (pod and pool), taps, bridges, namespace, disk gone."""
    compiled = runner.compile_plan(MIXED)
    guests, segments = runner.group([compiled], "netplan")
    work = tmp_path / "kvnet-boot-timeout"
    results = harness.boot(guests[:1], segments, images, work, timeout=15)
    assert results[0].report is None and results[0].error == "timed out"
    assert not _left_behind(work), _left_behind(work)
    assert not list(work.rglob("disk.img"))


def test_a_failing_set_up_leaves_nothing_behind(images: Path, tmp_path: Path) -> None:
    """An error while the namespace is being set up (here: a NIC on a segment that does not exist)."""
    compiled = runner.compile_plan(MIXED)
    guests, segments = runner.group([compiled], "netplan")
    work = tmp_path / "kvnet-boot-broken"
    with pytest.raises(KeyError):
        harness.boot(guests, segments[:1], images, work, timeout=15)
    assert not _left_behind(work), _left_behind(work)


def test_a_sigtermed_run_leaves_nothing_behind(images: Path, tmp_path: Path) -> None:
    """A run killed with SIGTERM (a CI timeout) while a guest boots: harness.stop_on_sigterm makes the
    boot stop waiting and its clean-up remove qemu, dnsmasq, taps and the namespace."""
    work = tmp_path / "kvnet-boot-sigterm"
    script = (f"import sys; sys.path[:0] = [{str(HERE)!r}, {str(HERE.parent)!r}]\n"
              "import harness, runner\nfrom pathlib import Path\nharness.stop_on_sigterm()\n"
              f"c = runner.compile_plan(Path({str(MIXED)!r}))\ng, s = runner.group([c], 'netplan')\n"
              f"harness.boot(g[:1], s, Path({str(images)!r}), Path({str(work)!r}), timeout=600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any("qemu" in p for p in _commands(work)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(1)
    assert any("qemu" in p for p in _commands(work)), proc.communicate()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert not _left_behind(work), _left_behind(work)


def _commands(work: Path) -> list[str]:
    return subprocess.run(["pgrep", "-af", str(work)], capture_output=True, text=True).stdout.splitlines()
