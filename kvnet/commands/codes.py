"""``kvnet codes``: the diagnostic codes of the registry (:mod:`kvnet.codes`), for people and tools."""

from __future__ import annotations

import json

import click

from kvnet.codes import CODES
from kvnet.commands.common import write_stdout


@click.command()
@click.option("-o", "--output", "out_fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="A text table or a JSON list of {code, severity, summary, spec}.")
@click.argument("code", nargs=-1)
def codes(out_fmt: str, code: tuple[str, ...]) -> int:
    """List every diagnostic code kvnet reports: code, severity, summary, SPEC section.

    CODE...: only these (KV210 kv210 both work); an unknown one is a usage error (exit 2).
    """
    table = CODES
    wanted = [c.upper() for c in code] or sorted(table)
    unknown = [c for c in wanted if c not in table]
    if unknown:
        raise click.UsageError(f"unknown code {', '.join(unknown)} (kvnet codes lists them)")
    rows = [table[c] for c in wanted]
    if out_fmt == "json":
        write_stdout(json.dumps([{"code": r.code, "severity": r.severity.value, "summary": r.summary,
                                  "spec": r.spec or None} for r in rows], indent=2, ensure_ascii=False) + "\n")
        return 0
    width = max(len(r.severity.value) for r in rows)
    write_stdout("".join(f"{r.code}  {r.severity.value:<{width}}  {(r.spec or '-'):<4}  {r.summary}\n" for r in rows))
    return 0
