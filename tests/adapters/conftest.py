"""Fixtures for the GitOps adapter tests (helpers live in adapter_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from adapter_helpers import GOOD_PLAN  # noqa: E402 (found on the path set just above)


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    d = tmp_path / "app"
    d.mkdir()
    (d / "kvnet.yaml").write_text(GOOD_PLAN)
    return d
