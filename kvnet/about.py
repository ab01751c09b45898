"""The upstream versions kvnet targets, and what ``kvnet --version`` prints.

The one place these versions are set (:mod:`kvnet.profiles` and :mod:`kvnet.options` take
them from here). Imports nothing else: ``kvnet --version`` answers before click, YAML or
jsonschema (or even dataclasses) are loaded (see :mod:`kvnet.entry`).
"""

from __future__ import annotations

import os
import re

from kvnet import __version__

# Upstream Multus release whose manifests (thin/thick DaemonSet, NAD CRD, RBAC) kvnet follows.
MULTUS_VERSION = "v4.3.0"
# SPEC §4: the Kubernetes version whose schemas (kubernetes-validate) core objects are checked against.
DEFAULT_KUBE_VERSION = "1.31"

# The KubeVirt releases whose VirtualMachine CRD schema (kubevirt.io/v1) the emitted VMs are
# tested against (tests/test_examples.py; the schemas' provenance is in ../shared/upstream).
KUBEVIRT_SCHEMA_VERSIONS: tuple[str, ...] = ("v1.6.2", "v1.9.0")


def checkout_commit() -> str | None:
    """The commit (12 hex digits) of the git work tree kvnet runs from, when it runs from a source
    checkout (an editable install) whose ``.git`` sits beside the package; else None (an installed
    wheel, no git, any git failure)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.exists(os.path.join(root, ".git")):
        return None
    import subprocess  # only here: 3 ms of every command's start-up otherwise (issue 28)

    try:
        proc = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{7,40}", out) else None


def version_line(version: str = __version__) -> str:
    """``kvnet VERSION``: the setuptools-scm version (``X.Y.Z`` on a release tag, else
    ``X.Y.devN+g<commit>``). An editable install whose checkout has moved on since it was
    installed says which commit it now runs (the version file is only rewritten on install)."""
    live = checkout_commit()
    match = re.search(r"[+.]g([0-9a-f]+)", version)
    if live and not (match and live.startswith(match.group(1))) and not re.fullmatch(r"\d+\.\d+\.\d+", version):
        return f"kvnet {version} (checkout now at commit {live}; pip install -e . again to update)"
    return f"kvnet {version}"


def version_text() -> str:
    """Lines of ``kvnet --version``: :func:`version_line`, then one line per targeted upstream."""
    kubevirt = " and ".join(KUBEVIRT_SCHEMA_VERSIONS)
    return (f"{version_line()}\n"
            f"Multus: {MULTUS_VERSION} (thin/thick DaemonSets, NAD CRD k8s.cni.cncf.io/v1)\n"
            f"KubeVirt schema: kubevirt.io/v1 VirtualMachine, checked against KubeVirt {kubevirt}\n"
            f"Kubernetes schema: {DEFAULT_KUBE_VERSION} by default (--kube-version; kubernetes-validate strict)\n")
