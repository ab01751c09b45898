"""kvnet.input.safe_yaml builds the data PyYAML's own ``yaml.load(text, Loader=CSafeLoader)``
builds, or raises the same exception class (issue 28: userData and networkData read faster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from kvnet.input import safe_yaml

ROOT = Path(__file__).resolve().parents[1]
EDGES = [
    "#cloud-config\nhostname: a\n", "a: &x [1, *x]\n", "a: !!bool maybe\n", "a: !!map [1]\n",
    "<<: {a: 1}\nb: 2\n", "a: yes\nb: ~\nc: null\nd: Off\n", "- &a {x: 1}\n- *a\n", "", "# only\n",
    "a: 1\n---\nb: 2\n", "=: x\n", "? [a]\n: 1\n", "a: !!str 1\nb: !!null x\nc: 2001-01-01\n",
    "a: [0, -0, +1, 012, 0x1F, 0b11, 1_000, 1:30, -12, 99999999999999999999, !!int '7', !!int 08, 3.5, .inf]\n",
    "a: !!int\n", "a: !!int ''\n", "1: a\n", "a: {b: [c, {d: 1}]}\n", "[" * 150 + "]" * 150 + "\n",
    "a: [unclosed\n", "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n    dhcp4-overrides: {use-routes: false}\n",
]


def _texts() -> list[str]:
    out = list(EDGES)
    for path in sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/**/*.yaml")]):
        text = path.read_text(encoding="utf-8")
        out += [text, *text.split("\n---\n")]
    return out


def _outcome(load: Callable[[str], Any], text: str) -> tuple[str, str]:
    try:
        return "data", repr(load(text))  # repr tells 1 from True from '1', and shows shared/recursive parts
    except (yaml.YAMLError, RecursionError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return "raises", type(exc).__name__


@pytest.mark.skipif(not safe_yaml.available(), reason="PyYAML without libyaml (no yaml.CSafeLoader)")
def test_same_data_as_pyyaml_csafeloader() -> None:
    texts = _texts()
    assert len(texts) > 200
    differ = [t[:60] for t in texts
              if _outcome(safe_yaml.load, t) != _outcome(lambda s: yaml.load(s, Loader=yaml.CSafeLoader), t)]
    assert differ == []


@pytest.mark.skipif(not safe_yaml.available(), reason="PyYAML without libyaml (no yaml.CSafeLoader)")
def test_an_alias_is_the_same_object() -> None:
    data = safe_yaml.load("a: &x {k: v}\nb: *x\n")
    assert data["a"] is data["b"]
