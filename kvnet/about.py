"""The upstream versions kvnet targets, and what ``kvnet --version`` prints.

The one place these versions are set (:mod:`kvnet.profiles` and :mod:`kvnet.options` take
them from here). Imports nothing else: ``kvnet --version`` answers before click, YAML or
jsonschema (or even dataclasses) are loaded (see :mod:`kvnet.entry`).
"""

from __future__ import annotations

from kvnet import __version__

# Upstream Multus release whose manifests (thin/thick DaemonSet, NAD CRD, RBAC) kvnet follows.
MULTUS_VERSION = "v4.3.0"
# SPEC §4: the Kubernetes version whose schemas (kubernetes-validate) core objects are checked against.
DEFAULT_KUBE_VERSION = "1.31"

# The KubeVirt releases whose VirtualMachine CRD schema (kubevirt.io/v1) the emitted VMs are
# tested against (tests/test_examples.py; the schemas' provenance is in ../shared/upstream).
KUBEVIRT_SCHEMA_VERSIONS: tuple[str, ...] = ("v1.6.2", "v1.9.0")


def version_text() -> str:
    """Lines of ``kvnet --version``: ``kvnet X.Y.Z``, then one line per targeted upstream."""
    kubevirt = " and ".join(KUBEVIRT_SCHEMA_VERSIONS)
    return (f"kvnet {__version__}\n"
            f"Multus: {MULTUS_VERSION} (thin/thick DaemonSets, NAD CRD k8s.cni.cncf.io/v1)\n"
            f"KubeVirt schema: kubevirt.io/v1 VirtualMachine, checked against KubeVirt {kubevirt}\n"
            f"Kubernetes schema: {DEFAULT_KUBE_VERSION} by default (--kube-version; kubernetes-validate strict)\n")
