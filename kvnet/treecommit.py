"""Switch an output directory to a new set of files in one step a SIGKILL cannot split (issue #27).

``build -o DIR`` and ``overlay -o DIR`` keep their layout (DIR is a plain directory holding one
file per object, beside any files of the user's), and DIR holds the old set or the new set at
every instant, a SIGKILL included:

* **swap** (the usual case): the new tree is made in a staging directory beside DIR (in its
  parent): the new files written, every other entry of DIR (the user's files, old objects not
  pruned) hard-linked over, DIR's permissions copied; then ``renameat2(RENAME_EXCHANGE)`` trades
  the two directories in one system call (a new DIR: one ``rename``), and the old tree, now at
  the staging name, is removed. Like an atomic deploy's symlink switch, without the symlink.
* **journal** (DIR is a mount point, its parent is not writable, or the file system cannot
  exchange): the files are staged inside DIR, then a journal naming every rename and deletion
  is written (atomically) before the first of them, as SQLite's rollback journal is. A run that
  finds a journal under DIR's lock finishes its commit (roll forward: the staged files are
  still there) before anything else; DIR is whole again when that run ends.

Staging directories are live while their flock is held (:mod:`kvnet.staging`); the next run
removes what a killed one left. ``KVNET_TEST_CRASH_AT=<point>`` (tests only) kills the process
with SIGKILL at a named point of the commit; ``KVNET_TEST_COMMIT=journal`` forces the journal.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import stat
from collections.abc import Callable, Iterable, Iterator

from kvnet import signals
from kvnet.staging import PREFIX, locked_temp, staging_dir, sweep, unlink_quiet

JOURNAL = ".kvnet-journal"
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100


class CommitError(OSError):
    """The swap cannot be used here (no renameat2, a mount point): the journal is."""


def crash_point(name: str) -> None:
    """Test-only fault injection: SIGKILL this process when ``KVNET_TEST_CRASH_AT`` names ``name``."""
    if os.environ.get("KVNET_TEST_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _renameat2(src: str, dst: str, flags: int) -> None:
    import ctypes  # only here: `kvnet --version` imports this module and needs none of it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        raise CommitError(errno.ENOSYS, "renameat2 is not available") from None
    if call(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) != 0:
        err = ctypes.get_errno()
        raise (CommitError if err in (errno.EINVAL, errno.ENOSYS, errno.EBUSY, errno.EXDEV) else OSError)(
            err, f"{os.strerror(err)}: {dst}")


@contextlib.contextmanager
def locked(directory: str) -> Iterator[None]:
    """An exclusive flock(2) on ``directory`` (advisory, between kvnet runs committing into it)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def can_swap(target: str) -> bool:
    """Whether the swap can switch ``target``: its parent writable, not a mount point, not this
    process's working directory or above it (a swapped-out working directory is deleted)."""
    if os.environ.get("KVNET_TEST_COMMIT") == "journal":
        return False
    cwd = os.path.realpath(os.getcwd())
    if cwd == target or cwd.startswith(target.rstrip(os.sep) + os.sep):
        return False
    parent = os.path.dirname(target)
    if not os.access(parent, os.W_OK | os.X_OK):
        return False
    try:
        return not os.path.lexists(target) or not os.path.ismount(target)
    except OSError:
        return False


def _carry(src: str, dst: str) -> None:
    """Put the entry ``src`` (of the old DIR) at ``dst`` in the new tree: hard links for files
    (a copy where linking is refused), links as links, directories entry by entry."""
    mode = os.lstat(src).st_mode
    if stat.S_ISLNK(mode):
        os.symlink(os.readlink(src), dst)
    elif stat.S_ISDIR(mode):  # merged into a directory the new tree already has (node-config's etc/)
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy, dirs_exist_ok=True,
                        ignore=lambda d, names: _written(dst, os.path.relpath(d, src), names))
    elif stat.S_ISREG(mode):
        _link_or_copy(src, dst)
    # a socket, FIFO or device in an output directory is not carried over


