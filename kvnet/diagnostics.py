"""Problems as values: every check returns Diagnostics instead of raising."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Loc:
    """A position in an input file: 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    file: str = "<input>"
    line: int = 1
    column: int = 1
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def error(code: str, message: str, loc: Loc | None = None, hint: str | None = None) -> Diagnostic:
    loc = loc or Loc("<input>")
    return Diagnostic(Severity.ERROR, code, message, loc.file, loc.line, loc.column, hint)


def warning(code: str, message: str, loc: Loc | None = None, hint: str | None = None) -> Diagnostic:
    loc = loc or Loc("<input>")
    return Diagnostic(Severity.WARNING, code, message, loc.file, loc.line, loc.column, hint)


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
