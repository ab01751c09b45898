"""``kvnet schema``: print (or write) the NetworkPlan JSON Schema."""

from __future__ import annotations

import os

import click

from kvnet.commands.common import write_stdout
from kvnet.output import make_dirs, write_file
from kvnet.resources import read_schema

SCHEMA_FILE = "networkplan.json"
# The file name `kvnet init` gives its local copy (beside the plan it writes).
LOCAL_SCHEMA_NAME = "networkplan.schema.json"


def schema_text() -> str:
    """The NetworkPlan JSON Schema shipped in the package (``kvnet/schemas/networkplan.json``)."""
    text = read_schema(SCHEMA_FILE)
    return text if text.endswith("\n") else text + "\n"


def write_schema(path: str) -> None:
    """Write :func:`schema_text` to ``path`` whole (kvnet.output.write_file: a safe temporary
    file renamed over it)."""
    make_dirs(os.path.dirname(path))
    write_file(path, schema_text())


def package_schema_path() -> str | None:
    """The schema's path inside the installed package, when it is a plain file (not in a zip)."""
    from importlib import resources

    ref = resources.files("kvnet").joinpath("schemas").joinpath(SCHEMA_FILE)
    path = os.fspath(ref) if isinstance(ref, os.PathLike) else None
    return path if path and os.path.isfile(path) else None


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the schema to this file (for editors: point yaml-language-server at it).")
@click.option("--path", "show_path", is_flag=True,
              help="Print the path of the schema file inside the installed kvnet package instead.")
def schema(output: str | None, show_path: bool) -> int:
    """Print the NetworkPlan JSON Schema (for yaml-language-server and editors).

    In a plan, `# yaml-language-server: $schema=<file>` makes editors complete and check it
    (a relative <file> is resolved from the plan's directory).
    """
    if output and show_path:
        raise click.UsageError("-o and --path exclude each other")
    if show_path:
        path = package_schema_path()
        if path is None:
            click.echo("kvnet: the installed package keeps its schema in an archive; use kvnet schema -o FILE",
                       err=True)
            return 1
        write_stdout(path + "\n")
    elif output:
        write_schema(output)
        click.echo(f"kvnet: wrote {output}", err=True)
    else:
        write_stdout(schema_text())
    return 0
