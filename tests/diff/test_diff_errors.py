"""``kvnet diff`` on bad input: one-line diagnostics (file:line where there is one), a non-zero
exit, nothing on stdout; temporary files removed."""

from __future__ import annotations

import shutil
from pathlib import Path

from diff_helpers import diff, edit, git, repo_with
from testlib import EXAMPLES, run_kvnet

LAN = "k3s-lan-static"
BAD_SUBNET = ("subnet: 192.168.1.0/24", "subnet: 192.168.1.7/24")


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_unknown_revision(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    run = diff(repo, "no-such-branch", LAN)
    assert run.code == 2 and run.out == ""
    assert run.err.splitlines()[0].endswith(
        f"error[KV400]: base revision 'no-such-branch' does not exist in the git repository {repo.resolve()}")
    run = diff(repo, "HEAD", "--to", "v9.9", LAN)
    assert run.code == 2 and run.out == "" and "head revision 'v9.9' does not exist" in run.err


def test_path_not_in_a_git_repository(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / LAN, tmp_path / LAN)
    run = run_kvnet("diff", "HEAD", LAN, cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"{LAN}:1:1: error[KV401]: '{LAN}' is not in a git repository\n")


def test_a_missing_path_of_two_outside_git_is_named(tmp_path: Path) -> None:
    """``kvnet diff OLD --to NEW`` outside git with one of the two missing: KV000 at the missing
    one (no revision can be meant without a repository), not KV401 blaming the one that exists."""
    shutil.copytree(EXAMPLES / LAN, tmp_path / "d1")
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    run = run_kvnet("diff", "d1", "--to", "missing", cwd=tmp_path, env=env)
    assert run.code == 2 and run.out == "" and "Traceback" not in run.err
    assert run.err.splitlines()[0] == ("missing:1:1: error[KV000]: --to 'missing': no such file or directory, nor a "
                                       "revision: 'd1' is in no git repository"), run.err
    run = run_kvnet("diff", "missing", "--to", "d1", cwd=tmp_path, env=env)
    assert run.code == 2 and run.out == ""
    assert run.err.splitlines()[0] == ("missing:1:1: error[KV000]: 'missing': no such file or directory, nor a "
                                       "revision: 'd1' is in no git repository"), run.err
    assert "KV401" not in run.err
    # inside a repository the missing one is a revision: git's answer names it (KV400)
    repo = repo_with(tmp_path, LAN)
    run = diff(repo, LAN, "--to", "missing")
    assert run.code == 2 and "error[KV400]: head revision 'missing' does not exist" in run.err


def test_plan_that_does_not_compile_names_its_side(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    plan = repo / LAN / "kvnet.yaml"
    line = _line(plan, "subnet:")
    edit(plan, BAD_SUBNET)
    run = diff(repo, "HEAD", LAN)
    assert run.code == 1 and run.out == ""
    assert run.err.startswith(f"{LAN}/kvnet.yaml:{line}:15: error[KV210]: in the work tree: network 'external'")
    git(repo, "commit", "-qam", "broken")
    edit(plan, (BAD_SUBNET[1], BAD_SUBNET[0]))
    run = diff(repo, "HEAD", LAN)
    assert run.code == 1 and run.out == ""
    assert run.err.startswith(f"{LAN}/kvnet.yaml:{line}:15: error[KV210]: in base HEAD: network 'external'")


def test_temporary_copies_are_removed(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    edit(repo / LAN / "kvnet.yaml", ("memory: 2Gi", "memory: 4Gi"))
    run = run_kvnet("diff", "HEAD", LAN, cwd=repo, env={"TMPDIR": str(tmp)})
    assert run.code == 0 and "restart 1" in run.out
    edit(repo / LAN / "kvnet.yaml", BAD_SUBNET)
    assert run_kvnet("diff", "HEAD", LAN, cwd=repo, env={"TMPDIR": str(tmp)}).code == 1
    assert list(tmp.iterdir()) == []


def test_bad_options(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    run = diff(repo, "HEAD", LAN, "--fail-on", "restart,reboot")
    assert run.code == 2 and run.out == "" and "unknown class 'reboot'" in run.err
