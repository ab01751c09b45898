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


def test_rendered_documents_make_the_same_stream_and_files(tmp_path: Path) -> None:
    """kvnet.rendering (build's objects as text, issue 28): the stream of the documents rendered one
    at a time is to_yaml's, in every order (PyYAML's '...' after a keep-chomped block stays on the
    stream's last document only), and each file of 'build -o' is to_yaml of its object."""
    from kvnet.emit import file_name
    from kvnet.rendering import files, render_all, stream_text, write_stream

    kept = {"kind": "ConfigMap", "metadata": {"name": "keep"}, "data": {"keep": "a\n\n"}}
    for objects in (TRICKY, [kept, *TRICKY], [*TRICKY, kept], [kept, kept | {"metadata": {"name": "k2"}}]):
        documents = render_all(objects)
        assert stream_text(documents) == to_yaml(objects) == pyyaml(objects)
        path = tmp_path / "out.yaml"
        with open(path, "wb") as fh:
            write_stream(documents, fh)
        assert path.read_bytes() == to_yaml(objects).encode("utf-8")
    documents = render_all([kept, TRICKY[0]])
    assert files(documents) == {file_name(o): to_yaml([o]) for o in (kept, TRICKY[0])}


def test_build_and_build_o_write_what_the_objects_give(tmp_path: Path) -> None:
    """'kvnet build' renders each object as it is checked (BuildOptions.render): its stdout and
    its -o files are to_yaml of the objects a compile without rendering gives, for one directory,
    two (merged units) and with --include-manifests (a ConfigMap whose block ends the stream with '...')."""
    sys.path.insert(0, str(REPO / "bench"))
    from genplan import plan_text

    from dataclasses import replace

    from kvnet.emit import file_name
    from kvnet.pipeline import BuildOptions, compile_paths

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "kvnet.yaml").write_text(plan_text(4, 3, 2).replace("name: bench", f"name: {name}")
                                                    .replace("namespace: vms", f"namespace: ns-{name}"))
    (tmp_path / "a" / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, "
                                               "namespace: ns-a}\ndata: {keep: \"a\\n\\n\"}\n")
    cases = ([str(tmp_path / "a")], [str(tmp_path / "a"), str(tmp_path / "b")], ["--include-manifests",
                                                                                str(tmp_path / "a")])
    for n, args in enumerate(cases):
        options = BuildOptions(manifests=args[0] == "--include-manifests")
        objects = compile_paths(args[options.manifests:], options).objects
        assert objects and compile_paths(args[options.manifests:], replace(options, render=True)).objects == []
        res = subprocess.run([sys.executable, "-m", "kvnet", "build", *args], capture_output=True, check=True)
        assert res.stdout == to_yaml(objects).encode("utf-8")
        out = tmp_path / f"out{n}"
        subprocess.run([sys.executable, "-m", "kvnet", "build", "-o", str(out), *args], capture_output=True,
                       check=True)
        assert {p.name: p.read_text() for p in out.iterdir()} == {file_name(o): to_yaml([o]) for o in objects}


def test_json_of_an_object_is_at_most_six_times_its_yaml() -> None:
    """The bound kvnet.outputcheck.limits.size_problem relies on to skip measuring small objects as
    JSON (KV108): compact JSON bytes <= JSON_PER_YAML_CHAR x the characters of the YAML document,
    for the worst characters (escaped in both, quotes, backslashes, non-ASCII) and shapes."""
    import json
    import random

    from kvnet.outputcheck.limits import JSON_PER_YAML_CHAR
    from kvnet.rendering import render_all

    rng = random.Random(28)
    alphabet = ["\x00", "\x01", "\x1f", "\x7f", "\t", "\n", '"', "\\", "'", " ", "a", "é", "✓", "\U0001f600", "#",
                ":", "-", "\x85", "\u2028", "\ufeff"]

    def value(depth: int) -> Any:
        pick = rng.random()
        if depth < 3 and pick < 0.3:
            return {"".join(rng.choices(alphabet, k=rng.randint(1, 3))): value(depth + 1) for _ in range(rng.randint(0, 4))}
        if depth < 3 and pick < 0.5:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        if pick < 0.6:
            return rng.choice([0, -1, True, None, 2**40])
        return "".join(rng.choices(alphabet, k=rng.randint(0, 40)))

    objects = [*TRICKY[:2], *({"k": value(0), "e": "", "l": [[], {}, ""]} for _ in range(300))]
    for obj, doc in zip(objects, render_all(objects), strict=True):
        encoded = len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(errors="surrogatepass"))
        assert encoded <= JSON_PER_YAML_CHAR * len(doc.text), (obj, doc.text)
