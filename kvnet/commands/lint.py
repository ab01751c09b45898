"""``kvnet lint``: kvnet's rules on existing Kubernetes manifests (SPEC §8)."""

from __future__ import annotations

import click

from kvnet.commands.common import STRICT_NOTE, fails_strict, format_option, print_report, strict_option


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-r", "--recursive", is_flag=True, help="Read directories recursively.")
@click.option("--distribution", default=None, help="Check Multus DaemonSets against this distribution's profile.")
@strict_option
@format_option
def lint(paths: tuple[str, ...], recursive: bool, distribution: str | None, strict: bool, fmt: str) -> int:
    """Check Kubernetes manifests (NADs, VMs, VMIs, VM pools, Multus, the NAD CRD) with kvnet's rules.

    PATH: files, directories (their *.yaml/*.yml; -r: recursively), or - for stdin.
    Kinds kvnet does not know are skipped. The report goes to stdout in every format; a text
    report ends with a summary line (N plans, N objects: N errors, N warnings), as validate's.
    """
    from kvnet.diagnostics import Report
    from kvnet.lint import lint_documents
    from kvnet.lint.sources import load_inputs
    from kvnet.options import DEFAULT_KUBE_VERSION, check_options
    from kvnet.reporters import summary_line

    problem = check_options(DEFAULT_KUBE_VERSION, (), distribution)
    if problem:
        raise click.UsageError(problem)
    docs, load_problems = load_inputs(paths, recursive)
    result = lint_documents(docs, distribution)
    diags = Report(load_problems + result.diagnostics).sorted()
    print_report(diags, fmt, summary_line(result.plans, result.objects, diags))
    code = result.exit_code() if not load_problems else (2 if any(d.code == "KV000" for d in diags) else 1)
    if code == 0 and fails_strict(diags, strict):
        click.echo(STRICT_NOTE, err=True)
        return 1
    return code
