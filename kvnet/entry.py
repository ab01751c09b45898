"""Console-script entry: take SIGTERM before anything slow is imported (see kvnet.signals)."""

from __future__ import annotations

from kvnet import signals


def main() -> None:
    """``kvnet`` console script."""
    signals.install()
    from kvnet.cli import main as cli_main

    cli_main()
