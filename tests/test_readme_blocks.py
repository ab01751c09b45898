"""Every code block of the README that shows a command is run, in a copy of the repository, and
its output compared with what the README shows (directives: tests/readme_blocks.py). Blocks
that need a cluster, a node or a registry say so with a ``skip`` directive and a reason; the
README's Tests section states how many are checked, and this test keeps that sentence true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from readme_blocks import Block, blocks, is_excerpt, same_lines
from testlib import REPO

README = REPO / "README.md"
BLOCKS = blocks(README)
CHECKED = [b for b in BLOCKS if b.checked]
SEPARATOR = "@@readme-test-command@@"
IGNORE = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", "build", "dist")


def _missing(needs: str) -> list[str]:
    """What a ``needs`` directive names and this machine lacks."""
    missing = []
    for need in needs.split():
        if need == "root":
            if os.geteuid() != 0:
                missing.append("root")
        elif need.startswith("/"):
            if not Path(need).exists():
                missing.append(need)
        elif shutil.which(need) is None:
            missing.append(need)
    return missing


def _bin(tmp: Path) -> Path:
    """A bin directory whose ``kvnet`` is this interpreter's kvnet (the checkout under test), and
    whose ``sudo`` runs the command as the current user (the test skips such blocks unless root)."""
    bindir = tmp / "bin"
    bindir.mkdir()
    for name, body in (("kvnet", f'exec "{sys.executable}" -m kvnet "$@"'), ("sudo", 'exec "$@"')):
        (bindir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bindir / name).chmod(0o755)
    return bindir


def run_block(block: Block, commands: list[str], tmp: Path) -> list[tuple[int, str]]:
    """Run ``commands`` in a fresh copy of the repository after the block's setup, each with its
    stderr after its stdout, as a reader would see them; (exit code, output) per command."""
    missing = _missing(block.directives.get("needs", "") + (" root" if "sudo " in "\n".join(commands) else ""))
    if missing:
        pytest.skip(f"README.md:{block.line}: needs {', '.join(missing)}")
    work = tmp / "repo"
    shutil.copytree(REPO, work, ignore=IGNORE, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR", "KVNET_DEBUG")}
    env.update(NO_COLOR="1", PATH=f"{_bin(tmp)}{os.pathsep}{env.get('PATH', '')}", GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    script = ["set -e", f"exec 3>&1 >'{tmp}/setup.log' 2>&1", block.directives.get("setup", ""), "set +e", "exec 1>&3"]
    for command in commands:
        script += [f"printf '%s\\n' '{SEPARATOR}'", f"( {command}\n) 2>'{tmp}/err'", "rc=$?",
                   f"cat '{tmp}/err'", "echo \"rc=$rc\""]
    proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, f"README.md:{block.line}: the setup failed:\n{(tmp / 'setup.log').read_text()}"
    results = []
    for chunk in proc.stdout.split(SEPARATOR + "\n")[1:]:
        text, _, rc = chunk.rstrip("\n").rpartition("rc=")
        results.append((int(rc), text))
    return results


@pytest.mark.parametrize("block", CHECKED, ids=[f"line{b.line}" for b in CHECKED])
def test_readme_block(block: Block, tmp_path: Path) -> None:
    """The block's commands print what the README shows (or, ``runs``, exit 0)."""
    where = f"README.md:{block.line}"
    if "output" in block.directives or "excerpt" in block.directives:
        kind = "output" if "output" in block.directives else "excerpt"
        [(code, out)] = run_block(block, [block.directives[kind]], tmp_path)
        ok = same_lines(block.body, out.splitlines()) if kind == "output" else is_excerpt(block.body, out.splitlines())
        assert ok, f"{where}: `{block.directives[kind]}` printed (exit {code}):\n{out}"
    elif "runs" in block.directives:
        for command, (code, out) in zip(block.commands, run_block(block, block.commands, tmp_path), strict=True):
            assert code == 0, f"{where}: `{command}` exited {code}:\n{out}"
    else:
        session = block.session
        for (command, shown), (code, out) in zip(session, run_block(block, [c for c, _ in session], tmp_path),
                                                 strict=True):
            assert code != 3 and same_lines(shown, out.splitlines()), f"{where}: `{command}` printed (exit {code}):\n{out}"


def test_every_block_that_shows_a_command_is_checked_or_says_why_not() -> None:
    unmarked = [b.line for b in BLOCKS if b.shows_a_command and not b.checked and not b.directives.get("skip")]
    assert unmarked == [], f"README.md lines {unmarked}: run them (readme-test directives) or say why not (skip)"
    stray = [b.line for b in BLOCKS if {"setup", "needs"} & set(b.directives) and not b.checked]
    assert stray == [], f"README.md lines {stray}: setup/needs on a block that is not run"


def test_the_readme_says_how_many_blocks_are_checked() -> None:
    """The Tests section's count is the count of checked and skipped blocks."""
    said = re.search(r"runs (\d+) of its code blocks .*?;\s+(\d+) more show commands that need", README.read_text(),
                     re.DOTALL)
    assert said, "README's Tests section says how many code blocks tests/test_readme_blocks.py runs"
    skipped = [b for b in BLOCKS if b.directives.get("skip")]
    assert (int(said.group(1)), int(said.group(2))) == (len(CHECKED), len(skipped))
