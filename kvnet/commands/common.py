"""Shared pieces of the commands: the compile options, diagnostics output, writing a result."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable

import click

from kvnet.adapters.outcome import Outcome
from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.options import BuildOptions
from kvnet.reporters import DOCUMENT_FORMATS, FORMAT_CHOICES, render, resolve_format, use_colour
from kvnet.output import FdStream
from kvnet.output import write_stdout as output_write_stdout
from kvnet.quiet import quiet, quiet_option
from kvnet.rendering import Rendered, stream_text, write_stream
from kvnet.suppress import ignore_problem, split_codes
from kvnet.usage import check_options

DEFAULTS = BuildOptions()


def note(message: str) -> None:
    """An informational line on stderr (``kvnet: wrote 4 files ...``), left out under --quiet."""
    if not quiet():
        click.echo(message, err=True)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--format auto|text|json|github|junit|sarif`` (as ``fmt``) and ``-q/--quiet``."""
    f = quiet_option(f)
    return click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto",
                        show_default=True, help="Diagnostics format (auto: github under GitHub Actions; "
                                                "junit: JUnit XML; sarif: SARIF 2.1.0).")(f)


def compile_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The compile options every compiling command takes, defaults from :class:`BuildOptions`:
    ``--kube-version``, ``--crd`` (as ``crds``), ``--distribution``, ``--allow-empty``,
    ``--format``, ``-q``.
    Turn them into BuildOptions with :func:`build_options`."""
    f = click.option("--crd", "crds", multiple=True, type=click.Path(dir_okay=False),
                     help="Also validate emitted objects against this CRD file (repeatable).")(f)
    f = click.option("--kube-version", default=DEFAULTS.kube_version, show_default=True,
                     help="Kubernetes version whose schemas core objects are validated against.")(f)
    f = click.option("--distribution", default=DEFAULTS.distribution,
                     help="Override spec.cluster.distribution.")(f)
    f = click.option("--allow-empty", is_flag=True, default=DEFAULTS.allow_empty,
                     help="Succeed even when nothing is emitted.")(f)
    return format_option(f)


def recursive_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``-r/--recursive`` (as ``recursive``): directories are read with every directory below
    them (hidden ones skipped), as ``lint -r`` reads them; each directory is its own unit."""
    return click.option("-r", "--recursive", is_flag=True, default=False,
                        help="Read directories recursively (each directory is its own app).")(f)


def build_options(kube_version: str, crds: Iterable[str], distribution: str | None, allow_empty: bool,
                  recursive: bool = False, **more: Any) -> BuildOptions:
    """BuildOptions from the values of :func:`compile_options` (``more``: other BuildOptions
    fields); a bad value is a click.UsageError (exit 2)."""
    crds = list(crds)
    problem = check_options(kube_version, crds, distribution)
    if problem:
        raise click.UsageError(problem)
    return BuildOptions(kube_version=kube_version, crds=crds, allow_empty=allow_empty,
                        distribution=distribution, recursive=recursive, **more)


def report(diags: Iterable[Diagnostic], fmt: str) -> None:
    """Diagnostics to stderr in ``fmt`` (``auto`` resolved here; text in colour on a terminal);
    json, junit and sarif write their (empty) document when there are none."""
    diags = list(diags)
    fmt = resolve_format(fmt)
    if diags or fmt in DOCUMENT_FORMATS:
        sys.stderr.write(render(fmt, diags, colour=use_colour(sys.stderr)))
    sys.stderr.flush()


def strict_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--strict``: warnings fail the command (exit 1), as errors do (SPEC §5)."""
    return click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")(f)


def manifests_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--include-manifests``: pass the plain Kubernetes manifests beside the plans through with
    their objects, checked (kvnet.input.manifests; what the Argo CD plugin does by default)."""
    return click.option("--include-manifests", is_flag=True,
                        help="Also emit the plain Kubernetes manifests of the input (a Secret, ConfigMap, "
                             "policy beside the plan), checked, as the Argo CD plugin does.")(f)


def _ignore_codes(_ctx: click.Context, _param: click.Parameter, value: Iterable[str]) -> tuple[str, ...]:
    codes = split_codes(value or ())
    problem = ignore_problem(codes)
    if problem:
        raise click.UsageError(problem)
    return codes


