"""Console-script entry: take SIGTERM before anything slow is imported (see kvnet.signals)."""

from __future__ import annotations

import gc
import os
import sys

from kvnet import signals


def main() -> None:
    """``kvnet`` console script. ``kvnet --version`` answers without loading click."""
    if sys.argv[1:] == ["--version"]:
        from kvnet.about import version_text

        sys.stdout.write(version_text())
        return
    signals.install()
    # A compile allocates hundreds of thousands of dicts and lists that all live until the
    # process exits and form no reference cycles: the cyclic collector only walks them again
    # and again (~10% of a 1,000-VM build). The process is short-lived; nothing is lost. (Back on
    # afterwards, for a caller that runs the CLI in its own process, such as the tests.)
    gc.disable()
    from kvnet.cli import main as cli_main

    try:
        cli_main()
    except SystemExit as exc:
        _exit_now(exc.code if isinstance(exc.code, int) else 1)
    finally:
        gc.enable()


def _exit_now(code: int) -> None:
    """Leave without tearing the interpreter down: freeing every object of a run one by one
    (a 1,000-VM manifest's documents, node graphs and output) is work nobody needs, ~5% of the
    run. Everything kvnet writes is already out (kvnet.output writes with os.write; temporary
    files are renamed or removed before the command returns); Python's own buffers are flushed
    here. A closed stdout at that point is exit 1, as during the command (kvnet.cli)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)
