"""Input discovery and loading (SPEC §5 PATH): which files a run reads, their documents,
and which of those are plan documents."""

from __future__ import annotations

import errno
import os
from kvnet.record import dataclass
from typing import Sequence

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.input.loader import Budget, Document, LoadError, LoadReason, iter_yaml_files, load_file
from kvnet.input.model import API_VERSION, KIND, is_plan_document

UNREADABLE = "KV000"  # exit 2: usage or unreadable input


@dataclass(frozen=True)
class Source:
    """One input file: ``path`` to read it, ``shown`` to name it in diagnostics, ``source``
    relative to the plan root (the ``kvnet.dev/source`` annotation, SPEC §6)."""

    path: str
    shown: str
    source: str



def link_problem(path: str) -> str:
    """Why the symbolic link ``path`` leads to nothing readable: a loop (ELOOP) or a dangling link."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "dangling symbolic link"

def inside(path: str, root: str) -> bool:
    """Whether ``path``, symbolic links resolved, is ``root`` or below it."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _directory(arg: str, root: str | None, sources: dict[str, Source], diags: list[Diagnostic]) -> None:
    """Add the *.yaml/*.yml files of directory ``arg`` to ``sources`` (by real path, first wins);
    KV000 for a directory that cannot be listed, an entry that is no regular file or a broken
    link, and (with ``root``) a file outside ``root``."""
    try:
        files = list(iter_yaml_files(arg))
    except OSError as exc:
        diags.append(error(UNREADABLE, f"cannot list directory: {exc.strerror or exc}", Loc(arg)))
        return
    for full in files:
        shown = os.path.normpath(full)
        if not os.path.isfile(full):
            diags.append(error(UNREADABLE, "cannot read: " + (
                link_problem(full) if os.path.islink(full) else "not a regular file"), Loc(shown)))
            continue
        if root is not None and not inside(full, root):
            diags.append(outside_repository(shown))
            continue
        rel = os.path.relpath(full, arg).replace(os.sep, "/")
        sources.setdefault(os.path.realpath(full), Source(full, shown, rel))


def _unreadable(arg: str) -> Diagnostic:
    """KV000 for a PATH argument that is neither a file nor a directory: a broken link, another
    kind of file, or nothing."""
    if os.path.islink(arg) and not os.path.exists(arg):
        return error(UNREADABLE, f"cannot read: {link_problem(arg)}", Loc(os.path.normpath(arg)))
    if os.path.exists(arg):
        return error(UNREADABLE, "cannot read: not a regular file or directory", Loc(os.path.normpath(arg)))
    return error(UNREADABLE, "no such file or directory", Loc(os.path.normpath(arg)),
                 hint="check the path: give a YAML file (a plan: kvnet.yaml) or its directory")


def discover(paths: Sequence[str], root: str | None = None) -> tuple[list[Source], list[Diagnostic]]:
    """Files named by PATH arguments: a file, or a directory's *.yaml/*.yml (not recursive).

    Sorted by (source, shown) so that argument and directory order never change the output;
    a missing or unreadable path is a KV000 diagnostic (exit 2), and so is, with ``root``
    (Argo CD: the repository), a file whose real path is outside ``root``.
    """
    sources: dict[str, Source] = {}
    diags: list[Diagnostic] = []
    for arg in paths or ["."]:
        if os.path.isdir(arg):
            _directory(arg, root, sources, diags)
        elif os.path.isfile(arg) and root is not None and not inside(arg, root):
            diags.append(outside_repository(os.path.normpath(arg)))
        elif os.path.isfile(arg):
            sources.setdefault(os.path.realpath(arg), Source(arg, os.path.normpath(arg), os.path.basename(arg)))
        else:
            diags.append(_unreadable(arg))
    ordered = sorted(sources.values(), key=lambda s: (s.source, s.shown))
    return ordered, diags


def plan_dirs(paths: Sequence[str]) -> list[str]:
    """The plan directories PATH arguments stand for (a file stands for its directory), sorted;
    for commands that work on whole directories (check-rendered, lock). A path that does not
    exist stays itself, so that reading it reports it (KV000, exit 2) instead of its parent
    directory being checked (issue 26: ``kvnet lock /nonexistent`` exited 0)."""
    dirs = set()
    for p in paths or ["."]:
        d = p if os.path.isdir(p) or not os.path.lexists(p) else (os.path.dirname(p) or ".")
        dirs.add(os.path.normpath(d))
    return sorted(dirs)


def outside_repository(shown: str) -> Diagnostic:
    """KV000 for a file whose real path leaves the Argo CD repository checkout."""
    return error(UNREADABLE, "cannot read: a symbolic link leads outside the repository", Loc(shown),
                 hint="Argo CD mode reads only files inside the repository checkout")


def load_sources(sources: Sequence[Source]) -> tuple[list[Document], list[Diagnostic]]:
    """Every document of ``sources`` (YAML with positions); a file that cannot be read is KV000."""
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    budget = Budget()  # the bounds hold for all files together (kvnet.input.bounds)
    for src in sources:
        try:
            docs.extend(load_file(src.path, src.shown, src.source, budget))
        except LoadError as exc:
            d = exc.diag
            if exc.reason is LoadReason.UNREADABLE:
                d = error(UNREADABLE, d.message, Loc(d.file, d.line, d.column), d.hint)
            diags.append(d)
            if d.code in ("KV003", "KV004"):
                break  # a run-wide bound: the other files would only repeat it
    return docs, diags


def select_plan_documents(docs: Sequence[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """Plan documents (SPEC §2); other apiVersions are ignored, non-mappings are KV005."""
    plan_docs: list[Document] = []
    diags: list[Diagnostic] = []
    for doc in docs:
        data = doc.data
        if data is None:
            continue
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
            diags.append(error("KV005", f"document {doc.index + 1} is {kind}, not a mapping", doc.loc(()),
                               hint="a plan document is a mapping with apiVersion, kind, metadata and spec"))
            continue
        if is_plan_document(data):
            plan_docs.append(doc)
        elif data.get("kind") == KIND:
            api = data.get("apiVersion")
            diags.append(warning("KV008", "NetworkPlan " + (f"with apiVersion {api!r}" if api else "without apiVersion")
                                 + " is ignored",
                                 doc.loc(("apiVersion",)), hint=f"kvnet reads apiVersion {API_VERSION}"))
    return plan_docs, diags
