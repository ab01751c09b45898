"""Console-script entry: take SIGTERM before anything slow is imported (see kvnet.signals)."""

from __future__ import annotations

import sys

from kvnet import signals


def main() -> None:
    """``kvnet`` console script. ``kvnet --version`` answers without loading click."""
    if sys.argv[1:] == ["--version"]:
        from kvnet.about import version_text

        sys.stdout.write(version_text())
        return
    signals.install()
    from kvnet.cli import main as cli_main

    cli_main()
