"""Order and serialise emitted objects (SPEC §6)."""

from __future__ import annotations

import os
import stat
from typing import Any, Iterable

from kvnet.input.loader import LoadError, load_text
from kvnet.labels import MANAGED_BY, PLAN_LABEL

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
MAX_STALE_BYTES = 4 * 1024 * 1024  # kvnet's own object files are far smaller


def written_by_kvnet(path: str) -> bool:
    """Whether ``path`` is a regular file holding one object kvnet wrote: its own
    ``metadata.labels`` carry ``app.kubernetes.io/managed-by: kvnet`` and ``kvnet.dev/plan``
    (a selector or any other mention of the label does not count)."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_STALE_BYTES:
            return False
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    if MANAGED_MARK not in text:
        return False
    try:
        docs = [d.data for d in load_text(text, path) if d.data is not None]
    except LoadError:
        return False
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return False
    meta = docs[0].get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return isinstance(labels, dict) and labels.get(MANAGED_BY) == "kvnet" and bool(labels.get(PLAN_LABEL))


def stale_files(directory: str, names: set[str]) -> list[str]:
    """``*.yaml`` files in ``directory`` that kvnet wrote earlier (see :func:`written_by_kvnet`)
    but whose names are not in ``names`` (this run's files)."""
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")) and name not in names:
            path = os.path.join(directory, name)
            if written_by_kvnet(path):
                out.append(path)
    return out


def object_files(objects: list[dict[str, Any]]) -> dict[str, str]:
    """File name -> YAML text, one file per object (``build -o``), in object order."""
    return {file_name(obj): to_yaml([obj]) for obj in objects}
