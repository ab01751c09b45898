"""Staging files and directories whose liveness is a lock, not a PID (issue #27).

Every temporary name kvnet makes next to its output starts with :data:`PREFIX`. A run holds an
exclusive flock(2) on each of them while it works: on the temporary file itself, or, for a
staging directory ``X``, on its companion file ``X.lock`` (created, locked and checked before
``X`` exists, removed after ``X`` is gone). A flock is held by the open file, so it proves a
live owner across PID namespaces (containers, CI runners), where a PID says nothing; the kernel
drops it when the owner dies, SIGKILL included. :func:`sweep` removes only what it can lock, and
a directory whose lock file is gone (its owner or another sweep was removing it).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator

PREFIX = ".kvnet-staging-"
LOCK_SUFFIX = ".lock"


def locked_temp(directory: str, suffix: str = "") -> tuple[int, str]:
    """A new ``PREFIX*`` file in ``directory``, open and flock-ed by this process: (fd, path).

    A sweep that locked it first (between its creation and our flock) may have unlinked it; the
    name is then made again. OSError when the directory cannot take a file.
    """
    while True:
        fd, path = tempfile.mkstemp(prefix=PREFIX, suffix=suffix, dir=directory)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd, path
        except FileNotFoundError:
            pass
        os.close(fd)


@contextlib.contextmanager
def staging_dir(directory: str) -> Iterator[str]:
    """A fresh ``PREFIX*`` directory in ``directory``, live (its ``.lock`` held) until the block
    ends; whatever is still at its name then is removed. OSError when it cannot be made."""
    fd, lock = locked_temp(directory, LOCK_SUFFIX)
    path = lock[: -len(LOCK_SUFFIX)]
    try:
        os.mkdir(path, 0o700)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _can_lock(path: str) -> int | None:
    """An fd holding the lock on ``path`` when nobody else holds it (its owner is dead), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep(directory: str) -> list[str]:
    """Remove what killed runs left in ``directory``: ``PREFIX*`` files nobody holds locked
    (a temporary file, a staging directory's lock file with its directory) and staging
    directories without a lock file. Returns the names removed; never raises."""
    try:
        names = sorted(n for n in os.listdir(directory) if n.startswith(PREFIX))
    except OSError:
        return []
    removed = []
    for name in names:
        path = os.path.join(directory, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            if not os.path.lexists(path + LOCK_SUFFIX):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(name)
            continue
        fd = _can_lock(path) if stat.S_ISREG(mode) else None
        if fd is None:
            continue
        try:
            if name.endswith(LOCK_SUFFIX):
                shutil.rmtree(path[: -len(LOCK_SUFFIX)], ignore_errors=True)
            with contextlib.suppress(OSError):
                os.unlink(path)
            removed.append(name)
        finally:
            os.close(fd)
    return removed


def unlink_quiet(path: str) -> None:
    """``os.unlink`` that takes a missing file for done."""
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
