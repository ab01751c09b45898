"""What every adapter's ``run(inputs, BuildOptions)`` returns; the command writes it."""

from __future__ import annotations

from kvnet.record import dataclass, field

from kvnet.diagnostics import Diagnostic


@dataclass
class Outcome:
    """One adapter run: ``stdout`` (the whole result, written in one go), ``diagnostics`` (rendered
    to stderr by :mod:`kvnet.reporters`), ``exit_code`` (from :mod:`kvnet.exitcodes`).

    ``notes``: plain lines for stderr before the diagnostics (Argo CD's failure line, say);
    ``files``: path -> content the command writes (``check-rendered --fix``).
    """

    stdout: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
