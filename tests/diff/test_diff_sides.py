"""``kvnet diff`` sides the last acceptance check found wrong: two directories whose locks lie at
different paths (lock entries compared by plan identity, SPEC §7), a plan directory deleted in
the work tree (prune, not an unreadable path), and a path neither side has (KV000)."""

from __future__ import annotations

import shutil
from pathlib import Path

from diff_helpers import classes_of, diff, diff_json, edit, git, repo_with
from testlib import EXAMPLES, run_kvnet

POOL = "pool-shared"
LAN = "k3s-lan-static"
WORKERS = {f"VirtualMachine vms/worker-{n}" for n in (1, 2, 3)}
NADS = {f"NetworkAttachmentDefinition vms/worker-{n}-storage" for n in (1, 2, 3)}


def test_two_directories_compare_lock_entries_by_plan(tmp_path: Path) -> None:
    """Before: every entry was released in a/kvnet.lock and allocated again in b/kvnet.lock."""
    shutil.copytree(EXAMPLES / POOL, tmp_path / "a")
    shutil.copytree(EXAMPLES / POOL, tmp_path / "b")
    same = run_kvnet("diff", "a", "--to", "b", cwd=tmp_path)
    assert (same.code, same.err) == (0, "")
    assert same.out == "kvnet diff: nothing changes from base a to head b (6 objects, 3 VMs)\n"
    edit(tmp_path / "b" / "kvnet.lock", ("10.20.0.101", "10.20.0.150"))
    report = diff_json(tmp_path, "a", "--to", "b")
    address = [c for c in report["changes"] if c["class"] == "address"]
    assert [(c["name"], d["before"], d["after"], d["why"]) for c in address for d in c["details"]] == [
        ("worker-2", "10.20.0.101", "10.20.0.150", "address re-allocated in b/kvnet.lock")]


def test_plan_directory_deleted_in_the_work_tree_is_prune(tmp_path: Path) -> None:
    """Before: KV000 'no such file or directory' (exit 2). Argo CD prunes what the app's path no
    longer renders, so every object of the plan is a prune and its lock entries are released."""
    repo = repo_with(tmp_path, POOL, LAN)
    shutil.rmtree(repo / POOL)
    for args in ((POOL,), (POOL, LAN), (f"{POOL}/kvnet.yaml",)):
        report = diff_json(repo, "HEAD", *args)
        got = classes_of(report)
        assert got["prune"] == WORKERS | NADS, args
        assert got["address"] == {f"AddressLock vms/worker-{n}" for n in (1, 2, 3)}
        assert set(got) == {"prune", "address"}
    run = diff(repo, "HEAD", POOL)
    assert run.out.startswith("kvnet diff: base HEAD -> the work tree: prune 6, address 3 (0 objects unchanged)\n")
    assert "address released in pool-shared/kvnet.lock" in run.out
    assert diff(repo, POOL).out == run.out  # the deleted directory first: a PATH of HEAD, not a revision
    git(repo, "rm", "-rq", POOL)
    git(repo, "commit", "-qm", "drop the pool")
    report = diff_json(repo, "HEAD~1", "--to", "HEAD", POOL)
    assert classes_of(report)["prune"] == WORKERS | NADS


def test_a_path_neither_side_has_is_kv000(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    for args, side in ((("HEAD", "nosuch"), "the work tree"), (("HEAD", "--to", "HEAD", "nosuch"), "head HEAD")):
        run = diff(repo, *args)
        assert (run.code, run.out) == (2, "")
        assert run.err.splitlines()[0] == f"nosuch:1:1: error[KV000]: no such file or directory in base HEAD nor in {side}"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    run = run_kvnet("diff", "HEAD", "--to", "HEAD", "nosuch", cwd=repo, env={"TMPDIR": str(tmp)})
    assert run.code == 2 and list(tmp.iterdir()) == []  # both private copies removed
