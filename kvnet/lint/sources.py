"""What ``kvnet lint`` and ``kvnet import`` read: files, directories (recursively with ``-r``)
and ``-`` for stdin, loaded with positions (SPEC §8)."""

from __future__ import annotations

from typing import Sequence

from kvnet.diagnostics import Diagnostic
from kvnet.input.args import STDIN, STDIN_NAME
from kvnet.input.discover import UNREADABLE
from kvnet.input.loader import Document
from kvnet.pipeline.front import read_paths


def load_inputs(paths: Sequence[str], recursive: bool = False) -> tuple[list[Document], list[Diagnostic]]:
    """Documents of ``paths`` (default ``.``) and the problems reading them (KV000: exit 2), read
    as build reads them (:func:`kvnet.pipeline.front.read_paths`), stdin's documents first.

    A file that is not YAML, or a path that cannot be found, is a finding of its own; the
    other files are still read.
    """
    read = read_paths(paths, recursive, keep_going=True)
    return read.docs, read.diagnostics


__all__ = ["STDIN", "STDIN_NAME", "UNREADABLE", "load_inputs"]
