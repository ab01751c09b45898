"""The ``kvnet`` command line: a thin click layer over kvnet's core.

Commands live one per module under ``kvnet.commands`` and are imported only
when invoked, so ``kvnet --version`` stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from kvnet import __version__, signals
from kvnet.about import version_text
from kvnet.config import COMMANDS as CONFIGURED
from kvnet.config import default_map
from kvnet.exitcodes import INTERNAL, OK, PROBLEMS, USAGE
from kvnet.input import bounds
from kvnet.output import OutputError
from kvnet.quiet import quiet_option

COMMANDS: dict[str, str] = {
    "build": "kvnet.commands.build:build",
    "validate": "kvnet.commands.build:validate",
    "schema": "kvnet.commands.schema:schema",
    "init": "kvnet.commands.init:init",
    "overlay": "kvnet.commands.overlay:overlay",
    "doctor": "kvnet.commands.doctor:doctor",
    "node-config": "kvnet.commands.node_config:node_config",
    "verify": "kvnet.commands.verify:verify",
    "cmp": "kvnet.commands.cmp:cmp",
    "fn": "kvnet.commands.fn:fn",
    "kustomize": "kvnet.commands.kustomize:kustomize",
    "check-rendered": "kvnet.commands.check_rendered:check_rendered",
    "explain": "kvnet.commands.explain:explain",
    "graph": "kvnet.commands.explain:graph",
    "lock": "kvnet.commands.lock:lock",
    "lint": "kvnet.commands.lint:lint",
    "import": "kvnet.commands.import_plan:import_plan",
    "diff": "kvnet.commands.diff:diff",
    "codes": "kvnet.commands.codes:codes",
    "completion": "kvnet.commands.completion:completion",
    "argocd": "kvnet.commands.argocd:argocd",
}

SUMMARIES: dict[str, str] = {
    "build": "Compile plans into manifests on stdout (or -o DIR).",
    "validate": "Compile and check plans; the report (and a summary) on stdout.",
    "schema": "Print the NetworkPlan JSON Schema (-o FILE: write it).",
    "init": "Write a commented starter kvnet.yaml and the schema editors read.",
    "overlay": "Write the kustomize overlay of Multus for a distribution.",
    "doctor": "Check a node's CNI and Multus setup.",
    "node-config": "Write the plan's node bridges and bonds as netplan or networkd files.",
    "verify": "Run every NAD through the real CNI plugins (root).",
    "cmp": "Argo CD Config Management Plugin entry point.",
    "fn": "KRM function: ResourceList on stdin.",
    "kustomize": "kustomize exec plugin helpers.",
    "check-rendered": "Fail when a committed rendered.yaml differs from kvnet build (pre-commit).",
    "explain": "Print a table of every VM interface: network, binding, address, MAC, default route.",
    "graph": "Write the topology (VMs, NADs, networks, bridges, uplinks) as DOT or Mermaid.",
    "lock": "Allocate addresses into kvnet.lock (--check: fail when it would change).",
    "lint": "Check existing NADs, VMs and Multus manifests with kvnet's rules.",
    "import": "Turn existing NADs and VMs into a NetworkPlan on stdout.",
    "diff": "Say what a plan change does to running VMs (restart, live, next-boot, NAD, prune...).",
    "codes": "List every diagnostic code: severity, summary, SPEC section.",
    "completion": "Print the shell completion script (bash, zsh, fish).",
    "argocd": "Argo CD: 'argocd config' prints the argocd-cm health checks and ignoreDifferences for VMs.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                return None  # command not available in this build
            raise
        cmd = getattr(mod, attr)
        return cmd  # type: ignore[no-any-return]

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """click's lookup, with a did-you-mean for a sub-command that does not exist (exit 2)."""
        name = click.utils.make_str(args[0]) if args else ""
        if args and name not in COMMANDS and not name.startswith("-"):
            import difflib  # only for a mistyped command (issue 28: start-up)

            close = difflib.get_close_matches(name, sorted(COMMANDS), n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} (kvnet --help lists them)")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kvnet", message=version_text().rstrip("\n"))
@quiet_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Read default options from this file instead of the nearest .kvnet.yaml.")
@click.option("--no-config", is_flag=True, help="Read no .kvnet.yaml.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, no_config: bool) -> None:
    """kvnet: compile KubeVirt VM networking (Multus NADs, VMs, Multus DaemonSets) from a kvnet.yaml.

    Default options of build, validate and lint come from the nearest .kvnet.yaml (this directory
    up to the repository root); an option on the command line wins.
    """
    bounds.configure(os.environ)  # the input bounds a user can raise (KVNET_MAX_INPUT_MB, ...)
    if ctx.invoked_subcommand in CONFIGURED:  # other commands never read it: a broken file cannot stop them
        _path, ctx.default_map = default_map(config_file, no_config)


def main(argv: list[str] | None = None) -> None:
    """Entry point with kvnet's exit codes: 0 ok, 1 input errors, 2 usage, 3 internal, 143 SIGTERM."""
    signals.install()
    try:
        rv = cli.main(args=argv, prog_name="kvnet", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(USAGE)
    except click.exceptions.Abort:
        click.echo("kvnet: aborted", err=True)
        sys.exit(signals.EXIT_SIGINT)
    except KeyboardInterrupt:
        sys.exit(signals.EXIT_SIGINT)
    except signals.Terminated:
        sys.exit(signals.EXIT_SIGTERM)
    except OutputError as exc:
        click.echo(f"kvnet: cannot write the output: {exc}", err=True)
        sys.exit(USAGE)
    except BrokenPipeError:
        sys.exit(PROBLEMS)
    except Exception as exc:  # the truly fatal: one line, traceback only on request
        if os.environ.get("KVNET_DEBUG") == "1":
            raise
        first = (str(exc).splitlines() or [""])[0]
        click.echo(f"kvnet: internal error: {type(exc).__name__}: {first} (set KVNET_DEBUG=1 for a traceback)",
                   err=True)
        sys.exit(INTERNAL)
    sys.exit(rv if isinstance(rv, int) else OK)
