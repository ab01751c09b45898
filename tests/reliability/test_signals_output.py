"""Signals while a result is written (issue #14): stdout complete with exit 0, or a non-zero
exit; an output directory holds the old set or the new set, never a mix.

Real ``kvnet`` processes, a slow reader like a busy argocd-cmp-server, many trials, each
bounded in time.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from reliability_helpers import KVNET, big_plan, env

TRIAL_TIMEOUT = 60


def slow_read(proc: subprocess.Popen[bytes], signum: int, delay: float) -> bytes:
    """Read stdout 16 KiB at a time every 20 ms; send ``signum`` ``delay`` s after the first byte."""
    assert proc.stdout is not None
    buf = bytearray(proc.stdout.read(1))  # the compile is done: writing has started
    send_at, sent = time.monotonic() + delay, False
    deadline = time.monotonic() + TRIAL_TIMEOUT
    while time.monotonic() < deadline:
        if not sent and time.monotonic() >= send_at:
            proc.send_signal(signum)
            sent = True
        chunk = proc.stdout.read1(16384)
        if not chunk:
            break
        buf += chunk
        time.sleep(0.02)
    return bytes(buf)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_plan(tmp_path_factory.mktemp("sig") / "plan", 150).parent


@pytest.fixture(scope="module")
def full_output(plan: Path) -> bytes:
    proc = subprocess.run([*KVNET, "build", str(plan)], capture_output=True, env=env(), timeout=TRIAL_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 5 * 65536  # many pipe buffers: the writer blocks on the slow reader
    return proc.stdout


@pytest.mark.parametrize("signum, code, trials", [(signal.SIGTERM, 143, 5), (signal.SIGINT, 130, 3)])
def test_signal_while_stdout_is_read_slowly_never_exits_0_with_a_truncated_stream(
        plan: Path, full_output: bytes, signum: int, code: int, trials: int) -> None:
    rng = random.Random(f"stdout-{signum}")
    cut = 0
    for trial in range(trials):
        proc = subprocess.Popen([*KVNET, "build", str(plan)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env())
        try:
            got = slow_read(proc, signum, rng.uniform(0.0, 0.3))
            proc.wait(timeout=TRIAL_TIMEOUT)
        finally:
            proc.kill()
            proc.communicate()
        if proc.returncode == 0:
            assert got == full_output, f"trial {trial}: exit 0 with {len(got)} of {len(full_output)} bytes"
        else:
            assert proc.returncode == code, f"trial {trial}: exit {proc.returncode}"
            cut += got != full_output
    assert cut >= trials // 2, "the signal should have landed while the output was being written"


def test_sigterm_during_cmp_generate_never_exits_0_with_a_truncated_stream(plan: Path, full_output: bytes) -> None:
    rng = random.Random("cmp")
    for trial in range(2):
        proc = subprocess.Popen([*KVNET, "cmp", "generate"], cwd=plan, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**env(), "ARGOCD_APP_NAME": "big"})
        try:
            got = slow_read(proc, signal.SIGTERM, rng.uniform(0.0, 0.3))
            proc.wait(timeout=TRIAL_TIMEOUT)
        finally:
            proc.kill()
            proc.communicate()
        assert (proc.returncode == 0 and got == full_output) or proc.returncode == 143, \
            f"trial {trial}: exit {proc.returncode}, {len(got)} of {len(full_output)} bytes"


def listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.is_dir() else {}


def test_sigterm_during_build_o_leaves_the_old_set_or_the_new_set(tmp_path: Path) -> None:
    old_plan = big_plan(tmp_path / "old", 100, prefix="old").parent
    new_plan = big_plan(tmp_path / "new", 100, prefix="new").parent
    out = tmp_path / "out"
    (out).mkdir()
    (out / "kustomization.yaml").write_text("resources: []\n")  # a hand-written file stays in both sets
    started = time.monotonic()
    subprocess.run([*KVNET, "build", "-o", str(out), str(new_plan)], env=env(), check=True, timeout=TRIAL_TIMEOUT)
    total = time.monotonic() - started
    new_set = listing(out)
    rng = random.Random("build-o")
    outcomes = []
    for trial in range(6):
        subprocess.run([*KVNET, "build", "-o", str(out), "--prune", str(old_plan)], env=env(), check=True,
                       timeout=TRIAL_TIMEOUT)
        old_set = listing(out)
        proc = subprocess.Popen([*KVNET, "build", "-o", str(out), "--prune", str(new_plan)], env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 1.1) * total)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TRIAL_TIMEOUT)
        now = listing(out)
        assert now in (old_set, new_set), f"trial {trial}: exit {proc.returncode}, a mixed set of {len(now)} files"
        assert not [n for n in os.listdir(out) if n.startswith(".")], "a staging directory was left behind"
        assert proc.returncode in (0, 143, -signal.SIGTERM)  # -15: killed before Python took the signal
        outcomes.append("old" if now == old_set else "new")
    assert "old" in outcomes, "no trial was interrupted before its commit"


def test_concurrent_build_o_runs_commit_one_whole_set(tmp_path: Path) -> None:
    plans = [big_plan(tmp_path / name, 60, prefix=name).parent for name in ("one", "two")]
    sets = []
    for plan in plans:
        alone = tmp_path / f"alone-{plan.name}"
        subprocess.run([*KVNET, "build", "-o", str(alone), str(plan)], env=env(), check=True, timeout=TRIAL_TIMEOUT)
        sets.append(listing(alone))
    for trial in range(2):
        out = tmp_path / f"out{trial}"
        procs = [subprocess.Popen([*KVNET, "build", "-o", str(out), "--prune", str(plan)], env=env(),
                                  stderr=subprocess.PIPE) for plan in plans]
        for proc in procs:
            proc.wait(timeout=TRIAL_TIMEOUT)
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
        assert listing(out) in sets, f"trial {trial}: a mix of two runs' files"
