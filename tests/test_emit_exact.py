"""kvnet's direct YAML writer (kvnet.yamlwriter, through kvnet.emit) against PyYAML's libyaml
dumper, byte for byte: every example's and every test plan's output, and a seeded corpus of
objects full of strings YAML 1.1 reads as something else, indicators, blanks, control and
non-BMP characters and lines long enough to fold; each output also re-read by libyaml to the
same objects."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_emit import pyyaml

from kvnet.emit import dump_yaml, sequence_items, to_yaml, write_yaml

REPO = Path(__file__).resolve().parents[1]

PIECES = [
    "on", "yes", "No", "OFF", "y", "n", "true", "False", "NULL", "null", "~", "0o12", "0x1F", "012", "1e3", "1_000",
    "+1", "-1", ".5", ".inf", "-.Inf", ".NaN", "1:20", "190:20:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "<<", "=", "-", "--", "---", "...", "?", ":", "? x", ": x", "- x", "#x", "a #b", "a# b", "a:b", "a: b", "a:",
    "it's", '"q"', "\\", "{a}", "[a]", ",", "&a", "*a", "!t", "|", ">", "%", "@", "`", "'", " ", "  ", "\t", "\n",
    "\n\n", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\xa0", "\ufeff", "\ufffe", "é", "✓", "日本", "😀", "\x00",
    "\x07", "\x1b", "\x7f", "\x9f", "\ud7ff", "\ue000", "kvnet", "eth0", "10.0.0.1/24", "aa:bb:cc:dd:ee:ff",
    "#cloud-config\nhostname: a\n", "version: 2\n  ethernets: {}\n", "x" * 130, "w " * 700, "word" * 300,
]


def fuzz_string(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.choice((1, 1, 2, 3, 5))))


ONE_LINE = [p for p in PIECES if not any(c in p for c in "\n\r\x85\u2028\u2029") and len(p) < 100]


def fuzz_key(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice([0, 1, -7, 2**40, True, False, None])
    if roll < 0.15:
        return fuzz_string(rng)  # mostly a complex key: PyYAML writes the document
    if roll < 0.6:
        return "".join(rng.choice(ONE_LINE) for _ in range(rng.choice((1, 2, 3))))
    return rng.choice(["name", "spec", "a", "metadata", "items"])


def fuzz_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        return {fuzz_key(rng): fuzz_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))}
    if depth < 4 and roll < 0.4:
        return [fuzz_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if roll < 0.5:
        return rng.choice([0, -1, 12, 10**30, True, False, None])
    return fuzz_string(rng)


def corpus(seed: int, n: int) -> list[Any]:
    rng = random.Random(seed)
    docs: list[Any] = []
    for _ in range(n):
        doc = {fuzz_key(rng): fuzz_value(rng, 1) for _ in range(rng.randrange(1, 6))}
        docs.append(doc if rng.random() < 0.9 else [fuzz_value(rng, 2) for _ in range(rng.randrange(1, 3))])
    return docs


def check(objects: list[Any]) -> None:
    """to_yaml, write_yaml and dump_yaml write PyYAML's bytes, and libyaml reads them back."""
    text = to_yaml(objects)
    assert text == pyyaml(objects)
    stream = io.BytesIO()
    write_yaml(objects, stream)
    assert stream.getvalue() == text.encode("utf-8")
    for obj in objects[:50]:
        assert dump_yaml(obj) == pyyaml([obj])[len("---\n"):]
    assert list(yaml.load_all(text, Loader=yaml.CSafeLoader)) == objects


@pytest.mark.parametrize("seed", range(8))
def test_fuzzed_objects_are_written_as_pyyaml_writes_them(seed: int) -> None:
    docs = corpus(seed, 150)
    for doc in docs:  # one by one first: a failure names the document
        assert to_yaml([doc]) == pyyaml([doc]), doc
    check(docs)


def test_keep_chomping_ends_only_the_stream() -> None:
    check([{"a": "x\n\n"}, {"b": "y\n"}])
    check([{"b": "y\n"}, {"a": "x\n\n"}])
    check([{"a": ["\n", "\n\nx\n", " lead\nx", "trail \nx", "x\n "]}])


def plan_dirs() -> list[Path]:
    return sorted({p.parent for root in ("examples", "tests") for p in (REPO / root).rglob("kvnet.yaml")})


@pytest.mark.parametrize("plan", plan_dirs(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_example_and_test_plan_is_written_as_pyyaml_writes_it(plan: Path) -> None:
    from kvnet.pipeline import BuildOptions, compile_paths

    result = compile_paths([str(plan)], BuildOptions())
    if not result.objects:
        pytest.skip(f"{plan} compiles to no objects")
    check(result.objects)


def _pure_plan_yaml(doc: Any) -> str:
    """What ``kvnet import`` wrote with PyYAML alone (its own Python emitter, width 80)."""
    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                                 style="|" if "\n" in v else None))
    return "---\n" + yaml.dump(doc, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


@pytest.mark.parametrize("seed", range(8))
def test_import_writer_writes_what_pyyaml_writes_at_width_80(seed: int) -> None:
    """kvnet.emit.dump_within (kvnet import's plans): PyYAML's pure-Python emitter's bytes at
    width 80 whenever it answers, on the fuzzed corpus and on lines around the width."""
    from kvnet.emit import dump_within

    rng = random.Random(seed)
    docs = corpus(seed, 300) + [{"k": "w " * n, "l": ["x" * n, "a b" * (n // 3)]} for n in range(30, 50)]
    docs += [{"spec": {"vms": [{"name": "vm", "note": " ".join(rng.choice(ONE_LINE) for _ in range(rng.randrange(1, 12)))}]}}
             for _ in range(300)]
    answered = 0
    for doc in docs:
        text = dump_within(doc, 80)
        if text is not None and isinstance(doc, dict) and doc:
            answered += 1
            assert text == _pure_plan_yaml(doc), doc
    assert answered > 100


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dash", [0, 2])
def test_sequence_items_are_the_documents_shifted(seed: int, dash: int) -> None:
    """A KRM ResourceList's items written in place (issue 28: ``kvnet fn``) are PyYAML's
    documents with every non-empty line shifted right, the first after the dash."""
    docs = [doc for doc in corpus(seed + 100, 150) if isinstance(doc, dict)]
    items = [sequence_items([doc], dash) for doc in docs]
    shifted = [" " * dash + "- " + re.sub(r"(?<=\n)(?=[^\n])", " " * (dash + 2), pyyaml([doc])[len("---\n"):])
               for doc in docs]
    covered = [(item, want) for item, want in zip(items, shifted, strict=True) if item is not None]
    assert len(covered) > len(docs) // 2
    assert [item for item, _ in covered] == [want for _, want in covered]
    assert sequence_items(docs, dash) == (None if None in items else "".join(i or "" for i in items))
