"""SIGKILL at any point of a commit (issue #27): `build -o`, `overlay -o`, `lock` and
`check-rendered --fix` leave the old complete set or the new complete set, never a mix, and the
next run leaves no staging behind.

Deterministic kill points come from kvnet's test-only fault injection (``KVNET_TEST_CRASH_AT``,
kvnet.treecommit.crash_point: SIGKILL at a named point inside the commit); seeded random delays
kill the process wherever it happens to be. ``KVNET_TEST_COMMIT=journal`` forces the journal
commit (used where DIR cannot be swapped: a mount point); its promise is weaker (the next run
finishes a cut commit) and is tested as such.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import KVNET, env

VMS = 80
HAND = "resources: []\n"  # a file of the user's in the output directory: always kept


def plan(directory: Path, net: str, vms: int = VMS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["apiVersion: kvnet.dev/v1alpha1", "kind: NetworkPlan", "metadata: {name: big, namespace: vms}", "spec:",
             "  networks:", f"    - {{name: lan, type: bridge, bridge: br-lan, subnet: {net}.0.0/16, ipam: none}}",
             "  vms:"]
    for i in range(vms):
        lines += [f"    - name: vm-{i}", "      image: quay.io/containerdisks/ubuntu:22.04",
                  "      interfaces: [{network: default}, {network: lan, address: "
                  f"'{net}.{(10 + i) // 256}.{(10 + i) % 256}/16'}}]"]
    (directory / "kvnet.yaml").write_text("\n".join(lines) + "\n")
    return directory


def run(*args: str, crash: str | None = None, journal: bool = False, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    extra = {"KVNET_TEST_CRASH_AT": crash} if crash else {}
    if journal:
        extra["KVNET_TEST_COMMIT"] = "journal"
    return subprocess.run([*KVNET, *args], capture_output=True, text=True, env={**env(), **extra}, cwd=cwd,
                          timeout=120)


def snapshot(directory: Path) -> dict[str, str]:
    return ({p.name: p.read_text() for p in directory.iterdir()
             if p.is_file() and not p.is_symlink() and not p.name.startswith(".kvnet-")}
            if directory.is_dir() else {})


def staging_left(*dirs: Path) -> list[str]:
    return [f"{d}/{n}" for d in dirs if d.is_dir() for n in os.listdir(d) if n.startswith(".kvnet-")]


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """Plans A and B (B has fewer VMs, another subnet) and the complete -o sets they give."""
    base = tmp_path_factory.mktemp("sets")
    a, b = plan(base / "a", "10.0"), plan(base / "b", "10.9", VMS - 20)
    out = {}
    for name, p in (("a", a), ("b", b)):
        d = base / f"out-{name}"
        d.mkdir()
        (d / "kustomization.yaml").write_text(HAND)
        assert run("build", "-o", str(d), "--prune", str(p)).returncode == 0
        out[name] = snapshot(d)
    return a, b, out["a"], out["b"]


def fresh_out(tmp_path: Path, a: Path) -> Path:
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    (out / "kustomization.yaml").write_text(HAND)
    assert run("build", "-o", str(out), "--prune", str(a)).returncode == 0
    return out


@pytest.mark.parametrize("point", ["staged", "carried", "switched"])
def test_sigkill_inside_the_swap_leaves_one_whole_set(tmp_path: Path, sets, point: str) -> None:
    a, b, set_a, set_b = sets
    out = fresh_out(tmp_path, a)
    killed = run("build", "-o", str(out), "--prune", str(b), crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    now = snapshot(out)
    assert now == (set_b if point == "switched" else set_a), f"a mix after a kill at {point!r}"
    again = run("build", "-o", str(out), "--prune", str(b))
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == set_b and not staging_left(out, out.parent)


@pytest.mark.parametrize("point", ["staged", "journaled", "renamed-0", "renamed-37"])
@pytest.mark.parametrize("next_plan", ["a", "b"])
def test_sigkill_inside_the_journal_is_finished_by_the_next_run(tmp_path: Path, sets, point: str,
                                                                 next_plan: str) -> None:
    a, b, set_a, set_b = sets
    out = fresh_out(tmp_path, a)
    killed = run("build", "-o", str(out), "--prune", str(b), crash=point, journal=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if point == "staged":
        assert snapshot(out) == set_a
    again = run("build", "-o", str(out), "--prune", str(a if next_plan == "a" else b), journal=True)
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == (set_a if next_plan == "a" else set_b)
    assert not staging_left(out, out.parent)


def test_sigkill_at_random_moments_of_build_o(tmp_path: Path, sets) -> None:
    a, b, set_a, set_b = sets
    out = fresh_out(tmp_path, a)
    started = time.monotonic()
    assert run("build", "-o", str(out), "--prune", str(b)).returncode == 0
    total = time.monotonic() - started
    rng = random.Random(27)
    seen = set()
    for trial in range(10):
        source = a if trial % 2 else b
        proc = subprocess.Popen([*KVNET, "build", "-o", str(out), "--prune", str(source)], env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3 * total, 1.1 * total))
        proc.kill()
        proc.wait()
        now = snapshot(out)
        assert now in (set_a, set_b), f"trial {trial}: a mix of the two sets"
        seen.add("a" if now == set_a else "b")
    final = run("build", "-o", str(out), "--prune", str(a))
    assert final.returncode == 0 and snapshot(out) == set_a and not staging_left(out, out.parent)


@pytest.mark.parametrize("point", ["staged", "carried", "switched"])
def test_sigkill_inside_overlay_o(tmp_path: Path, point: str) -> None:
    ref_old, ref_new, out = tmp_path / "old", tmp_path / "new", tmp_path / "w" / "out"
    assert run("overlay", "k3s", "-o", str(ref_old)).returncode == 0
    shutil.copytree(ref_old, ref_new)
    assert run("overlay", "k3s-legacy", "-o", str(ref_new)).returncode == 0
    shutil.copytree(ref_old, out)
    killed = run("overlay", "k3s-legacy", "-o", str(out), crash=point)
    assert killed.returncode == -signal.SIGKILL
    assert snapshot(out) == snapshot(ref_new if point == "switched" else ref_old)
    assert run("overlay", "k3s-legacy", "-o", str(out)).returncode == 0
    assert snapshot(out) == snapshot(ref_new) and not staging_left(out, out.parent)


ALLOC = ("apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: w, namespace: vms}\nspec:\n"
         "  networks: [{name: s, type: bridge, bridge: br-s, subnet: 10.20.0.0/24, ipam: static, "
         "allocate: 10.20.0.100-10.20.0.199}]\n  vms:\n")


def test_sigkill_inside_lock_and_check_rendered_fix(tmp_path: Path) -> None:
    p = tmp_path / "p"
    p.mkdir()
    (p / "kvnet.yaml").write_text(ALLOC + "".join(f"  - {{name: v{i}, image: 'quay.io/x/y:1', interfaces: "
                                                  "[{network: s}]}\n" for i in range(3)))
    assert run("lock", str(p)).returncode == 0
    old_lock = (p / "kvnet.lock").read_text()
    (p / "kvnet.yaml").write_text((p / "kvnet.yaml").read_text() + "  - {name: v9, image: 'quay.io/x/y:1', "
                                  "interfaces: [{network: s}]}\n")
    assert run("lock", str(p), crash="file-written").returncode == -signal.SIGKILL
    assert (p / "kvnet.lock").read_text() == old_lock and staging_left(p)
    assert run("lock", str(p)).returncode == 0
    new_lock = (p / "kvnet.lock").read_text()
    assert new_lock != old_lock and "v9" in new_lock and not staging_left(p)
    (p / "rendered.yaml").write_text("# stale\n")
    assert run("check-rendered", "--fix", str(p), crash="file-written").returncode == -signal.SIGKILL
    assert (p / "rendered.yaml").read_text() == "# stale\n"
    assert run("check-rendered", "--fix", str(p)).returncode == 1  # stale: rewritten, and said so
    assert run("check-rendered", str(p)).returncode == 0 and not staging_left(p)


def test_fault_injection_is_inert_without_its_variable(tmp_path: Path) -> None:
    assert "KVNET_TEST_CRASH_AT" not in env() or pytest.fail("the suite's environment sets the crash hook")
    assert run("overlay", "k3s", "-o", str(tmp_path / "o")).returncode == 0
    assert sys.executable


def test_swap_keeps_the_users_entries_and_the_directorys_mode(tmp_path: Path, sets) -> None:
    a, b, set_a, set_b = sets
    out = fresh_out(tmp_path, a)
    (out / "notes").mkdir()
    (out / "notes" / "why.md").write_text("hand-written\n")
    (out / "link.yaml").symlink_to("kustomization.yaml")
    os.chmod(out, 0o750)
    inode = (out / "notes" / "why.md").stat().st_ino
    assert run("build", "-o", str(out), "--prune", str(b)).returncode == 0
    assert snapshot(out) == set_b and (out / "notes" / "why.md").read_text() == "hand-written\n"
    assert (out / "notes" / "why.md").stat().st_ino == inode, "carried over as a hard link, not copied"
    assert os.readlink(out / "link.yaml") == "kustomization.yaml" and (out.stat().st_mode & 0o777) == 0o750
    cwd_run = run("build", "-o", ".", "--prune", str(a), cwd=out)  # DIR is the working directory: journal
    assert cwd_run.returncode == 0 and snapshot(out) == set_a and not staging_left(out, out.parent)
