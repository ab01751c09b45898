"""What to verify: NADs from manifests, and the PATHs holding kvnet plans.

PATH is a file or a directory (its ``*.yaml``/``*.yml``, not recursive). Documents of
kind ``NetworkAttachmentDefinition`` (also inside a ``kind: List``) are taken as they
are; a PATH holding ``apiVersion: kvnet.dev/v1alpha1`` documents is compiled with the
core compiler (:func:`compile_plans`) and the NADs it emits are verified.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.labels import SOURCE_ANNOTATION

PLAN_API = "kvnet.dev/v1alpha1"
NAD_KIND = "NetworkAttachmentDefinition"
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class NadCase:
    """One NAD to verify, with where it came from."""

    name: str
    namespace: str | None
    source: str
    line: int | None
    config: Any  # spec.config as found: normally a JSON string; None when absent

    @property
    def ident(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Inputs:
    cases: list[NadCase] = field(default_factory=list)
    plan_paths: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: bool = False  # a PATH could not be read at all (exit 2)


def yaml_files(path: str) -> list[str]:
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith((".yaml", ".yml")))
        return [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    return [path]


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _child(node: Any, key: str) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _config_line(node: Any) -> int:
    """Line of ``spec.config`` in a NAD document node, else of the document."""
    spec = _child(node, "spec")
    config = _child(spec, "config") if spec is not None else None
    target = config if config is not None else node
    return int(target.start_mark.line) + 1


def read_documents(text: str) -> list[tuple[Any, Any]]:
    """(data, node) for each document; raises yaml.YAMLError."""
    loader = _loader()(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            docs.append((loader.construct_document(node), node))
    finally:
        loader.dispose()
    return docs


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _nad_case(doc: dict[str, Any], source: str, line: int | None, seq: int) -> NadCase:
    meta = _mapping(doc.get("metadata"))
    name = _text(meta.get("name")) or f"<unnamed #{seq}>"
    return NadCase(name, _text(meta.get("namespace")), source, line, _mapping(doc.get("spec")).get("config"))


def _read_text(file: str, inputs: Inputs) -> str | None:
    try:
        size = os.path.getsize(file)
        if size > MAX_FILE_BYTES:
            inputs.diagnostics.append(error("KV004", f"file is larger than 10 MiB ({size} bytes)", Loc(file)))
            return None
        with open(file, "rb") as fh:
            return fh.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        inputs.unreadable = True
        inputs.diagnostics.append(error("KV000", f"not UTF-8 text: {exc.reason}", Loc(file)))
    except OSError as exc:
        inputs.unreadable = True
        inputs.diagnostics.append(error("KV000", f"cannot read: {exc.strerror or exc}", Loc(file)))
    return None


def load_inputs(paths: list[str]) -> Inputs:
    import yaml

    inputs = Inputs()
    for path in paths:
        if not os.path.exists(path):
            inputs.unreadable = True
            inputs.diagnostics.append(error("KV000", "no such file or directory", Loc(path)))
            continue
        try:
            files = yaml_files(path)
        except OSError as exc:
            inputs.unreadable = True
            inputs.diagnostics.append(error("KV000", f"cannot list: {exc.strerror or exc}", Loc(path)))
            continue
        has_plan = False
        for file in files:
            text = _read_text(file, inputs)
            if text is None:
                continue
            try:
                docs = read_documents(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                loc = Loc(file, mark.line + 1, mark.column + 1) if mark is not None else Loc(file)
                problem = getattr(exc, "problem", None) or str(exc)
                inputs.diagnostics.append(error("KV001", f"invalid YAML: {problem}", loc))
                continue
            for data, node in docs:
                if not isinstance(data, dict):
                    continue
                if data.get("apiVersion") == PLAN_API:
                    has_plan = True
                elif data.get("kind") == NAD_KIND:
                    inputs.cases.append(_nad_case(data, file, _config_line(node), len(inputs.cases) + 1))
                elif data.get("kind") == "List" and isinstance(data.get("items"), list):
                    items_node = _child(node, "items")
                    item_nodes: list[Any] = list(items_node.value) if items_node is not None else []
                    for item, item_node in zip(data["items"], item_nodes, strict=False):
                        if isinstance(item, dict) and item.get("kind") == NAD_KIND:
                            inputs.cases.append(_nad_case(item, file, _config_line(item_node), len(inputs.cases) + 1))
        if has_plan:
            inputs.plan_paths.append(path)
    return inputs


def compile_plans(paths: list[str]) -> tuple[list[NadCase], list[Diagnostic], bool]:
    """Compile plans with the core compiler; (NAD cases, diagnostics, ok)."""
    from kvnet.pipeline import BuildOptions, compile_paths  # lazy: the core is optional here

    result = compile_paths(list(paths), BuildOptions())
    diagnostics = list(result.diagnostics)
    if not result.ok:
        return [], diagnostics, False
    cases = []
    fallback = paths[0] if paths else "<plan>"
    for seq, obj in enumerate(result.objects, 1):
        if not isinstance(obj, dict) or obj.get("kind") != NAD_KIND:
            continue
        annotations = _mapping(_mapping(obj.get("metadata")).get("annotations"))
        source = _source_path(str(annotations.get(SOURCE_ANNOTATION) or fallback), paths)
        cases.append(_nad_case(obj, source, None, seq))
    return cases, diagnostics, True


def _source_path(source: str, paths: list[str]) -> str:
    """``kvnet.dev/source`` is relative to the plan root: show it as the user can open it."""
    for path in paths:
        root = path if os.path.isdir(path) else os.path.dirname(path)
        candidate = os.path.normpath(os.path.join(root, source))
        if os.path.isfile(candidate):
            return candidate
    return source
