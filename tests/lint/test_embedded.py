"""kvnet.input.embedded reads many texts at once exactly as PyYAML's BaseLoader reads each alone."""

from __future__ import annotations

import random

import pytest
import yaml

from kvnet.input.embedded import Unreadable, read_texts

ALONE = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# fragments of networkData-like text, some of which read differently (or fail) in a stream
FRAGMENTS = [
    "version: 2\n", "ethernets:\n  eth0:\n    dhcp4: true\n", "  eth1:\n    addresses: [10.0.0.2/24]\n",
    "# only a comment\n", "", "---\n", "...\n", "--- a\n", "%YAML 1.1\n", "a: |+\n  kept\n\n", "b: >-\n  x\n",
    "c: 02:5e:10:00:00:20\n", "d: &x {e: 1}\nf: *x\n", "g: [1, {h: 2}]\n", "i: 'q\n", "j: \"\\t\"\n",
    "k: [unclosed\n", "? [l]\n: m\n", "n:\r  o\n", "\ufeffp: 1\n", "  q: indented\n", "r: ~\n", "- s\n", "t",
    "<<: {u: 1}\n", "v: 1\nv: 2\n", "w: \x07\n",
]


def _alone(text: str) -> object:
    try:
        return yaml.load(text, Loader=ALONE)
    except yaml.YAMLError as exc:
        return Unreadable(str(exc.problem if isinstance(exc, yaml.MarkedYAMLError) else exc))


def _same(got: object, want: object) -> bool:
    if isinstance(want, Unreadable):  # the message says what PyYAML's says
        return isinstance(got, Unreadable) and want.message.splitlines()[0] in got.message
    return got == want


@pytest.mark.parametrize("seed", range(40))
def test_every_text_reads_as_it_does_alone(seed: int) -> None:
    rng = random.Random(seed)
    texts = ["".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(1, 12))]
    got = read_texts(texts)
    assert len(got) == len(texts)
    for text, value in zip(texts, got, strict=True):
        assert _same(value, _alone(text)), (text, value)


def test_plain_networkdata_texts_read_in_one_stream() -> None:
    texts = [f"version: 2\nethernets:\n  eth0:\n    match: {{macaddress: 02:00:00:00:00:{i:02x}}}\n"
             for i in range(50)]
    got = read_texts(texts)
    assert [g["ethernets"]["eth0"]["match"]["macaddress"] for g in got] == \
        [f"02:00:00:00:00:{i:02x}" for i in range(50)]


def test_an_alias_gives_the_same_object_and_empty_text_no_document() -> None:
    anchored, empty, comment = read_texts(["a: &x [1]\nb: *x\n", "", "# nothing\n"])
    assert anchored["a"] is anchored["b"] and anchored == {"a": ["1"], "b": ["1"]}
    assert empty is None and comment is None
