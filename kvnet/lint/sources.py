"""What ``kvnet lint`` and ``kvnet import`` read: files, directories (recursively with ``-r``)
and ``-`` for stdin, loaded with positions (SPEC §8)."""

from __future__ import annotations

from typing import Sequence

from kvnet.diagnostics import Diagnostic
from kvnet.input.args import STDIN, STDIN_NAME, expand, read_stdin
from kvnet.input.discover import UNREADABLE, discover, load_sources
from kvnet.input.loader import Document


def load_inputs(paths: Sequence[str], recursive: bool = False) -> tuple[list[Document], list[Diagnostic]]:
    """Documents of ``paths`` (default ``.``) and the problems reading them (KV000: exit 2).

    A file that is not YAML is a finding of its own; the other files are still read.
    """
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    files: list[str] = []
    for arg in expand(paths or ["."], recursive):
        if arg == STDIN:
            got, problems = read_stdin()
            docs.extend(got)
            diags.extend(problems)
        else:
            files.append(arg)
    if files:
        sources, problems = discover(files)
        diags.extend(problems)
        got, problems = load_sources(sources)
        docs.extend(got)
        diags.extend(problems)
    return docs, diags


__all__ = ["STDIN", "STDIN_NAME", "UNREADABLE", "load_inputs"]
