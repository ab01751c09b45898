"""The two sides of ``kvnet diff``: git revisions read with git itself, or files/directories.

A revision is read with ``git ls-tree`` and ``git archive`` into a private temporary
directory, never through the work tree (no checkout, no index change, no stash). Only what a
compile of PATH reads is taken: a directory's own files (not recursive, as
:func:`kvnet.input.discover.discover` reads it, ``kvnet.lock`` included), a file and the
files beside it (its ``kvnet.lock``). Positions in files read from a revision are shown as the
path the user gave (relative to the current directory), so both sides name files alike.

Problems are Diagnostics (KV400 unknown revision, KV401 not in a git repository, KV402 git
failed), never exceptions, except :class:`SideError` raised inside this module.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from kvnet.record import dataclass, field
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Loc, error

WORK_TREE = "the work tree"
GIT_TIMEOUT_S = 60


@dataclass
class Side:
    """One side of a diff: ``label`` names it in messages (``base origin/main``), ``paths`` are
    what to compile (empty with ``missing``: PATH did not exist there, so everything is new or
    gone), ``found`` the PATHs as the user gave them that exist on this side, ``tmp`` the private
    copy to remove, ``prefix`` -> ``shown`` maps file names in it back to what the user sees."""

    label: str
    paths: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    tmp: str | None = None
    prefix: str | None = None
    shown: str = ""
    missing: bool = False

    def show(self, file: str) -> str:
        """``file`` (as the compile named it) as the user sees it."""
        if self.prefix and (file == self.prefix or file.startswith(self.prefix + os.sep)):
            rest = os.path.relpath(file, self.prefix)
            return os.path.normpath(os.path.join(self.shown, rest)) if self.shown else rest
        return file

    def close(self) -> None:
        """Remove the private copy (safe to call twice)."""
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


class SideError(Exception):
    """A side cannot be read; ``diag`` says why."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def _git(top: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C top ARGS`` (no pager, no prompts, C locale); output as bytes."""
    env = dict(os.environ, GIT_PAGER="cat", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        return subprocess.run(["git", "-C", top, *args], capture_output=True, env=env, timeout=GIT_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise SideError(error("KV402", "git is not installed (kvnet diff reads revisions with git)",
                              Loc(top), hint="install git, or compare two directories: kvnet diff OLD --to NEW")
                        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise SideError(error("KV402", f"git {args[0]} took over {GIT_TIMEOUT_S} s", Loc(top))) from exc


def repository(path: str) -> str:
    """The top directory of the git work tree holding ``path`` (KV401 when there is none)."""
    d = path if os.path.isdir(path) else (os.path.dirname(path) or ".")
    probe = d
    while not os.path.isdir(probe):  # a path deleted in the work tree: ask its nearest existing parent
        probe = os.path.dirname(probe) or "."
    res = _git(probe, "rev-parse", "--show-toplevel")
    if res.returncode != 0:
        raise SideError(error("KV401", f"{os.path.normpath(path)!r} is not in a git repository",
                              Loc(os.path.normpath(path)),
                              hint="run kvnet diff inside a git work tree, or compare two directories: "
                                   "kvnet diff OLD --to NEW"))
    return os.path.realpath(res.stdout.decode().strip())


def in_repository(path: str) -> bool:
    """Whether ``path`` (or its nearest existing parent) lies in a git work tree."""
    try:
        repository(path)
    except SideError:
        return False
    return True


def missing_pair(base: str, to: str) -> Diagnostic | None:
    """KV000 for ``kvnet diff OLD --to NEW`` where one of the two is no file or directory and the
    other lies in no git repository: neither can then name a revision (the default base HEAD
    and ``--to REV`` are revisions of the repository PATHS are in), so the missing one is the
    problem, not the repository of the other (KV401)."""
    if os.path.exists(base) and not os.path.lexists(to):
        here, gone, what = base, to, f"--to {to!r}"
    elif os.path.exists(to) and not os.path.lexists(base):
        here, gone, what = to, base, repr(base)
    else:
        return None
    if in_repository(here):
        return None  # a revision, then: git says whether it exists (KV400)
    return error("KV000", f"{what}: no such file or directory, nor a revision: {os.path.normpath(here)!r} is in no "
                 "git repository", Loc(os.path.normpath(gone)),
                 hint="kvnet diff OLD --to NEW compares two existing files or directories; check the path")


def commit(top: str, rev: str, what: str) -> str:
    """The commit id ``rev`` names in the repository at ``top`` (KV400 when it names none)."""
    if rev.startswith("-"):
        res = None
    else:
        res = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}")
    if res is None or res.returncode != 0:
        raise SideError(error("KV400", f"{what} revision {rev!r} does not exist in the git repository {top}",
                              Loc(top), hint="give a branch, tag or commit git knows ('git log' lists them); "
                                             "fetch it first in a shallow CI checkout (fetch-depth: 0)"))
    return res.stdout.decode().strip()


def _tree_files(top: str, sha: str, rel: str) -> tuple[list[str], bool]:
    """The files a compile of ``rel`` reads at commit ``sha`` (top-relative, '/'-separated), and
    whether ``rel`` is there at all."""
    entry = _git(top, "ls-tree", "-z", sha, "--", rel) if rel not in ("", ".") else None
    if entry is not None:
        if entry.returncode != 0:
            raise SideError(error("KV402", f"git ls-tree failed: {entry.stderr.decode().strip()}", Loc(rel)))
        if not entry.stdout:
            return [], False
        kind = entry.stdout.decode().split(" ", 2)[1]
        folder = rel if kind == "tree" else (os.path.dirname(rel) or ".")
    else:
        folder = "."
    spec = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    listing = _git(top, "ls-tree", "-z", sha, "--", spec) if spec else _git(top, "ls-tree", "-z", sha)
    files = []
    for item in listing.stdout.decode().split("\0"):
        if not item:
            continue
        meta, _, name = item.partition("\t")
        mode, kind = meta.split(" ")[:2]
        if kind == "blob" and mode in ("100644", "100755"):
            files.append(name)
    return files, True


def _extract(top: str, sha: str, files: Sequence[str], dest: str) -> None:
    """Write ``files`` of commit ``sha`` under ``dest`` (regular files only, names checked)."""
    if not files:
        return
    res = _git(top, "archive", "--format=tar", sha, "--", *files)
    if res.returncode != 0:
        raise SideError(error("KV402", f"git archive failed: {res.stderr.decode().strip()}", Loc(top)))
    with tarfile.open(fileobj=io.BytesIO(res.stdout)) as tar:
        for member in tar.getmembers():
            name = os.path.normpath(member.name)
            if not member.isfile() or name.startswith(("..", "/")):
                continue
            target = os.path.join(dest, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            src = tar.extractfile(member)
            if src is not None:
                with open(target, "wb") as out:
                    out.write(src.read())


def read_revision(paths: Sequence[str], rev: str, label: str) -> Side:
    """PATHs (files or directories, relative to the current directory) as they are at ``rev``."""
    tops = {repository(p) for p in paths}
    if len(tops) > 1:
        raise SideError(error("KV401", "the paths are in different git repositories: " + ", ".join(sorted(tops)),
                              Loc(paths[0]), hint="diff one repository at a time"))
    top = tops.pop()
    sha = commit(top, rev, label.split(" ")[0])
    tmp = tempfile.mkdtemp(prefix="kvnet-diff-")
    side = Side(label=f"{label} {rev}", tmp=tmp, prefix=tmp, shown=_shown_top(top))
    try:
        wanted: list[str] = []
        for p in paths:
            rel = os.path.relpath(os.path.realpath(p) if os.path.exists(p) else os.path.abspath(p), top)
            rel = "." if rel == "." else rel.replace(os.sep, "/")
            files, present = _tree_files(top, sha, rel)
            if present:
                wanted.extend(files)
                side.paths.append(os.path.join(tmp, rel))
                side.found.append(p)
        _extract(top, sha, sorted(set(wanted)), tmp)
    except BaseException:
        side.close()
        raise
    side.missing = not side.paths
    return side


def _shown_top(top: str) -> str:
    """The repository top as the user names it from the current directory ('' for here)."""
    rel = os.path.relpath(top, os.getcwd())
    return "" if rel == "." else rel


def work_tree(paths: Sequence[str]) -> Side:
    """PATHs as they are on disk now (the head side by default). A PATH deleted in the work tree
    is left out, as :func:`read_revision` leaves out one a revision lacks: its objects are gone
    (``prune``: Argo CD deletes what the app's path no longer renders); :func:`check_found`
    refuses a PATH neither side has."""
    found = [p for p in paths if os.path.lexists(p)]
    return Side(label=WORK_TREE, paths=found, found=found, missing=not found)


def deleted_path(arg: str) -> bool:
    """Whether ``arg`` (a first argument that is no file or directory here) is a path deleted in
    the work tree rather than a revision: not a revision git knows, but a path in ``HEAD``
    (``kvnet diff clusters/old`` after ``rm -r clusters/old``: the base is then HEAD, as for
    any PATH)."""
    if os.path.lexists(arg) or arg.startswith("-"):
        return False
    try:
        top = repository(arg)
        if _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", arg + "^{commit}").returncode == 0:
            return False
        rel = os.path.relpath(os.path.abspath(arg), top).replace(os.sep, "/")
        return not rel.startswith("../") and _git(top, "cat-file", "-e", f"HEAD:{rel}").returncode == 0
    except SideError:
        return False


def check_found(paths: Sequence[str], base: Side, head: Side) -> None:
    """KV000 (exit 2) for the first PATH that neither side has: a typo, not a deletion."""
    for p in paths:
        if p not in base.found and p not in head.found:
            raise SideError(error("KV000", f"no such file or directory in {base.label} nor in {head.label}",
                                  Loc(os.path.normpath(p)),
                                  hint="check the path: give a plan file (kvnet.yaml) or its directory"))


def directory(path: str, label: str) -> Side:
    """A file or directory compared as it is (``kvnet diff OLD --to NEW``)."""
    return Side(label=f"{label} {os.path.normpath(path)}", paths=[path])
