"""tests/boot imports its helpers (harness, expect, runner, image) by module name."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def pytest_configure(config: object) -> None:
    """A SIGTERM'd run cleans up its guests (harness.stop_on_sigterm)."""
    import harness

    harness.stop_on_sigterm()


@pytest.fixture(scope="session")
def images() -> Path:
    """The guest images (image.ensure), or a skip naming what this machine lacks."""
    import harness

    why = harness.missing_tools()
    if why:
        pytest.skip(why)
    import image

    try:
        return image.ensure()
    except Exception as exc:  # no mmdebstrap, no mirror: the layer cannot run here
        pytest.skip(f"cannot build the guest image ({exc}); needs mmdebstrap and the Debian mirror")


def pytest_terminal_summary(terminalreporter: object) -> None:
    """The boot groups' figures (measure.summary: wall, qemu CPU per boot, guest uptime, load)."""
    import measure

    for line in measure.LINES:
        terminalreporter.write_line(line)  # type: ignore[attr-defined]
