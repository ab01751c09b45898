"""``kvnet lint``: kvnet's rules on existing Kubernetes manifests (SPEC §8)."""

from __future__ import annotations

import click

from kvnet.commands.common import format_option, resolve_format, write_stdout


def summary(files: int, objects: int, errors: int, warnings: int) -> str:
    """The last line of a text report (SPEC §5)."""
    return (f"{files} file{'s' * (files != 1)}, {objects} object{'s' * (objects != 1)}: "
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-r", "--recursive", is_flag=True, help="Read directories recursively.")
@click.option("--distribution", default=None, help="Check Multus DaemonSets against this distribution's profile.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@format_option
def lint(paths: tuple[str, ...], recursive: bool, distribution: str | None, strict: bool, fmt: str) -> int:
    """Check Kubernetes manifests (NADs, VMs, VMIs, VM pools, Multus, the NAD CRD) with kvnet's rules.

    PATH: files, directories (their *.yaml/*.yml; -r: recursively), or - for stdin.
    Kinds kvnet does not know are skipped. The report goes to stdout.
    """
    from kvnet.diagnostics import Report
    from kvnet.lint import lint_documents
    from kvnet.lint.sources import load_inputs
    from kvnet.options import DEFAULT_KUBE_VERSION, check_options
    from kvnet.reporters import render

    problem = check_options(DEFAULT_KUBE_VERSION, (), distribution)
    if problem:
        raise click.UsageError(problem)
    docs, load_problems = load_inputs(paths, recursive)
    result = lint_documents(docs, distribution)
    result.diagnostics = Report(load_problems + result.diagnostics).sorted()
    result.files = max(result.files, len({d.file for d in load_problems}))
    fmt = resolve_format(fmt)
    text = render(fmt, result.diagnostics)
    if fmt == "text":
        errors = sum(d.is_error for d in result.diagnostics)
        text += summary(result.files, result.objects, errors, len(result.diagnostics) - errors)
    write_stdout(text)
    return result.exit_code(strict)
