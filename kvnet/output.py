"""The one way kvnet writes a result: stdout, one file, or a directory of files (issue #14).

Every entry point that writes (build, build -o, cmp generate, fn, the kustomize plugin,
check-rendered --fix, overlay, init, kustomize install-plugin, lock) calls one of:

* :func:`write_stdout` — the whole text to file descriptor 1; a signal while it is being
  written ends the process non-zero (see :mod:`kvnet.signals`), so exit 0 means complete.
* :func:`write_file` — replace one file: a temporary file created exclusively and without
  following links in the target directory, then renamed over the target. The target holds
  the old content or the new one.
* :func:`write_tree` — put files into a directory: they are written into a fresh staging
  directory inside it, then renamed into place (and ``prune`` candidates removed) in one
  block no SIGTERM/SIGINT cuts. The directory holds the old set or the new one.

A rename replaces a symbolic link planted at the target name instead of following it, and a
temporary name is never guessable, so nothing is written outside the directory asked for.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from kvnet import signals

STAGING_PREFIX = ".kvnet-staging-"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class OutputError(Exception):
    """A result cannot be written where asked (the message names the path); nothing was changed."""


def write_stdout(text: str) -> None:
    """Write ``text`` (UTF-8) to stdout in full with ``os.write`` (no buffered-writer loss on an
    interrupted write). BrokenPipeError propagates (the CLI exits 1)."""
    out = sys.stdout
    out.flush()
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests, embedding)
        out.write(text)
        out.flush()
        return
    FdStream(fd).write(text.encode("utf-8"))


class FdStream:
    """``write(bytes)`` in full with ``os.write`` (see :func:`write_stdout`), for a writer that
    produces its output in pieces, such as libyaml's emitter."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


def _write_new(path: str, text: str, mode: int = 0o666) -> None:
    """Create ``path`` exclusively (never through a link) and write ``text`` to it."""
    fd = os.open(path, _CREATE, mode)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _remove_dead_staging(directory: str) -> None:
    """Remove staging directories that runs killed by SIGKILL left behind (their pid is gone)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not name.startswith(STAGING_PREFIX):
            continue
        pid = name[len(STAGING_PREFIX):].split("-", 1)[0]
        path = os.path.join(directory, name)
        if pid.isdigit() and not signals.pid_alive(int(pid)) and stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)


def write_file(path: str, text: str, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` atomically (``mode``: permission bits, default 0666 & ~umask).

    Raises OutputError (naming ``path`` and the system's reason: a full disk, a read-only file
    system, a missing directory, the target is a directory); the target is then unchanged.
    """
    directory = os.path.dirname(path) or "."
    if os.path.isdir(path) and not os.path.islink(path):
        raise OutputError(f"{path} is a directory")
    with signals.guarded():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=directory)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
            with signals.deferred():
                os.rename(tmp, path)
        except OSError as exc:  # ENOSPC, EDQUOT, EIO: the old content stays
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)


def make_dirs(directory: str) -> None:
    """``os.makedirs(directory, exist_ok=True)``; OutputError naming it and the reason."""
    try:
        os.makedirs(directory or ".", exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {directory}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the name
        raise OutputError(f"cannot create {directory!r}: not a valid path") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass
class TreeResult:
    """Paths written (in the order given) and paths removed as stale (``prune``) or kept."""

    written: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)


def _check_names(directory: str, files: Mapping[str, str]) -> None:
    for name in files:
        if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
            raise OutputError(f"refusing to write {name!r}: not a plain file name")
        target = os.path.join(directory, name)
        if os.path.isdir(target) and not os.path.islink(target):
            raise OutputError(f"{target} is a directory")


def write_tree(directory: str, files: Mapping[str, str],
               stale: Callable[[str, set[str]], list[str]] | None = None, prune: bool = False) -> TreeResult:
    """Put ``files`` (name -> text) into ``directory`` (created), old set or new set, never a mix.

    ``stale(directory, names)`` lists files of an earlier run that this one does not write;
    with ``prune`` they are removed in the same commit. Raises OutputError (nothing changed).
    """
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {directory}: {exc.strerror or exc}") from None
    if not os.path.isdir(directory):
        raise OutputError(f"{directory} is not a directory")
    _check_names(directory, files)
    _remove_dead_staging(directory)
    result = TreeResult(written=[os.path.join(directory, n) for n in files])
    with signals.guarded():
        try:
            staging = tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=directory)
        except OSError as exc:
            raise OutputError(f"cannot write into {directory}: {exc.strerror or exc}") from None
        try:
            for name, text in files.items():
                try:
                    _write_new(os.path.join(staging, name), text)
                except OSError as exc:
                    raise OutputError(f"cannot write {name} into {directory}: {exc.strerror or exc}") from None
            with _locked(directory):  # a concurrent run commits wholly before or after this one
                result.stale = stale(directory, set(files)) if stale else []
                with signals.deferred():
                    for name in files:
                        os.rename(os.path.join(staging, name), os.path.join(directory, name))
                    if prune:
                        for path in result.stale:
                            _unlink_quiet(path)
                            result.pruned.append(path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return result


@contextlib.contextmanager
def _locked(directory: str) -> Iterator[None]:
    """An exclusive flock(2) on ``directory`` for the commit (advisory, between kvnet runs)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _unlink_quiet(path: str) -> None:
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
