"""Order and serialise emitted objects (SPEC §6)."""

from __future__ import annotations

import os
import stat
from typing import Any, Callable, Iterable

from kvnet.input.loader import LoadError, load_text
from kvnet.labels import MANAGED_BY, PLAN_LABEL
from kvnet.yamlwriter import Unsupported, Writer, block_style

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
    "MultiNetworkPolicy": 12,  # in place before the VMs it protects start
    "VirtualMachine": 13,
}


def object_key(obj: dict[str, Any]) -> tuple[int, str, str, str]:
    meta = obj.get("metadata") or {}
    kind = str(obj.get("kind"))
    return (KIND_ORDER.get(kind, len(KIND_ORDER)), kind, str(meta.get("namespace") or ""), str(meta.get("name")))


def sort_objects(objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(objects, key=object_key)


class _Shared(Exception):
    """An object appears twice in one document: PyYAML's representer writes an anchor."""


def _node_builder(yaml: Any) -> Callable[[Any, set[int]], Any]:
    """``node(data, seen)``: the YAML node graph PyYAML's safe representer would build for plain
    data (dict, list, str, int, bool, None; multi-line strings as literal blocks), built
    directly; raises ``_Shared`` for a shared object (an anchor) or another type, which take
    PyYAML's own path (pyyaml lib/yaml/representer.py SafeRepresenter)."""
    scalar, mapping, sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    str_tag, int_tag, bool_tag, null_tag = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null"))
    map_tag, seq_tag = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

    def node(data: Any, seen: set[int]) -> Any:
        kind = type(data)
        if kind is str:
            return scalar(str_tag, data, style=block_style(data))
        if kind is dict or kind is list:
            if id(data) in seen:
                raise _Shared
            seen.add(id(data))
            if kind is dict:
                return mapping(map_tag, [(node(k, seen), node(v, seen)) for k, v in data.items()], flow_style=False)
            return sequence(seq_tag, [node(item, seen) for item in data], flow_style=False)
        if kind is bool:
            return scalar(bool_tag, "true" if data else "false")
        if kind is int:
            return scalar(int_tag, str(data))
        if data is None:
            return scalar(null_tag, "null")
        raise _Shared  # another type: PyYAML's representer knows it

    return node


def _dumper() -> Any:
    """PyYAML's (C) safe dumper with literal blocks for multi-line strings, made fast.

    PyYAML's representer and resolver are Python and cost more than libyaml's emitter: the
    node graph of plain data (dict, list, str, int, bool, None) is built here directly
    (:func:`_node_builder`), and the tag resolution libyaml asks for every scalar (twice) is
    memoised. Both give exactly what PyYAML would; other types and shared objects (anchors)
    take PyYAML's own path.
    """
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    scalar, str_tag = yaml.ScalarNode, "tag:yaml.org,2002:str"
    node = _node_builder(yaml)

    class Dumper(base):  # type: ignore[misc, valid-type]
        _resolved: dict[tuple[str, Any], str] = {}

        def represent(self, data: Any) -> None:
            try:
                root = node(data, set())
            except _Shared:
                super().represent(data)
                return
            self.serialize(root)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is not scalar or len(value) > 64:
                return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
            key = (value, implicit)
            tag = self._resolved.get(key)
            if tag is None:
                if len(self._resolved) > 4096:  # keys and common values repeat; names do not
                    self._resolved.clear()
                tag = self._resolved[key] = super().resolve(kind, value, implicit)
            return tag

    def str_rep(dumper: Any, value: str) -> Any:
        return dumper.represent_scalar(str_tag, value, style=block_style(value))

    Dumper.add_representer(str, str_rep)
    return Dumper


_DUMPER: Any = None
_OPTIONS: dict[str, Any] = dict(sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


def _kvnet_dumper() -> Any:
    global _DUMPER
    if _DUMPER is None:
        _DUMPER = _dumper()
    return _DUMPER


def writer() -> Writer:
    """The direct writer (:mod:`kvnet.yamlwriter`), with libyaml for the strings it escapes."""
    import yaml

    dumper = _kvnet_dumper()
    resolver = yaml.resolver.Resolver()
    scalar = yaml.ScalarNode

    def escaped(value: str) -> str:
        try:
            return yaml.dump([value], Dumper=dumper, **_OPTIONS)[2:-1]  # type: ignore[no-any-return]
        except Exception as exc:  # PyYAML's own error when the whole document is dumped by it
            raise Unsupported(str(exc)) from exc

    return Writer(escaped, lambda value: resolver.resolve(scalar, value, (True, False)))  # type: ignore[no-any-return]


def pyyaml_document(obj: Any, last: bool) -> str:
    """One document as PyYAML's dump of the whole stream has it: a stream of one ends with
    ``...`` after a literal block with keep chomping, which only the stream's last may."""
    import yaml

    text: str = yaml.dump_all([obj], Dumper=_kvnet_dumper(), explicit_start=True, **_OPTIONS)
    return text if last or not text.endswith("\n...\n") else text[:-4]


def _documents(objects: list[dict[str, Any]]) -> Iterable[str]:
    """Each document's text of :func:`to_yaml`; what the direct writer does not cover is
    written by PyYAML (libyaml keeps no state from one document to the next but ``...``)."""
    out = writer()
    last = len(objects) - 1
    for i, obj in enumerate(objects):
        try:
            yield out.document(obj, "---\n")
        except Unsupported:
            yield pyyaml_document(obj, i == last)


def to_yaml(objects: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream, each document opened with ``---``: the text PyYAML's
    (libyaml) safe dumper writes with kvnet's options (:mod:`kvnet.yamlwriter` says how)."""
    return "".join(_documents(objects))


def sequence_items(objects: list[dict[str, Any]], dash: int) -> str | None:
    """``objects`` as block-sequence items, dashes at column ``dash`` (a KRM ResourceList's
    ``items``): the documents of :func:`to_yaml` shifted right, written in place by the direct
    writer; None when it does not cover one of them."""
    out = writer()
    try:
        return "".join(out.item(obj, dash) for obj in objects)
    except Unsupported:
        return None


def write_yaml(objects: list[dict[str, Any]], stream: Any) -> None:
    """:func:`to_yaml`'s bytes (UTF-8) written to the binary ``stream`` (:func:`write_texts`)."""
    write_texts(_documents(objects), stream)


def write_texts(texts: Iterable[str], stream: Any) -> None:
    """``texts`` encoded (UTF-8) and written to the binary ``stream`` in pieces of about 1 MiB, so
    that a large manifest set is never held as one string (and its encoded copy)."""
    chunk: list[str] = []
    size = 0
    for text in texts:
        chunk.append(text)
        size += len(text)
        if size > 1 << 20:
            stream.write("".join(chunk).encode("utf-8"))
            chunk, size = [], 0
    if chunk:
        stream.write("".join(chunk).encode("utf-8"))


def dump_within(data: Any, width: int) -> str | None:
    """One YAML document (``---`` first) as PyYAML's SafeDumper writes ``data`` at ``width``
    (multi-line strings as literal blocks, keys in order), or None when the direct writer
    cannot say it exactly: a line longer than ``width`` (PyYAML may fold it), a string libyaml
    or PyYAML escapes, anything :mod:`kvnet.yamlwriter` does not cover. Strings of printable
    characters are written alike by PyYAML's Python and C emitters (emitter.py and emitter.c
    ``analyze_scalar``/``choose_scalar_style``: the same rules), the direct writer's."""
    def refuse(value: str) -> str:
        raise Unsupported("an escaped string")

    base = writer()
    try:
        text = Writer(refuse, base.resolve).document(data, "---\n")
    except Unsupported:
        return None
    return text if max(map(len, text.split("\n"))) <= width else None


def dump_yaml(data: Any) -> str:
    """One YAML document (no ``---``) in the style of :func:`to_yaml`."""
    try:
        return writer().document(data, "")
    except Unsupported:
        import yaml

        return yaml.dump(data, Dumper=_kvnet_dumper(), **_OPTIONS)  # type: ignore[no-any-return]


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
