"""Which Kubernetes versions kvnet can validate core objects against (kubernetes-validate's
bundled schemas; SPEC §4 --kube-version), and where those schema files are.

The schema directory is found without importing kubernetes_validate (~70 ms of imports,
jsonschema included): kvnet reads its JSON files and validates with jsonschema-rs itself.
"""

from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache


def schema_root() -> str:
    """kubernetes-validate's ``kubernetes-json-schema`` directory."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("kubernetes_validate")
    return os.path.join(list(spec.submodule_search_locations)[0], "kubernetes-json-schema")


def version_key(version: str) -> tuple[int, ...]:
    """``"1.31.2"`` or ``"v1.31"`` as ``(1, 31)``."""
    return tuple(int(x) for x in re.findall(r"\d+", version)[:2])


@lru_cache(maxsize=1)
def schema_versions() -> list[str]:
    """The Kubernetes versions kubernetes-validate ships schemas for (``1.31.0``), oldest first."""
    names = {m.group(1) for m in (re.match(r"^v(\d+\.\d+\.\d+)-local", n) for n in os.listdir(schema_root()))
             if m}
    return sorted(names, key=lambda v: tuple(int(x) for x in v.split(".")))


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def supported_kube_version(kube_version: str) -> str | None:
    """None if kubernetes-validate can validate at ``kube_version``, else a problem."""
    version = kube_version[1:] if kube_version.startswith("v") else kube_version
    if not re.match(r"^\d+\.\d+(\.\d+)?$", version):
        return f"{kube_version!r} is not a Kubernetes version such as 1.31"
    mm = _major_minor(version)
    versions = schema_versions()
    key = version_key(mm)
    known = [version_key(v) for v in versions]
    if key > max(known):
        return f"Kubernetes {mm} is newer than the newest schemas kvnet has ({_major_minor(versions[-1])})"
    if key < min(known):
        return f"Kubernetes {mm} is older than the oldest schemas kvnet has ({_major_minor(versions[0])})"
    return None
