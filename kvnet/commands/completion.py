"""``kvnet completion SHELL``: the completion script of click's shell completion for kvnet."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from kvnet.commands.common import write_stdout

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the completion script for SHELL (bash, zsh, fish): sub-commands, options, paths.

    \b
    bash:  eval "$(kvnet completion bash)"   (in ~/.bashrc)
    zsh:   eval "$(kvnet completion zsh)"    (in ~/.zshrc)
    fish:  kvnet completion fish > ~/.config/fish/completions/kvnet.fish
    """
    cli = click.get_current_context().find_root().command  # the whole command tree
    cls = get_completion_class(shell)
    if cls is None:  # click knows all three; a guard for an older click
        raise click.UsageError(f"no completion for {shell}")
    write_stdout(cls(cli, {}, "kvnet", "_KVNET_COMPLETE").source())
    return 0
