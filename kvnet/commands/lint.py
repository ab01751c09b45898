"""``kvnet lint``: kvnet's rules on existing Kubernetes manifests (SPEC §8)."""

from __future__ import annotations

import click

from kvnet.commands.common import STRICT_NOTE, format_option, ignore_option, print_report, strict_option
from kvnet.diagnostics import Report
from kvnet.exitcodes import PROBLEMS, exit_code, fails_strict
from kvnet.lint import lint_documents
from kvnet.lint.sources import load_inputs
from kvnet.options import DEFAULT_KUBE_VERSION
from kvnet.reporters import summary_line
from kvnet.suppress import apply, read_texts
from kvnet.usage import check_options


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-r", "--recursive", is_flag=True, help="Read directories recursively.")
@click.option("--distribution", default=None, help="Check Multus DaemonSets against this distribution's profile.")
@strict_option
@ignore_option
@format_option
def lint(paths: tuple[str, ...], recursive: bool, distribution: str | None, strict: bool, ignore: tuple[str, ...],
         fmt: str) -> int:
    """Check Kubernetes manifests (NADs, VMs, VMIs, VM pools, Multus, the NAD CRD) with kvnet's rules.

    PATH: files, directories (their *.yaml/*.yml; -r: recursively), or - for stdin.
    Kinds kvnet does not know are skipped. The report goes to stdout in every format; a text
    report ends with a summary line (N plans, N objects: N errors, N warnings), as validate's.
    """
    problem = check_options(DEFAULT_KUBE_VERSION, (), distribution)
    if problem:
        raise click.UsageError(problem)
    docs, load_problems = load_inputs(paths, recursive)
    result = lint_documents(docs, distribution)
    texts = read_texts((f, f) for f in sorted({d.file for d in docs}))
    diags = apply(Report(load_problems + result.diagnostics).sorted(), ignore, texts)
    print_report(diags, fmt, summary_line(result.plans, result.objects, diags))
    code = exit_code(diags)
    if code == 0 and fails_strict(diags, strict):
        click.echo(STRICT_NOTE, err=True)
        return PROBLEMS
    return code
