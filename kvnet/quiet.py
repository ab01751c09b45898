"""``-q/--quiet``, taken by the group (``kvnet -q validate``) and by every reporting command.

Kept apart from :mod:`kvnet.commands.common` so that :mod:`kvnet.cli` loads only click for it.
"""

from __future__ import annotations

from typing import Any, Callable

import click

QUIET_KEY = "kvnet.quiet"


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[QUIET_KEY] = True


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``-q/--quiet`` (also taken before the command: ``kvnet -q validate``): diagnostics only,
    no summary line or progress notes; the exit code is unchanged."""
    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet, is_eager=True,
                        help="Only the diagnostics: no summary line or notes.")(f)


def quiet() -> bool:
    """Whether -q/--quiet was given (to the command or before it)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(QUIET_KEY))
