"""Console-script entry: take SIGTERM before anything slow is imported (see kvnet.signals)."""

from __future__ import annotations

import gc
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
    finally:
        gc.enable()
