"""Usage checks of the compile options' values: a problem is one line and exit 2 (SPEC §5)."""

from __future__ import annotations

import os
from typing import Iterable

from kvnet.outputcheck.kube_versions import supported_kube_version
from kvnet.profiles import DISTRIBUTIONS


def kube_version_problem(kube_version: str) -> str | None:
    """Why kvnet cannot validate for Kubernetes ``kube_version`` (it has no schemas for it), or None."""
    return supported_kube_version(kube_version)


def distribution_problem(distribution: str) -> str | None:
    """Why ``distribution`` is not a profile of :mod:`kvnet.profiles`, or None."""
    if distribution in DISTRIBUTIONS:
        return None
    return f"{distribution!r} is not one of: {', '.join(DISTRIBUTIONS)}"


def check_options(kube_version: str, crds: Iterable[str] = (), distribution: str | None = None) -> str | None:
    """A usage problem with the options, naming the option (``--kube-version: …``), or None."""
    problem = kube_version_problem(kube_version)
    if problem:
        return f"--kube-version: {problem}"
    if distribution is not None:
        problem = distribution_problem(distribution)
        if problem:
            return f"--distribution: {problem}"
    for crd in crds:
        if not os.path.isfile(crd):
            return f"--crd: {crd}: no such file"
    return None
