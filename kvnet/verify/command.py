"""``kvnet verify`` entry point: refusals, input, the run, rendering, exit code.

Exit codes: 0 every NAD ok or skipped; 1 a NAD failed, a plan did not compile, input
YAML is broken or no NAD was found; 2 usage (bad option, not root, no CNI plugins) or
unreadable input; 3 internal error; 128+signal (143 SIGTERM, 130 SIGINT) when
interrupted, after removing every namespace the run created and writing no results.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from kvnet.exitcodes import INTERNAL, OK, PROBLEMS, USAGE
from kvnet.reporters import FORMATS, render, resolve_format
from kvnet.verify.inputs import NadCase, compile_plans, load_inputs
from kvnet.verify.netns import Session, remove_dead_leftovers
from kvnet.verify.report import Summary, render_results
from kvnet.verify.runner import Status, verify_all

DEFAULT_BIN_DIRS = ("/opt/cni/bin", "/usr/lib/cni")
# Any of these in a directory makes it a CNI plugin directory.
REFERENCE_PLUGINS = ("bridge", "macvlan", "ipvlan", "host-device", "host-local", "static", "vlan", "ptp", "loopback")
MAX_JOBS = 64


class Interrupted(BaseException):
    """SIGINT/SIGTERM arrived; unwinds the main thread so cleanup can run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _SignalGuard:
    """Turns SIGINT/SIGTERM into :class:`Interrupted` while armed; remembers them always."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.armed = True

    def handler(self, signum: int, _frame: FrameType | None) -> None:
        first = not self.received
        self.received.append(signum)
        if first and self.armed:
            raise Interrupted(signum)


@contextmanager
def _signals() -> Iterator[_SignalGuard]:
    guard = _SignalGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard  # signal handlers can only be set from the main thread
        return
    previous = {s: signal.signal(s, guard.handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield guard
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def has_plugins(directory: str) -> bool:
    return os.path.isdir(directory) and any(
        os.access(os.path.join(directory, p), os.X_OK) and os.path.isfile(os.path.join(directory, p))
        for p in REFERENCE_PLUGINS)


def resolve_bin_dir(cni_bin_dir: str | None) -> tuple[str | None, str]:
    """(directory, refusal message)."""
    if cni_bin_dir:
        if not os.path.isdir(cni_bin_dir):
            return None, f"--cni-bin-dir {cni_bin_dir}: no such directory"
        if not has_plugins(cni_bin_dir):
            return None, (f"--cni-bin-dir {cni_bin_dir}: no reference CNI plugins there "
                          f"(looked for {', '.join(REFERENCE_PLUGINS)})")
        return cni_bin_dir, ""
    for candidate in DEFAULT_BIN_DIRS:
        if has_plugins(candidate):
            return candidate, ""
    return None, (f"no CNI plugins found in {' or '.join(DEFAULT_BIN_DIRS)}; install them "
                  "(apt-get install containernetworking-plugins) or pass --cni-bin-dir")


def _refuse(err: TextIO, message: str) -> int:
    err.write(f"kvnet verify: {message}\n")
    return USAGE


def run_verify(paths: list[str], cni_bin_dir: str | None, jobs: int, fmt: str, out: TextIO, err: TextIO) -> int:
    """Verify the NADs in ``paths``; returns the exit code."""
    fmt = resolve_format(fmt)
    if fmt not in FORMATS:
        return _refuse(err, f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    if not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        return _refuse(err, f"--jobs must be between 1 and {MAX_JOBS}, got {jobs}")
    if os.geteuid() != 0:
        return _refuse(err, "needs root to create network namespaces and run CNI plugins (try: sudo kvnet verify)")
    if shutil.which("ip") is None:
        return _refuse(err, "the 'ip' command (iproute2) is not installed")
    bin_dir, why = resolve_bin_dir(cni_bin_dir)
    if bin_dir is None:
        return _refuse(err, why)
    try:
        return _run(paths or ["."], bin_dir, jobs, fmt, out, err)
    except Interrupted as exc:  # a signal before the run started: nothing to clean
        return 128 + exc.signum
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        return _internal(err, exc)


def _internal(err: TextIO, exc: BaseException) -> int:
    if os.environ.get("KVNET_DEBUG") == "1":
        err.write("".join(traceback.format_exception(exc)))
    err.write(f"kvnet verify: internal error: {type(exc).__name__}: {exc}\n")
    return INTERNAL


def _cleanup(session: Session, guard: _SignalGuard, cancel: bool) -> list[str]:
    """Cancel (if the run did not finish) and close the session, immune to signals."""
    while True:
        try:
            guard.armed = False  # later signals are only recorded
            if cancel or guard.received:
                session.cancel()
            return session.close()
        except Interrupted:  # the first signal landed just before disarming: start over
            continue


def _cases(paths: list[str], fmt: str, err: TextIO) -> list[NadCase] | int:
    """The NAD cases of ``paths`` (given NADs, then those the plans compile to), or the exit code
    when an input is unreadable, a plan fails or there is no NAD (SPEC §9 exit codes)."""
    inputs = load_inputs(paths)
    if inputs.diagnostics:
        err.write(render(fmt, inputs.diagnostics))
        return USAGE if inputs.unreadable else PROBLEMS
    cases = list(inputs.cases)
    for path in inputs.plan_paths:
        compiled, diags, ok = compile_plans([path])
        if diags:
            err.write(render(fmt, diags))
        if not ok:
            return PROBLEMS
        cases.extend(compiled)
    if not cases:
        err.write(f"kvnet verify: no NetworkAttachmentDefinition found in {' '.join(paths)}\n")
        return PROBLEMS
    return cases


def _run(paths: list[str], bin_dir: str, jobs: int, fmt: str, out: TextIO, err: TextIO) -> int:
    cases = _cases(paths, fmt, err)
    if isinstance(cases, int):
        return cases

    started = time.monotonic()
    namespaces, dirs = remove_dead_leftovers()
    if namespaces or dirs:
        err.write(f"kvnet verify: removed {len(namespaces)} namespace(s) and {len(dirs)} scratch "
                  f"director{'y' if len(dirs) == 1 else 'ies'} left by earlier runs that were killed\n")
    with _signals() as guard:
        session = Session()
        results = None
        failure: BaseException | None = None
        try:
            results = verify_all(session, cases, bin_dir, jobs)
        except Interrupted:
            pass
        except Exception as exc:  # noqa: BLE001
            failure = exc
        finally:
            leftovers = _cleanup(session, guard, cancel=results is None)
        if guard.received:
            name = signal.Signals(guard.received[0]).name
            err.write(f"kvnet verify: interrupted by {name}; removed the namespaces it created\n")
            return 128 + guard.received[0]
        if leftovers:
            err.write(f"kvnet verify: could not delete namespace(s) {', '.join(leftovers)}\n")
            return INTERNAL
        if failure is not None:
            return _internal(err, failure)
    assert results is not None
    summary = Summary.of(results, time.monotonic() - started, jobs, bin_dir)
    out.write(render_results(results, summary, fmt))
    return PROBLEMS if any(r.status is Status.FAILED for r in results) else OK
