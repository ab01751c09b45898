"""Which Kubernetes versions kvnet can validate core objects against (kubernetes-validate's
bundled schemas; SPEC §4 --kube-version)."""

from __future__ import annotations

import re


def supported_kube_version(kube_version: str) -> str | None:
    """None if kubernetes-validate can validate at ``kube_version``, else a problem."""
    from kubernetes_validate import utils as kv

    version = kube_version[1:] if kube_version.startswith("v") else kube_version
    if not re.match(r"^\d+\.\d+(\.\d+)?$", version):
        return f"{kube_version!r} is not a Kubernetes version such as 1.31"
    mm = kv.major_minor(version)
    versions = kv.all_versions()
    key = tuple(int(x) for x in mm.split("."))
    known = [tuple(int(x) for x in kv.major_minor(v).split(".")) for v in versions]
    if key > max(known):
        return f"Kubernetes {mm} is newer than the newest schemas kvnet has ({kv.major_minor(versions[-1])})"
    if key < min(known):
        return f"Kubernetes {mm} is older than the oldest schemas kvnet has ({kv.major_minor(versions[0])})"
    return None
