"""Checks of command-level options shared by every entry point (CLI, CMP, KRM)."""

from __future__ import annotations

import os
from typing import Iterable


def check_options(kube_version: str, crds: Iterable[str] = (), distribution: str | None = None) -> str | None:
    """A usage problem with the options, or None."""
    from kvnet.output_check import supported_kube_version
    from kvnet.profiles import DISTRIBUTIONS

    problem = supported_kube_version(kube_version)
    if problem:
        return f"--kube-version: {problem}"
    if distribution is not None and distribution not in DISTRIBUTIONS:
        return f"--distribution: {distribution!r} is not one of: {', '.join(DISTRIBUTIONS)}"
    for crd in crds:
        if not os.path.isfile(crd):
            return f"--crd: {crd}: no such file"
    return None
