"""A loaded YAML document: its data and the position of every value and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc

PathT = tuple[Any, ...]


@dataclass
class Document:
    """One YAML document: its data and where each value (and each key) sits."""

    file: str  # path as shown to the user in diagnostics
    index: int  # document index within the file
    data: Any
    source: str = ""  # path relative to the plan root (kvnet.dev/source)
    values: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    # KV106/KV107 values found by a lenient load (``strict_values=False``), by path
    suspect_values: dict[PathT, Diagnostic] = field(default_factory=dict)

    def loc(self, path: PathT, key: bool = False) -> Loc:
        """Position of ``path``; falls back to the nearest enclosing node."""
        table = self.keys if key else self.values
        p = tuple(path)
        while True:
            pos = table.get(p)
            if pos is None and key:
                pos = self.values.get(p)
            if pos is not None:
                return Loc(self.file, pos[0], pos[1])
            if not p:
                return Loc(self.file, 1, 1)
            p = p[:-1]


class LoadError(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag
