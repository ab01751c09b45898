"""What ``kvnet --version`` prints: kvnet's version and the upstream versions it targets.

Kept free of heavy imports (no click, YAML or jsonschema): ``kvnet --version`` answers
before the command line is even parsed by click (see :mod:`kvnet.entry`).
"""

from __future__ import annotations

from kvnet import __version__
from kvnet.options import DEFAULT_KUBE_VERSION
from kvnet.profiles import MULTUS_VERSION

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
