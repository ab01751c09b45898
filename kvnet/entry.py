"""Console-script entry: take SIGTERM before anything slow is imported.

Argo CD may stop the plugin at any moment; until a run has succeeded nothing
has been written, so leaving with 143 is always clean.
"""

from __future__ import annotations

import os
import signal
from typing import Any


def _on_sigterm(signum: int, frame: Any) -> None:
    os._exit(143)


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    from kvnet.cli import main as cli_main

    cli_main()
