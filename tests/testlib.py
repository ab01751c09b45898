"""Helpers shared by the tests (imported as ``testlib``; ``conftest`` holds only fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
UPSTREAM = REPO.parent / "shared" / "upstream"


def upstream(rel: str) -> Path:
    """``../shared/upstream/<rel>`` (upstream schemas and manifests, kept outside the repository:
    never copied into it); the calling test skips, saying so, when it is absent."""
    path = UPSTREAM / rel
    if not path.exists():
        pytest.skip(f"needs ../shared/upstream/{rel}: upstream reference data outside the repository "
                    "(README, 'Tests')")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_kvnet(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
              input: str | None = None) -> Run:
    """Run the real ``kvnet`` program (same interpreter) and capture everything."""
    full_env = dict(os.environ)
    full_env.pop("GITHUB_ACTIONS", None)
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-m", "kvnet", *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run kvnet in-process (fast) through the same ``main`` the console script uses."""
    from kvnet.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def example_dirs() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if (p / "kvnet.yaml").is_file())