def ignore_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--ignore KVnnn`` (repeatable, or comma-separated; as ``ignore``): warnings of these codes
    are accepted, so ``--strict`` still fails on every other (kvnet.suppress). An error's code is
    a usage error: kvnet never emits what it refused."""
    return click.option("--ignore", "ignore", multiple=True, callback=_ignore_codes, metavar="KVnnn",
                        help="Accept warnings of this code (repeatable; comma-separated). Errors cannot be ignored.")(f)


def brief_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--brief-plan-errors`` (as ``brief``): see :func:`brief_plan_errors`."""
    return click.option("--brief-plan-errors", "brief", is_flag=True,
                        help="A plan with errors is one line (KV055) naming where 'kvnet validate' lists them "
                             "(the pre-commit hooks: kvnet-validate reports them once).")(f)


def brief_plan_errors(diags: Iterable[Diagnostic], own: Iterable[str]) -> list[Diagnostic]:
    """``diags`` with the errors of the plans themselves (every code not in ``own``, the
    command's own codes) replaced by one KV055 per file: with every kvnet hook enabled, each plan
    error was printed by four hooks (issue 26). Warnings of the plans are dropped with them."""
    own = set(own)
    kept = [d for d in diags if d.code in own]
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diags:
        if d.code not in own and d.is_error:
            by_file.setdefault(d.file, []).append(d)
    for file, errors in sorted(by_file.items()):
        first, codes = errors[0], ", ".join(sorted({e.code for e in errors}))
        kept.append(error("KV055", f"the plan has {len(errors)} error(s) ({codes}); "
                          f"'kvnet validate {os.path.dirname(file) or '.'}' lists them",
                          Loc(file, first.line, first.column)))
    return kept


STRICT_NOTE = "kvnet: warnings fail with --strict"


def print_report(diags: Iterable[Diagnostic], fmt: str, summary: str | None = None) -> None:
    """A command whose output *is* the report (``validate``, ``lint``): the report on stdout
    in every format (SPEC §5); a text report ends with ``summary`` (see
    :func:`kvnet.reporters.summary_line`; not under --quiet). json is always a list, junit and
    sarif one document, github only annotations."""
    diags = list(diags)
    fmt = resolve_format(fmt)
    text = render(fmt, diags, colour=use_colour(sys.stdout)) if (diags or fmt in DOCUMENT_FORMATS) else ""
    if fmt == "text" and summary and not quiet():
        text += summary
    write_stdout(text)


def write_outcome(outcome: Outcome, fmt: str) -> int:
    """Write an adapter's Outcome: notes and diagnostics to stderr, then stdout; its exit code.

    Files (``outcome.files``) are the caller's to write. Nothing goes to stderr when there is
    nothing to say (adapters' stderr reaches the orchestrator's user as is).
    """
    lines = "" if quiet() else "".join(line + "\n" for line in outcome.notes)
    if outcome.diagnostics:
        lines += render(resolve_format(fmt), outcome.diagnostics)
    if lines:
        sys.stderr.write(lines)
        sys.stderr.flush()
    if outcome.stdout:
        write_stdout(outcome.stdout)
    return outcome.exit_code


def write_stdout_yaml(documents: list[Rendered]) -> None:
    """The YAML stream of ``documents`` (:func:`kvnet.rendering.stream_text`, :func:`kvnet.emit.to_yaml`'s
    bytes) on stdout, encoded and written in pieces, so that a large manifest set is never held as
    one string plus its encoded copy (5,000 VMs: 13 MB each). Same guarantees as
    :func:`kvnet.output.write_stdout`."""
    out = sys.stdout
    out.flush()
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests, embedding)
        out.write(stream_text(documents))
        out.flush()
        return
    write_stream(documents, FdStream(fd))


def write_stdout(text: str) -> None:
    """Write a command's whole result to stdout (see :func:`kvnet.output.write_stdout`)."""
    output_write_stdout(text)


def environment() -> dict[str, str]:
    """The process environment as a plain mapping, for adapters that read settings from it."""
    return dict(os.environ)
