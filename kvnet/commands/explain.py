"""``kvnet explain`` and ``kvnet graph``: the compiled plan for people."""

from __future__ import annotations

from typing import Any

import click

from kvnet.commands.common import format_option, report, write_stdout
from kvnet.options import DEFAULT_KUBE_VERSION


def _compiled(paths: tuple[str, ...], fmt: str) -> Any:
    from kvnet.pipeline import BuildOptions, compile_paths

    result = compile_paths(list(paths), BuildOptions(kube_version=DEFAULT_KUBE_VERSION))
    report(result.diagnostics, fmt)
    return result


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "out_fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="A text table or JSON rows.")
@format_option
def explain(paths: tuple[str, ...], out_fmt: str, fmt: str) -> int:
    """Print a table: VM x interface -> network, type, binding, address and where it comes
    from, MAC, default route (read from the compiled output)."""
    from kvnet.views.explain import render_json, render_text, rows

    result = _compiled(paths, fmt)
    if not result.ok:
        return int(result.exit_code)
    table = rows(result.plans, result.objects)
    write_stdout(render_json(table) if out_fmt == "json" else render_text(table))
    return 0


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "out_fmt", type=click.Choice(("dot", "mermaid")), default="dot", show_default=True,
              help="Graphviz DOT (render with 'dot -Tsvg') or a Mermaid flowchart.")
@format_option
def graph(paths: tuple[str, ...], out_fmt: str, fmt: str) -> int:
    """Write the topology (VMs, NADs, networks, node bridges and uplinks) as DOT or Mermaid."""
    from kvnet.views.graph import to_dot, to_mermaid, topology

    result = _compiled(paths, fmt)
    if not result.ok:
        return int(result.exit_code)
    topo = topology(result.plans, result.objects)
    write_stdout(to_mermaid(topo) if out_fmt == "mermaid" else to_dot(topo))
    return 0
