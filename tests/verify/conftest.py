"""Fixtures for ``kvnet verify`` tests: real plugins, real namespaces, no leftovers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for extra in (str(ROOT), str(Path(__file__).resolve().parent)):
    if extra not in sys.path:
        sys.path.insert(0, extra)

from verify_helpers import Run, own_namespaces, plugin_dir, run, why_not_runnable  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def no_leftover_namespaces() -> Iterator[None]:
    """After the whole suite, no namespace that this session's verify runs created may remain.

    Only our own runs' namespaces count (``kvnet-verify-<pid>-*`` of this process and of the
    verify processes the tests spawned): another ``kvnet verify`` on the same host does not
    make this fail (test_isolation.py proves it).
    """
    before = own_namespaces()
    yield
    left = own_namespaces() - before
    assert not left, f"kvnet verify left network namespaces behind: {sorted(left)}"


@pytest.fixture
def runnable() -> str:
    """The CNI bin dir; skips the test when verify cannot run on this machine."""
    reason = why_not_runnable()
    if reason:
        pytest.skip(reason)
    found = plugin_dir()
    assert found is not None
    return found


@pytest.fixture
def write_nads(tmp_path: Path) -> Callable[..., Path]:
    def write(*docs: str, name: str = "nads.yaml") -> Path:
        path = tmp_path / name
        path.write_text("---\n".join(docs))
        return path
    return write


@pytest.fixture
def verify() -> Callable[..., Run]:
    return run
