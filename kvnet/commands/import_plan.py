"""``kvnet import``: existing NADs and VMs as a NetworkPlan on stdout (SPEC §8)."""

from __future__ import annotations

import click

from kvnet.commands.common import format_option, report, write_stdout
from kvnet.diagnostics import Report
from kvnet.exitcodes import OK, PROBLEMS, exit_code
from kvnet.importer import import_documents, to_yaml
from kvnet.importer.prepare import drop_server_fields, set_namespace
from kvnet.importer.selfcheck import refused
from kvnet.lint.sources import load_inputs


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-r", "--recursive", is_flag=True, help="Read directories recursively.")
@click.option("-n", "--namespace", default=None,
              help="The namespace of objects that name none (as kubectl apply -n): their VMs' NADs are found there.")
@format_option
def import_plan(paths: tuple[str, ...], recursive: bool, namespace: str | None, fmt: str) -> int:
    """Write a NetworkPlan reproducing the NADs and VMs of PATH... (files, directories, - for stdin).

    Warnings name what the plan cannot express; input with lint errors is refused with them, and
    so is a VM interface the plan would lose (KV053). Fields the API server and KubeVirt set
    (last-applied-configuration, firmware UUID, ...) are left out.
    """
    docs, problems = load_inputs(paths, recursive)
    drop_server_fields(docs)
    if namespace:
        set_namespace(docs, namespace)
    result = import_documents(docs) if not any(p.is_error for p in problems) else None
    text = to_yaml(result.plans) if result is not None and result.ok else ""
    if result is not None and text:  # never a plan build refuses (an exit 0 that only fails later)
        result.diagnostics.extend(refused(result.plans, text, docs))
    diags = Report(problems + (result.diagnostics if result else [])).sorted()
    report(diags, fmt)
    if result is None or not result.ok:
        return exit_code(diags)
    if not result.plans:
        click.echo("kvnet import: no NetworkAttachmentDefinition or VirtualMachine a NetworkPlan can express "
                   "was found", err=True)
        return PROBLEMS
    write_stdout(text)
    return OK
