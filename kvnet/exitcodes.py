"""kvnet's exit codes (SPEC §5), decided here for every command and adapter.

0 ok (warnings allowed); 1 errors in the input; 2 usage error, or input kvnet cannot read as
what it must be (a missing path, a KRM ResourceList that is not one); 3 internal error;
130 SIGINT; 143 SIGTERM (see :mod:`kvnet.signals`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kvnet.signals import EXIT_SIGINT, EXIT_SIGTERM

if TYPE_CHECKING:  # kept out at run time: kvnet.cli imports this module for `kvnet --version`
    from kvnet.diagnostics import Diagnostic

OK = 0
PROBLEMS = 1
USAGE = 2
INTERNAL = 3
SIGINT = EXIT_SIGINT
SIGTERM = EXIT_SIGTERM

# codes that say the input could not be read as what it must be: exit 2, not 1
UNREADABLE_CODES = frozenset({"KV000", "KV400", "KV401", "KV402", "KV417", "KV970", "KV980"})


def exit_code(diags: Iterable[Diagnostic], unusable_input: bool = False) -> int:
    """The exit code of a run that reported ``diags``: 0 without errors, 2 when the input was
    unreadable (``unusable_input``, or a code of UNREADABLE_CODES), 1 otherwise."""
    errors = [d for d in diags if d.is_error]
    if not errors:
        return OK
    if unusable_input or any(d.code in UNREADABLE_CODES for d in errors):
        return USAGE
    return PROBLEMS


def fails_strict(diags: Iterable[Diagnostic], strict: bool) -> bool:
    """True when ``strict`` is set and ``diags`` hold a warning: ``--strict`` (and the Argo CD
    plugin's ``strict``) make warnings fail with exit 1, as errors do (SPEC §5)."""
    return strict and any(not d.is_error for d in diags)
