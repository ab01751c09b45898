"""SIGTERM handling shared by every entry point (SPEC §5: 143 on SIGTERM with nothing written).

Argo CD may stop the plugin at any moment; until a run has succeeded nothing
has been written, so leaving with 143 is clean. Once a run has passed and started
writing its result, a SIGTERM is ignored: the result is written whole, never cut.
"""

from __future__ import annotations

import os
import signal
from typing import Any


class _State:
    writing = False


def output_started() -> None:
    """The run passed every check and starts writing its result: it will finish writing
    it, so that a SIGTERM never leaves a partial manifest set behind."""
    _State.writing = True


def on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM handler: exit 143 at once unless the result is being written."""
    if _State.writing:
        return  # the complete result is being written; finish it rather than truncate it
    os._exit(143)


def install() -> None:
    """Take SIGTERM with :func:`on_sigterm` (idempotent)."""
    signal.signal(signal.SIGTERM, on_sigterm)
