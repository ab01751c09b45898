"""Order and serialise emitted objects (SPEC §6)."""

from __future__ import annotations

import os
from typing import Any, Iterable

KIND_ORDER: dict[str, int] = {
    "CustomResourceDefinition": 0,
    "Namespace": 1,
    "ServiceAccount": 2,
    "ClusterRole": 3,
    "ClusterRoleBinding": 4,
    "Role": 5,
    "RoleBinding": 6,
    "ConfigMap": 7,
    "Secret": 8,
    "DaemonSet": 9,
    "NodeNetworkConfigurationPolicy": 10,  # node bridges exist before the NADs that use them
    "NetworkAttachmentDefinition": 11,
    "VirtualMachine": 12,
}


def object_key(obj: dict[str, Any]) -> tuple[int, str, str, str]:
    meta = obj.get("metadata") or {}
    kind = str(obj.get("kind"))
    return (KIND_ORDER.get(kind, len(KIND_ORDER)), kind, str(meta.get("namespace") or ""), str(meta.get("name")))


def sort_objects(objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(objects, key=object_key)


def _dumper() -> Any:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def str_rep(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and not value.startswith((" ", "\t")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, str_rep)
    return Dumper


_DUMPER: Any = None


def to_yaml(objects: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream, each document opened with ``---``."""
    global _DUMPER
    import yaml

    if _DUMPER is None:
        _DUMPER = _dumper()
    if not objects:
        return ""
    return yaml.dump_all(objects, Dumper=_DUMPER, sort_keys=False, default_flow_style=False,
                         explicit_start=True, allow_unicode=True, width=4096)


def file_name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    parts = [str(meta.get("namespace"))] if meta.get("namespace") else []
    parts += [str(obj.get("kind")).lower(), str(meta.get("name"))]
    return "_".join(parts) + ".yaml"


MANAGED_MARK = "app.kubernetes.io/managed-by: kvnet"


def stale_files(directory: str, written: list[str]) -> list[str]:
    """``*.yaml`` files in ``directory`` that kvnet wrote earlier but not this time."""
    keep = {os.path.abspath(p) for p in written}
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not name.endswith((".yaml", ".yml")) or os.path.abspath(path) in keep or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            if MANAGED_MARK in fh.read(65536):
                out.append(path)
    return out


def write_dir(objects: list[dict[str, Any]], directory: str) -> list[str]:
    """One file per object; returns the paths written (sorted by object order)."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for obj in objects:
        path = os.path.join(directory, file_name(obj))
        text = to_yaml([obj])
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        written.append(path)
    return written
