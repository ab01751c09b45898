"""Problems as values: every check returns Diagnostics instead of raising."""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any, Callable

from kvnet.codes import Severity, lookup

__all__ = ["Diagnostic", "LazyLoc", "Loc", "Report", "Severity", "error", "warning", "diagnostic", "shorten"]

MAX_MESSAGE = 1000  # characters of a message or hint; input values are echoed in them (a 1 MB name)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was (for echoing input values)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


@dataclass(frozen=True, order=True)
class Loc:
    """A position in an input file: 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class LazyLoc(Loc):
    """A :class:`Loc` looked up by ``find()`` the first time its file, line or column is read.

    Rules and expansion give a position to every element they might report on (a VM's name, an
    interface's ``state``); almost none is ever read, and looking one up walks the kept YAML node
    graph (kvnet.input.document), which for 5,000 VMs cost ~10% of ``kvnet build``. Equal to,
    hashed and ordered as the Loc it stands for."""

    def __init__(self, find: Callable[[], Loc]) -> None:
        object.__setattr__(self, "_find", find)
        object.__setattr__(self, "_found", None)

    def _loc(self) -> Loc:
        found: Loc | None = self.__dict__["_found"]
        if found is None:
            found = self.__dict__["_find"]()
            object.__setattr__(self, "_found", found)
        return found

    @property  # type: ignore[override]
    def file(self) -> str:
        return self._loc().file

    @property  # type: ignore[override]
    def line(self) -> int:
        return self._loc().line

    @property  # type: ignore[override]
    def column(self) -> int:
        return self._loc().column

    def _key(self) -> tuple[str, int, int]:
        loc = self._loc()
        return (loc.file, loc.line, loc.column)

    def __eq__(self, other: Any) -> bool:
        return self._key() == (other.file, other.line, other.column) if isinstance(other, Loc) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Any) -> bool:
        return self._key() < (other.file, other.line, other.column) if isinstance(other, Loc) else NotImplemented

    def __le__(self, other: Any) -> bool:
        return self._key() <= (other.file, other.line, other.column) if isinstance(other, Loc) else NotImplemented

    def __gt__(self, other: Any) -> bool:
        return self._key() > (other.file, other.line, other.column) if isinstance(other, Loc) else NotImplemented

    def __ge__(self, other: Any) -> bool:
        return self._key() >= (other.file, other.line, other.column) if isinstance(other, Loc) else NotImplemented

    def __repr__(self) -> str:
        loc = self._loc()
        return f"Loc(file={loc.file!r}, line={loc.line!r}, column={loc.column!r})"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: severity (from the registry), code, a message naming the offending value,
    where it stands (``file:line:column``, or ``file`` plus ``field`` for plans an orchestrator
    re-serialised), and an optional hint. Rendered by :mod:`kvnet.reporters`."""

    severity: Severity
    code: str
    message: str
    file: str = "<input>"
    line: int = 1
    column: int = 1
    hint: str | None = None
    field: str | None = None  # field path (``spec.networks[0].subnet``) when line/column are meaningless
    #: the plan element it is about, for callers that filter by it: ``("network", name)``
    about: tuple[str, str] | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def diagnostic(code: str, message: str, loc: Loc | None = None, hint: str | None = None) -> Diagnostic:
    """A Diagnostic of ``code`` with the severity the registry (:mod:`kvnet.codes`) gives it.

    ``message`` names the offending value; ``loc`` is where it stands (``<input>`` when unknown).
    Raises KeyError for an unregistered code (a kvnet bug, caught by the registry test).
    """
    loc = loc or Loc("<input>")
    hint = shorten(hint, MAX_MESSAGE) if hint is not None else None
    return Diagnostic(lookup(code).severity, code, shorten(message, MAX_MESSAGE), loc.file, loc.line, loc.column,
                      hint)


def _of(severity: Severity, code: str, message: str, loc: Loc | None, hint: str | None) -> Diagnostic:
    d = diagnostic(code, message, loc, hint)
    if d.severity is not severity:
        raise ValueError(f"{code} is registered as {d.severity.value}, reported as {severity.value}")
    return d


def error(code: str, message: str, loc: Loc | None = None, hint: str | None = None) -> Diagnostic:
    """:func:`diagnostic` for a code the registry lists as an error (ValueError otherwise)."""
    return _of(Severity.ERROR, code, message, loc, hint)


def warning(code: str, message: str, loc: Loc | None = None, hint: str | None = None) -> Diagnostic:
    """:func:`diagnostic` for a code the registry lists as a warning (ValueError otherwise)."""
    return _of(Severity.WARNING, code, message, loc, hint)


@dataclass
class Report:
    """Diagnostics collected over one run."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.diagnostics.append(diag)

    def extend(self, diags: "list[Diagnostic] | tuple[Diagnostic, ...]") -> None:
        self.diagnostics.extend(diags)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        seen: set[Diagnostic] = set()
        out: list[Diagnostic] = []
        for d in sorted(self.diagnostics, key=Diagnostic.sort_key):
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out
