"""``kvnet init``: write a commented starter kvnet.yaml (and the schema editors read)."""

from __future__ import annotations

import os

import click

from kvnet.commands.schema import LOCAL_SCHEMA_NAME, write_schema
from kvnet.output import make_dirs, write_file
from kvnet.resources import read_data

MODELINE = "# yaml-language-server: $schema="


def starter_plan(schema_ref: str) -> str:
    """The starter plan, its first line pointing yaml-language-server at ``schema_ref``."""
    text = read_data("starter-kvnet.yaml")
    if text.startswith(MODELINE):
        text = text.partition("\n")[2]
    return f"{MODELINE}{schema_ref}\n{text}"


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing kvnet.yaml.")
@click.option("--schema-ref", metavar="PATH|URL", default=None,
              help=f"Point the plan's schema comment here and write no {LOCAL_SCHEMA_NAME} "
                   "(e.g. a copy shared by many plans, written by `kvnet schema -o`).")
def init(directory: str, force: bool, schema_ref: str | None) -> int:
    """Write a commented starter kvnet.yaml into DIRECTORY (default: .).

    Beside it goes networkplan.schema.json (what `kvnet schema` prints), which the plan's first
    line, `# yaml-language-server: $schema=networkplan.schema.json`, points editors at.
    """
    path = os.path.join(directory, "kvnet.yaml")
    if os.path.exists(path) and not force:
        click.echo(f"kvnet: {path} exists; pass --force to overwrite it", err=True)
        return 1
    make_dirs(directory)
    wrote = [path]
    if schema_ref is None:
        schema_ref = LOCAL_SCHEMA_NAME
        write_schema(os.path.join(directory, LOCAL_SCHEMA_NAME))
        wrote.append(os.path.join(directory, LOCAL_SCHEMA_NAME))
    write_file(path, starter_plan(schema_ref))
    click.echo(f"wrote {' and '.join(wrote)}; next: kvnet build {directory}", err=True)
    return 0
