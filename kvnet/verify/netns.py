"""Network namespaces, child processes and their cleanup for one verify run.

A :class:`Session` owns everything a run creates: namespaces named
``kvnet-verify-<pid>-<n>-<role>``, the child processes running in them and a scratch
directory for plugin state. ``cancel()`` kills running children and refuses new work;
``close()`` deletes every namespace the session created (and any left under its own
``kvnet-verify-<pid>-`` prefix) and the scratch directory. Nothing here touches a
namespace the session did not name.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass

from kvnet.signals import pid_alive

NETNS_DIR = "/var/run/netns"
PREFIX = "kvnet-verify-"
DEFAULT_TIMEOUT = 30.0


class Cancelled(Exception):
    """The session was cancelled (signal); the caller should stop and return."""


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def error_text(self) -> str:
        """The command's own complaint, one line."""
        if self.timed_out:
            return "timed out"
        text = (self.stderr.strip() or self.stdout.strip() or f"exit status {self.returncode}")
        return " ".join(text.split())


def netns_path(name: str) -> str:
    return os.path.join(NETNS_DIR, name)


def list_netns() -> list[str]:
    """Names of the named network namespaces (``ip netns list``), without ids."""
    try:
        proc = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=DEFAULT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]


def _dead_owner(name: str) -> bool:
    """``kvnet-verify-<pid>-...`` whose process is gone (a run killed by SIGKILL)."""
    pid = name[len(PREFIX):].split("-", 1)[0]
    return name.startswith(PREFIX) and pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid))


def remove_dead_leftovers() -> tuple[list[str], list[str]]:
    """Delete the namespaces and scratch directories of earlier runs whose process is dead
    (SIGKILL gives no chance to clean up); returns (namespaces, directories) removed. A
    leftover of a live run, or of a name without a pid, is never touched."""
    removed = []
    for name in list_netns():
        if _dead_owner(name):
            try:
                subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=DEFAULT_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if not os.path.exists(netns_path(name)):
                removed.append(name)
    tmp = tempfile.gettempdir()
    dirs = []
    for name in sorted(os.listdir(tmp)) if os.path.isdir(tmp) else []:
        path = os.path.join(tmp, name)
        if _dead_owner(name) and os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            dirs.append(path)
    return removed, dirs


class Session:
    """Registry of what one verify run created; thread-safe."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.prefix = f"{PREFIX}{os.getpid()}-"
        self.timeout = timeout
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._namespaces: list[str] = []
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._cancelled = threading.Event()
        self._scratch: str | None = None

    # -- state ---------------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled()

    def next_id(self) -> str:
        """A fresh ``kvnet-verify-<pid>-<n>`` identifier."""
        return f"{self.prefix}{next(self._counter)}"

    def scratch_dir(self) -> str:
        """A private directory for plugin state (host-local leases, ...)."""
        with self._lock:
            if self._scratch is None:
                self._scratch = tempfile.mkdtemp(prefix=self.prefix)
            return self._scratch

    # -- processes -------------------------------------------------------------------------
    def run(self, argv: list[str], stdin: bytes | None = None, env: dict[str, str] | None = None,
            timeout: float | None = None) -> Completed:
        """Run a command to completion, killable by :meth:`cancel`."""
        with self._lock:
            if self._cancelled.is_set():
                raise Cancelled()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,  # a Ctrl-C on the terminal reaches us, not the plugin
            )
            self._procs.add(proc)
        timed_out = False
        try:
            try:
                out, errb = proc.communicate(stdin, timeout=timeout or self.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.kill()
                out, errb = proc.communicate()
        finally:
            with self._lock:
                self._procs.discard(proc)
        if self._cancelled.is_set():
            raise Cancelled()
        return Completed(tuple(argv), proc.returncode, out.decode(errors="replace"),
                         errb.decode(errors="replace"), timed_out)

    def ip(self, *args: str) -> Completed:
        return self.run(["ip", *args])

    # -- namespaces ------------------------------------------------------------------------
    def add_netns(self, name: str) -> Completed:
        """Create a namespace; it is registered for deletion before it exists."""
        if not name.startswith(self.prefix):
            raise ValueError(f"namespace {name!r} is not under {self.prefix!r}")
        with self._lock:
            if self._cancelled.is_set():
                raise Cancelled()
            self._namespaces.append(name)
        return self.ip("netns", "add", name)

    def del_netns(self, name: str) -> None:
        """Delete a namespace this session created (works even after cancel)."""
        with self._lock:
            if name not in self._namespaces:
                return
        if os.path.exists(netns_path(name)):
            try:
                subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=DEFAULT_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired):
                return
        with self._lock:
            if not os.path.exists(netns_path(name)) and name in self._namespaces:
                self._namespaces.remove(name)

    def cancel(self) -> None:
        """Refuse new work and kill running children."""
        with self._lock:
            self._cancelled.set()
            procs = list(self._procs)
        for proc in procs:
            try:
                proc.kill()
            except OSError:
                pass

    def close(self) -> list[str]:
        """Delete every namespace of this session and the scratch dir; returns leftovers."""
        with self._lock:
            names = list(self._namespaces)
        for name in names:
            self.del_netns(name)
        # Anything under our own pid prefix is ours too (e.g. a half-created namespace).
        for name in list_netns():
            if name.startswith(self.prefix):
                subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=DEFAULT_TIMEOUT)
        with self._lock:
            scratch, self._scratch = self._scratch, None
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        return [n for n in list_netns() if n.startswith(self.prefix)]
