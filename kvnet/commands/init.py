"""``kvnet init``: write a commented starter kvnet.yaml."""

from __future__ import annotations

import os

import click


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing kvnet.yaml.")
def init(directory: str, force: bool) -> int:
    """Write a commented starter kvnet.yaml into DIRECTORY (default: .)."""
    from kvnet.resources import read_data

    path = os.path.join(directory, "kvnet.yaml")
    if os.path.exists(path) and not force:
        click.echo(f"kvnet: {path} exists; pass --force to overwrite it", err=True)
        return 1
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(read_data("starter-kvnet.yaml"))
    click.echo(f"wrote {path}; next: kvnet build {directory}", err=True)
    return 0
