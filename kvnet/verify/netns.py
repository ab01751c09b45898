"""Network namespaces, child processes and their cleanup for one verify run.

A :class:`Session` owns everything a run creates: namespaces named
``kvnet-verify-<pid>-<token>-<n>-<role>``, the child processes running in them and a scratch
directory for plugin state. ``cancel()`` kills running children and refuses new work;
``close()`` deletes every namespace the session created (and any left under its own
``kvnet-verify-<pid>-<token>-`` prefix) and the scratch directory. Nothing here touches a
namespace the session did not name.

Liveness is a lock, not a PID (issue #27): before it creates anything, a run creates its marker
namespace ``<prefix>lock`` and holds a flock(2) on it while it lives (the kernel drops it when
the run dies, SIGKILL included). The sweep of leftovers removes a run's namespaces and scratch
directory only when it can take that lock (or the marker is gone): a PID says nothing about a
run in another PID namespace (a container, a CI runner sharing /var/run/netns), and two such
runs may even share a PID, which the random token keeps apart.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from kvnet.record import dataclass

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


MARKER = "lock"


def _run_of(name: str) -> str | None:
    """``<pid>-<token>`` of a ``kvnet-verify-<pid>-<token>-...`` name, else None."""
    parts = name[len(PREFIX):].split("-")
    if not name.startswith(PREFIX) or len(parts) < 3 or not parts[0].isdigit() or not parts[1].startswith("r"):
        return None
    return f"{parts[0]}-{parts[1]}"


def _dead_owner(name: str, verdicts: dict[str, bool]) -> bool:
    """Whether the run that named ``name`` is gone: nobody holds its marker's lock (or the
    marker is gone). A name of an older kvnet (``kvnet-verify-<pid>-<n>``, no token) falls back
    to its PID. ``verdicts`` caches the answer per run."""
    run = _run_of(name)
    if run is None:
        pid = name[len(PREFIX):].split("-", 1)[0]
        return name.startswith(PREFIX) and pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid))
    if run not in verdicts:
        verdicts[run] = _unlocked(netns_path(f"{PREFIX}{run}-{MARKER}"))
    return verdicts[run]


def _unlocked(path: str) -> bool:
    """True when nobody holds a flock on ``path`` (or it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def remove_dead_leftovers() -> tuple[list[str], list[str]]:
    """Delete the namespaces and scratch directories of earlier runs whose process is dead
    (SIGKILL gives no chance to clean up); returns (namespaces, directories) removed. A
    leftover of a live run, or of a name without a pid, is never touched."""
    removed = []
    verdicts: dict[str, bool] = {}
    names = list_netns()
    for name in sorted(names, key=lambda n: n.endswith(f"-{MARKER}")):  # a run's marker last
        if _dead_owner(name, verdicts):
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
        if _dead_owner(name, verdicts) and os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            dirs.append(path)
    return removed, dirs


class Session:
    """Registry of what one verify run created; thread-safe."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.prefix = f"{PREFIX}{os.getpid()}-r{secrets.token_hex(3)}-"
        self._marker: int | None = None
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
        self._ensure_marker()
        return f"{self.prefix}{next(self._counter)}"

    def _ensure_marker(self) -> None:
        """Create and lock this run's marker namespace before anything else of the run exists.
        A sweep that deleted it between its creation and our lock makes us take a new token."""
        with self._lock:
            while self._marker is None:
                name = f"{self.prefix}{MARKER}"
                subprocess.run(["ip", "netns", "add", name], capture_output=True, timeout=DEFAULT_TIMEOUT)
                try:
                    fd = os.open(netns_path(name), os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    return  # no namespace can be made either: the run reports that itself
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.stat(netns_path(name)).st_ino == os.fstat(fd).st_ino
                except OSError:
                    same = False
                if same:
                    self._marker = fd
                else:
                    os.close(fd)
                    self.prefix = f"{PREFIX}{os.getpid()}-r{secrets.token_hex(3)}-"

    def scratch_dir(self) -> str:
        """A private directory for plugin state (host-local leases, ...)."""
        self._ensure_marker()
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
        self._ensure_marker()
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
        left = [n for n in list_netns() if n.startswith(self.prefix)]
        with self._lock:
            marker, self._marker = self._marker, None
        if marker is not None:
            os.close(marker)
        return left
