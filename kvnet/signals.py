"""SIGTERM / SIGINT handling shared by every entry point (SPEC §5: 143 on SIGTERM, 130 on SIGINT).

The promise (issue #14): stdout is complete with exit 0, or the exit is non-zero; a file or
output directory holds the old content or the new, never a mix.

* Outside any output transaction a SIGTERM ends the process at once with 143 (Argo CD may
  stop the plugin at any moment; nothing of the result has been committed).
* Inside :func:`guarded` (kvnet.output writing a staging directory or a temporary file) a
  SIGTERM raises :class:`Terminated`, so that ``finally`` blocks remove what was staged;
  the CLI turns it into exit 143. SIGINT raises KeyboardInterrupt there as everywhere (130).
* Inside :func:`deferred` (the few renames that commit a result) both signals are held and
  acted on when the commit is done, so that a commit is never cut in half.

A SIGTERM while stdout is being written also ends the process with 143: the reader may have
part of the stream, but never with exit 0.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Any, Iterator

EXIT_SIGTERM = 143
EXIT_SIGINT = 130


class Terminated(BaseException):
    """SIGTERM arrived while kvnet.output had something to clean up (exit 143)."""


class _State:
    guarded = 0  # depth of guarded() blocks
    deferring = 0  # depth of deferred() blocks
    pending: int | None = None  # a signal held by deferred()


def _raise_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if _State.guarded:
        raise Terminated(EXIT_SIGTERM)
    os._exit(EXIT_SIGTERM)


def on_signal(signum: int, frame: Any) -> None:
    """Handler for SIGTERM and SIGINT: hold the signal during a commit, else act on it."""
    if _State.deferring:
        if _State.pending is None or signum == signal.SIGTERM:
            _State.pending = signum
        return
    _raise_for(signum)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """A block that leaves state to clean up: SIGTERM raises :class:`Terminated` inside it."""
    _State.guarded += 1
    try:
        yield
    finally:
        _State.guarded -= 1


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A block no signal may cut (a commit): SIGTERM/SIGINT are acted on when it ends."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
        if not _State.deferring and _State.pending is not None:
            signum, _State.pending = _State.pending, None
            _raise_for(signum)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0; EPERM: it exists but is not ours). Used to tell
    what a killed earlier run left behind (staging directories, verify namespaces)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def install() -> None:
    """Take SIGTERM and SIGINT with :func:`on_signal` (idempotent). Only in the main thread."""
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