def _written(dst: str, rel: str, names: list[str]) -> list[str]:
    """The entries of the old directory ``rel`` that the new tree ``dst`` already holds as files
    (written by this commit): they are not carried over. Directories are merged."""
    here = os.path.join(dst, rel)
    return [n for n in names if os.path.lexists(os.path.join(here, n)) and not os.path.isdir(os.path.join(here, n))]


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _match_dir(new: str, target: str) -> None:
    """Give the new tree DIR's permission bits (and owner, when run as root)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(new, 0o777 & ~mask)
        return
    os.chmod(new, stat.S_IMODE(st.st_mode))
    if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(new, st.st_uid, st.st_gid)


def lock_dir_of(target: str) -> str:
    """The directory whose flock serialises commits into ``target``: its parent (the swap
    replaces ``target``'s inode), or ``target`` itself when the parent cannot be opened."""
    parent = os.path.dirname(target)
    return parent if os.access(parent, os.R_OK) else target


def swap(target: str, write: Iterable[tuple[str, str]], keep_out: Callable[[], set[str]],
         write_one: Callable[[str, str], None]) -> None:
    """The swap commit of ``target`` (an absolute, resolved path): ``write`` (name, text) pairs
    are written with ``write_one(path, text)``; entries of the old tree that ``keep_out()`` (asked
    under the lock) names, the pruned files, are not carried over, nor the replaced ones.
    CommitError when the swap cannot be used (nothing changed then); OSError for a write that
    failed (nothing changed). The switch itself waits for a SIGTERM/SIGINT to pass (signals)."""
    parent = os.path.dirname(target)
    sweep(parent)
    with staging_dir(parent) as new:
        names = set()
        for name, text in write:
            write_one(os.path.join(new, name), text)
            names.add(name)
        crash_point("staged")
        with locked(lock_dir_of(target)), signals.deferred():
            exists = os.path.isdir(target)
            if exists:
                replay(target)  # a journal commit a kill cut short is finished first
            left_out = names | keep_out()
            for entry in sorted(os.listdir(target)) if exists else []:
                if entry not in left_out and not entry.startswith(PREFIX):
                    _carry(os.path.join(target, entry), os.path.join(new, entry))
            _match_dir(new, target)
            crash_point("carried")
            _renameat2(new, target, _RENAME_EXCHANGE if exists else _RENAME_NOREPLACE)
            crash_point("switched")


def journal_commit(target: str, staged: str, names: list[str], prune: list[str]) -> None:
    """The journal commit (caller holds ``target``'s lock): record, then rename and delete."""
    import json

    fd, tmp = locked_temp(target)
    try:
        with os.fdopen(os.dup(fd), "w", encoding="utf-8") as fh:
            json.dump({"staging": os.path.basename(staged), "rename": names,
                       "prune": [os.path.basename(p) for p in prune]}, fh)
        os.rename(tmp, os.path.join(target, JOURNAL))
    finally:
        os.close(fd)
    crash_point("journaled")
    replay(target)


def replay(target: str) -> bool:
    """Finish the commit a journal in ``target`` records (caller holds ``target``'s lock); True
    when there was one. Renames whose staged file is gone were made; deletions are idempotent."""
    import json

    path = os.path.join(target, JOURNAL)
    try:
        with open(path, encoding="utf-8") as fh:
            entry = json.load(fh)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # a journal is renamed into place whole: this one is not kvnet's
        unlink_quiet(path)
        return False
    staged = os.path.join(target, os.path.basename(str(entry.get("staging", ""))))
    for i, name in enumerate(_names(entry.get("rename"))):
        src = os.path.join(staged, name)
        if os.path.lexists(src):
            os.rename(src, os.path.join(target, name))
        crash_point(f"renamed-{i}")
    for name in _names(entry.get("prune")):
        unlink_quiet(os.path.join(target, name))
    unlink_quiet(path)
    return True


def _names(value: object) -> list[str]:
    """Plain file names from a journal list (anything else is skipped)."""
    items = value if isinstance(value, list) else []
    return [n for n in items if isinstance(n, str) and n and "/" not in n and n not in (".", "..")
            and "\0" not in n]

