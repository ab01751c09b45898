"""``kvnet schema``: print the NetworkPlan JSON Schema."""

from __future__ import annotations

import click

from kvnet.commands.common import write_stdout


@click.command()
def schema() -> int:
    """Print the NetworkPlan JSON Schema (for yaml-language-server and editors)."""
    from kvnet.resources import read_schema

    text = read_schema("networkplan.json")
    write_stdout(text if text.endswith("\n") else text + "\n")
    return 0
