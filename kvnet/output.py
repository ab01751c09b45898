"""The one way kvnet writes a result: stdout, one file, or a directory of files (issue #14).

Every entry point that writes (build, build -o, cmp generate, fn, the kustomize plugin,
check-rendered --fix, overlay, init, kustomize install-plugin, lock, node-config) calls one of:

* :func:`write_stdout` — the whole text to file descriptor 1; a signal while it is being
  written ends the process non-zero (see :mod:`kvnet.signals`), so exit 0 means complete.
* :func:`write_file` — replace one file: a temporary file created exclusively and without
  following links in the target directory, then renamed over the target. The target holds
  the old content or the new one.
* :func:`write_tree` — put files into a directory: the new set is made in a fresh staging
  directory and switched in one step (:mod:`kvnet.treecommit`). The directory holds the old
  set or the new one, a SIGKILL included; the next run removes a killed run's staging.

A rename replaces a symbolic link planted at the target name instead of following it, and a
temporary name is never guessable, so nothing is written outside the directory asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from kvnet.record import dataclass, field

from kvnet import signals, treecommit
from kvnet.staging import PREFIX as STAGING_PREFIX
from kvnet.staging import locked_temp, staging_dir, sweep
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


def write_file(path: str, text: str, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` atomically (``mode``: permission bits, default 0666 & ~umask).

    Raises OutputError (naming ``path`` and the system's reason: a full disk, a read-only file
    system, a missing directory, the target is a directory); the target is then unchanged.
    """
    directory = os.path.dirname(path) or "."
    if os.path.isdir(path) and not os.path.islink(path):
        raise OutputError(f"{path} is a directory")
    with signals.guarded():
        sweep(directory)  # temporary files of killed runs (a live run holds its own locked)
        try:
            fd, tmp = locked_temp(directory)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:  # closing it drops the lock
                fh.write(text)
                fh.flush()
                os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
                treecommit.crash_point("file-written")
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
        if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name \
                or name.startswith(STAGING_PREFIX):
            raise OutputError(f"refusing to write {name!r}: not a plain file name")
        target = os.path.join(directory, name)
        if os.path.isdir(target) and not os.path.islink(target):
            raise OutputError(f"{target} is a directory")


def write_tree(directory: str, files: Mapping[str, str],
               stale: Callable[[str, set[str]], list[str]] | None = None, prune: bool = False) -> TreeResult:
    """Put ``files`` (name -> text) into ``directory`` (created), old set or new set, never a mix,
    a SIGKILL included (kvnet.treecommit: a directory swap, else a journal the next run finishes).

    ``stale(directory, names)`` lists files of an earlier run that this one does not write;
    with ``prune`` they are removed in the same commit. Raises OutputError (nothing changed).
    """
    make_dirs(directory)
    if not os.path.isdir(directory):
        raise OutputError(f"{directory} is not a directory")
    _check_names(directory, files)
    target = os.path.realpath(directory)
    result = TreeResult(written=[os.path.join(directory, n) for n in files])

    def pruned() -> set[str]:
        result.stale = stale(directory, set(files)) if stale else []
        result.pruned = list(result.stale) if prune else []
        return {os.path.basename(p) for p in result.pruned}

    def write_one(path: str, text: str) -> None:
        try:
            _write_new(path, text)
        except OSError as exc:
            raise OutputError(f"cannot write {os.path.basename(path)} into {directory}: "
                              f"{exc.strerror or exc}") from None

    with signals.guarded():
        try:
            if treecommit.can_swap(target):
                try:
                    treecommit.swap(target, files.items(), pruned, write_one)
                    return result
                except treecommit.CommitError:
                    result.stale, result.pruned = [], []  # nothing changed: the journal below
            _journal_tree(target, files, pruned, write_one)
        except OSError as exc:
            raise OutputError(f"cannot write into {directory}: {exc.strerror or exc}") from None
    return result


def write_nested(directory: str, files: Mapping[str, tuple[str, int]]) -> list[str]:
    """Put ``files`` (path relative to ``directory`` -> (text, permission bits)) into
    ``directory`` (created) as one set: the swap of :mod:`kvnet.treecommit` (the new tree staged
    beside it, every other entry of the old one hard-linked over, then exchanged in one
    ``renameat2``), so ``directory`` holds the old files or the new ones, never a mix (``kvnet
    node-config -o DIR``: a node's etc/ tree). Where the swap cannot be used (``directory`` a
    mount point, its parent not writable, the working directory inside it) each file is replaced
    atomically on its own. Returns the paths written; OutputError (nothing changed)."""
    make_dirs(directory)
    if not os.path.isdir(directory):
        raise OutputError(f"{directory} is not a directory")
    target = os.path.realpath(directory)
    modes = sorted(((os.sep + rel, mode) for rel, (_, mode) in files.items()), key=lambda m: -len(m[0]))

    def write_one(path: str, text: str) -> None:  # path: the staging tree's; its mode by the longest suffix
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write_new(path, text)
        os.chmod(path, next(mode for suffix, mode in modes if path.endswith(suffix)))

    try:
        with signals.guarded():
            if treecommit.can_swap(target):
                try:
                    treecommit.swap(target, [(rel, text) for rel, (text, _) in files.items()], set, write_one)
                    return [os.path.join(directory, rel) for rel in files]
                except treecommit.CommitError:
                    pass
    except OSError as exc:
        raise OutputError(f"cannot write into {directory}: {exc.strerror or exc}") from None
    for rel, (text, mode) in files.items():
        make_dirs(os.path.dirname(os.path.join(directory, rel)))
        write_file(os.path.join(directory, rel), text, mode=mode)
    return [os.path.join(directory, rel) for rel in files]


def _journal_tree(target: str, files: Mapping[str, str], pruned: Callable[[], set[str]],
                  write_one: Callable[[str, str], None]) -> None:
    """The journal commit (kvnet.treecommit) of ``files`` into ``target``."""
    lock_dir = treecommit.lock_dir_of(target)
    with treecommit.locked(lock_dir):
        treecommit.replay(target)  # before the sweep: a killed commit's staged files are in use
        sweep(target)
    with staging_dir(target) as staged:
        for name, text in files.items():
            write_one(os.path.join(staged, name), text)
        treecommit.crash_point("staged")
        with treecommit.locked(lock_dir), signals.deferred():
            treecommit.replay(target)
            gone = sorted(pruned())
            treecommit.journal_commit(target, staged, list(files), [os.path.join(target, n) for n in gone])
