from __future__ import annotations

import pytest
from testlib import Run, cli


@pytest.fixture
def kvnet(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def _run(*args: str) -> Run:
        return cli(capsys, *args)

    return _run
