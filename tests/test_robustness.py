"""No input of any kind produces a traceback: mutate a valid plan at every node."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from testlib import EXAMPLES

from kvnet.pipeline import BuildOptions, compile_documents
from kvnet.input.loader import load_text

ODD_VALUES: list[Any] = [None, "", " ", 0, -1, 65536, 1.5, True, [], {}, ["x"], {"a": 1}, "x" * 300,
                         "192.168.1.0/24", "192.168.1.255", "fd00::/64", "::", "default", "LAN", "a/b",
                         "02:00:00:00:00:00", "01:00:5e:00:00:01", "0.0.0.0-255.255.255.255", "1.2.3.4-1.2.3.3"]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def set_at(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return doc


def plans() -> list[tuple[str, Any]]:
    out = []
    for d in sorted(EXAMPLES.iterdir()):
        f = d / "kvnet.yaml"
        if f.is_file():
            for doc in yaml.safe_load_all(f.read_text()):
                if isinstance(doc, dict) and doc.get("apiVersion") == "kvnet.dev/v1alpha1":
                    out.append((d.name, doc))
    return out


@pytest.mark.parametrize("name,plan", plans(), ids=[p[0] for p in plans()])
def test_every_mutation_is_a_diagnostic_not_a_crash(name: str, plan: Any) -> None:
    rng = random.Random(name)
    all_paths = list(paths(plan))
    cases = 0
    for path in all_paths:
        for value in rng.sample(ODD_VALUES, 6):
            mutated = set_at(copy.deepcopy(plan), path, value)
            text = yaml.safe_dump(mutated, sort_keys=False)
            docs = load_text(text, "plan.yaml")
            result = compile_documents(docs, BuildOptions())  # raises on a crash
            if not result.ok:
                assert result.objects == []
                assert all(d.file == "plan.yaml" and d.line >= 1 and d.column >= 1 for d in result.diagnostics)
                assert not any(d.code == "KV900" for d in result.diagnostics), result.diagnostics
            cases += 1
    assert cases >= 6 * len(all_paths)


def test_garbage_text_never_crashes(tmp_path: Path) -> None:
    rng = random.Random(1)
    base = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
    for _ in range(300):
        chars = list(base)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(chars))
            chars[pos] = rng.choice(["\t", ":", "-", "{", "[", "&a", "*a", "!!python/object", "\x00", "'", "\n  "])
        text = "".join(chars)
        try:
            docs = load_text(text, "x.yaml")
        except Exception as exc:  # only LoadError is allowed
            from kvnet.input.loader import LoadError

            assert isinstance(exc, LoadError), repr(exc)
            continue
        compile_documents(docs, BuildOptions())
