"""``kvnet explain`` and ``kvnet graph``: the compiled plan for people."""

from __future__ import annotations

from kvnet.record import replace
from typing import Any, Callable, Sequence

import click

from kvnet.commands.common import format_option, report, write_stdout
from kvnet.pipeline import compile_paths
from kvnet.views.explain import render_json, render_text, rows
from kvnet.views.graph import to_dot, to_mermaid, topology


def _view(paths: tuple[str, ...], fmt: str, render: Callable[[Sequence[Any], Sequence[dict[str, Any]]], str]) -> int:
    """Compile ``paths`` (diagnostics as ``build`` reports them) and print ``render(plans, objects)``."""
    result = compile_paths(list(paths))
    # KV006's hint is build's (--allow-empty, for Argo CD): these commands show a plan, so say that
    report([replace(d, hint="give the directory or file of a NetworkPlan") if d.code == "KV006" else d
            for d in result.diagnostics], fmt)
    if not result.ok:
        return int(result.exit_code)
    write_stdout(render(result.plans, result.objects))
    return 0


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "out_fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="A text table or JSON rows.")
@format_option
def explain(paths: tuple[str, ...], out_fmt: str, fmt: str) -> int:
    """Print a table: VM x interface -> network, type, binding, address and where it comes
    from, MAC, default route (read from the compiled output)."""
    render = render_json if out_fmt == "json" else render_text
    return _view(paths, fmt, lambda plans, objects: render(rows(plans, objects)))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "out_fmt", type=click.Choice(("dot", "mermaid")), default="dot", show_default=True,
              help="Graphviz DOT (render with 'dot -Tsvg') or a Mermaid flowchart.")
@format_option
def graph(paths: tuple[str, ...], out_fmt: str, fmt: str) -> int:
    """Write the topology (VMs, NADs, networks, node bridges and uplinks) as DOT or Mermaid."""
    render = to_mermaid if out_fmt == "mermaid" else to_dot
    return _view(paths, fmt, lambda plans, objects: render(topology(plans, objects)))
