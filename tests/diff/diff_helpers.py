"""Temporary git repositories holding copies of the examples, for ``kvnet diff`` tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from testlib import EXAMPLES, Run, run_kvnet

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` (no user config); its stdout."""
    import os
    if shutil.which("git") is None:
        pytest.skip("needs git")
    res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                         env={**os.environ, **GIT_ENV}, check=True, timeout=60)
    return res.stdout


def repo_with(tmp_path: Path, *examples: str) -> Path:
    """A new git repository with a commit holding copies of ``examples`` (each under its name)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for name in examples:
        shutil.copytree(EXAMPLES / name, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    """Replace each ``old`` (which must be there) by ``new`` in ``path``."""
    text = path.read_text()
    for old, new in pairs:
        assert old in text, f"{old!r} not in {path}"
        text = text.replace(old, new, 1)
    path.write_text(text)


def diff(repo: Path, *args: str) -> Run:
    """``kvnet diff ARGS`` run in ``repo``."""
    return run_kvnet("diff", *args, cwd=repo)


def diff_json(repo: Path, *args: str) -> dict[str, Any]:
    run = diff(repo, "--format", "json", *args)
    assert run.code == 0 and run.err == "", run.err
    return json.loads(run.out)  # type: ignore[no-any-return]


def classes_of(report: dict[str, Any]) -> dict[str, set[str]]:
    """class -> {"Kind namespace/name"} of a JSON report."""
    out: dict[str, set[str]] = {}
    for c in report["changes"]:
        ident = f"{c['namespace']}/{c['name']}" if c["namespace"] else c["name"]
        out.setdefault(c["class"], set()).add(f"{c['kind']} {ident}")
    return out
