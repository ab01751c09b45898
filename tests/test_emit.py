"""kvnet's YAML emission (kvnet.emit) against PyYAML's own representer, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from kvnet.emit import dump_yaml, to_yaml, write_yaml

REPO = Path(__file__).resolve().parents[1]


def pyyaml(objects: list[Any]) -> str:
    """What PyYAML's representer writes with kvnet's one rule (multi-line strings as blocks)."""

    class Dumper(yaml.CSafeDumper):
        pass

    def str_rep(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and not value.startswith((" ", "\t")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, str_rep)
    return yaml.dump_all(objects, Dumper=Dumper, sort_keys=False, default_flow_style=False, explicit_start=True,
                         allow_unicode=True, width=4096)


TRICKY: list[Any] = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "annotations": {}},
     "data": {"yes": "no", "on": "true", "n": "123", "f": "1.5", "e": "", "null": "~", "colon": "a: b",
              "hash": "a #b", "lead": " x", "multi": "#cloud-config\nhostname: a\n", "keep": "a\n\n",
              "strip": "a\nb", "spaced": "  a\nb", "tab": "\ta\n", "unicode": "café ✓", "quote": "it's",
              "dash": "- x", "bracket": "[x]", "dq": '"x"', "doc": "---", "long": "w " * 300}},
    {"list": [1, -2, True, False, None, [], {}, [[1, 2], {"a": [3]}]], "key\nwith newline": 1,
     "big": 2**70, 7: "int key", True: "bool key", None: "null key"},
    {"float": 1.5, "exp": 1e17, "nan": float("nan")},  # not built directly: PyYAML's representer
]


def test_emission_matches_pyyaml_byte_for_byte() -> None:
    assert to_yaml(TRICKY) == pyyaml(TRICKY)
    assert dump_yaml(TRICKY[0]) == pyyaml([TRICKY[0]])[len("---\n"):]


def test_shared_objects_keep_pyyaml_anchors() -> None:
    shared = {"a": 1}
    objs = [{"x": shared, "y": shared}, {"z": [shared, shared]}]
    out = to_yaml(objs)
    assert out == pyyaml(objs) and "&id001" in out


def test_streamed_bytes_equal_the_string(tmp_path: Path) -> None:
    path = tmp_path / "out.yaml"
    with open(path, "wb") as fh:
        write_yaml(TRICKY, fh)
    assert path.read_bytes() == to_yaml(TRICKY).encode("utf-8")


def test_build_streams_exactly_what_to_yaml_gives(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from genplan import plan_text

    from kvnet.pipeline import BuildOptions, compile_paths

    (tmp_path / "kvnet.yaml").write_text(plan_text(30, 5, 3).replace("hostname: vm-", "hostname: vmé-"))
    res = subprocess.run([sys.executable, "-m", "kvnet", "build", str(tmp_path)], capture_output=True, check=True)
    assert res.stdout == to_yaml(compile_paths([str(tmp_path)], BuildOptions()).objects).encode("utf-8")
