"""kvnet.input.loader: data and positions equal PyYAML's own reading, whatever path the builder takes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from kvnet.input.bounds import BYTES_PER_NODE, Budget, document_texts, limits
from kvnet.input.keys import document_non_string_key
from kvnet.input.loader import LoadError, load_text, loader_class
from kvnet.input.tabs import first_bad_tab

TEXTS = {
    "flow and block": "a: [1, {b: c}]\nd:\n  - e: 0x1f\n    f: ~\n    g: 'yes'\n    h: yes\n",
    "merge and override": "base: &b {x: 1, y: 2}\nk:\n  <<: *b\n  y: 3\n  z: 4\n",
    "override before merge": "base: &b {x: 1, y: 2}\nk:\n  y: 3\n  <<: [*b, {z: 5, x: 9}]\n",
    "non-string keys": "1: one\nnull: yes\n2.5: x\n",
    "several documents": "---\na: 1\n---\n- b\n- c: |\n    ---\n    text\n...\n---\nplain\n",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_data_is_what_pyyaml_reads(name: str) -> None:
    text = TEXTS[name]
    docs = load_text(text, "t.yaml")
    assert [d.data for d in docs] == list(yaml.safe_load_all(text))


def test_every_value_and_key_has_its_position() -> None:
    doc = load_text("a:\n  b: [x, {c: 1}]\n  d: text\n", "t.yaml")[0]
    assert doc.values[("a", "b", 1, "c")] == (2, 14)
    assert doc.keys[("a", "b", 1, "c")] == (2, 11)
    assert doc.keys[("a", "d")] == (3, 3) and doc.values[("a", "d")] == (3, 6)
    assert str(doc.loc(("a", "missing", 3))) == "t.yaml:2:3"  # the nearest enclosing node


def test_duplicate_key_names_the_first_line() -> None:
    with pytest.raises(LoadError) as exc:
        load_text("a:\n  b: 1\n  c: 2\n  b: 3\n", "t.yaml")
    diag = exc.value.diag
    assert (diag.code, diag.line, diag.column) == ("KV002", 4, 3)
    assert diag.message == "duplicate key 'b' (first at line 2)"


def test_a_key_written_twice_after_a_merge_is_a_duplicate() -> None:
    with pytest.raises(LoadError) as exc:
        load_text("base: &b {x: 1}\nk:\n  <<: *b\n  x: 2\n  x: 3\n", "t.yaml")
    assert (exc.value.diag.code, exc.value.diag.line) == ("KV002", 5)


def test_alias_expansion_is_counted_against_the_run() -> None:
    """b and c each expand the 4 nodes of the anchored sequence: 8 alias nodes."""
    text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
    budget = Budget(aliases=8)
    load_text(text, "one.yaml", budget=budget)
    assert budget.aliases == 0
    with pytest.raises(LoadError) as exc:
        load_text(text, "two.yaml", budget=budget)  # the same budget: the run has none left
    diag = exc.value.diag
    assert diag.code == "KV003" and f"{limits().alias_nodes}" in diag.message
    assert (diag.file, diag.line) == ("two.yaml", 1)  # an aliased node sits where its anchor is


def test_node_bound_refuses_with_position() -> None:
    with pytest.raises(LoadError) as exc:
        load_text("a: 1\nb: [2, 3]\n", "t.yaml", budget=Budget(nodes=5))  # the 15 characters add one node
    diag = exc.value.diag
    assert diag.code == "KV003" and "YAML nodes" in diag.message and (diag.line, diag.column) == (2, 8)  # node 7


def test_text_without_anchor_uses_no_alias_budget() -> None:
    budget = Budget()
    load_text("a: [1, 2]\nb: {c: d}\n", "t.yaml", budget=budget)
    assert budget.aliases == limits().alias_nodes and budget.nodes == Budget().nodes - 9 + 20 // BYTES_PER_NODE


def test_node_bound_scales_with_the_text() -> None:
    """A plan's text (about 12 bytes a node) passes however long; bare flow items (2 bytes) do not."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from genplan import plan_text

    load_text(plan_text(2000, 20, 3), "t.yaml", budget=Budget(nodes=10))
    with pytest.raises(LoadError) as exc:
        load_text("[" + "1," * 200_000 + "1]", "t.yaml", budget=Budget(nodes=10))
    assert exc.value.diag.code == "KV003"


@pytest.mark.parametrize("text,pieces", [
    ("a: 1\n---\nb: 2\n", 2),
    ("--- a\n--- b\n", 2),  # the first marker opens the text: one piece before it is empty of documents
    ("a: |\n  ---\n  b\n", 1),  # indented: content of a block scalar
    ("a: 1\n----\nb\n", 1),  # not a marker: a plain scalar
    ("a: 1\n---\tb\n---", 3),
])
def test_document_texts_cut_only_at_markers(text: str, pieces: int) -> None:
    assert len(document_texts(text)) == pieces
    assert "".join(document_texts(text)).count("\n") <= text.count("\n")


POSITION_TEXTS = [
    "a:\n  b: [x, {c: 1}]\n  d: text\n",
    "base: &b {x: 1, y: {z: 2}}\nk:\n  <<: *b\n  y: 3\nl: *b\n",
    "2: one\ntrue: [a, b]\n2.5: {c: d}\nnull: e\n",
    "- a\n- [b, [c, {d: e}]]\n- {}\n- []\n",
    "items:\n  - kind: X\n    spec: {config: '{}'}\n  - kind: Y\n",
]


@pytest.mark.parametrize("text", POSITION_TEXTS)
def test_positions_looked_up_in_the_graph_equal_the_tables(text: str) -> None:
    """Document.loc walks the kept node graph; the tables made from it must give the same
    answer for every path, for paths that go past a value, and for missing keys/indexes."""
    walked = load_text(text, "t.yaml")[0]
    tabled = load_text(text, "t.yaml")[0]
    paths = set(tabled.values) | set(tabled.keys)  # makes the tables of this one
    assert walked.root is not None and tabled.root is None
    probes = set(paths)
    for p in paths:
        probes |= {p + ("missing",), p + (99,), p + (0, "deeper"), p + ("z",)}
    for p in sorted(probes, key=repr):
        for key in (False, True):
            assert walked.loc(p, key=key) == tabled.loc(p, key=key), (p, key)
    assert walked.root is not None  # asking for positions does not table the walked document


def test_a_merged_in_key_is_placed_where_the_merged_mapping_writes_it() -> None:
    """A finding on a key a merge brought in points at that key (not at '<<' or the parent)."""
    doc = load_text("base: &b {x: 1}\nk:\n  <<: [{y: 2}, *b]\n  z: 3\n", "t.yaml")[0]
    assert doc.data["k"] == {"z": 3, "y": 2, "x": 1}
    assert str(doc.loc(("k", "x"), key=True)) == "t.yaml:1:11"
    assert str(doc.loc(("k", "x"))) == "t.yaml:1:14"
    assert str(doc.loc(("k", "y"), key=True)) == "t.yaml:3:9"
    assert doc.keys[("k", "x")] == (1, 11)  # the tables say the same


def test_a_byte_that_is_not_utf8_is_placed_at_its_line_and_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kvnet.input.loader import load_file

    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\n# café au lait\n".encode("latin-1"))
    with pytest.raises(LoadError) as exc:
        load_file(str(path), "latin1.yaml")
    diag = exc.value.diag
    assert (diag.code, diag.line, diag.column) == ("KV001", 2, 6) and "at byte 10" in diag.message


TAB_DOC = "a: 1  # x\nb:\n  - c: 'd e'\n    f: [1, 2]\n  - g: |\n      h i\n"


@pytest.mark.parametrize("at", range(len(TAB_DOC) + 1))
def test_a_tab_is_read_only_where_every_python_yaml_reader_reads_it(at: int) -> None:
    """A tab at each place of a small document: kvnet reads what PyYAML's pure-Python loader and
    ruamel.yaml read, and it reads it alike; the other places are KV001 at the tab or libyaml's
    own error (kvnet.input.tabs)."""
    from ruamel.yaml import YAML

    text = TAB_DOC[:at] + "\t" + TAB_DOC[at:]
    try:
        (doc,) = load_text(text, "t.yaml")
    except LoadError as exc:
        assert exc.diag.code == "KV001"
        try:
            bad = first_bad_tab(text, loader_class())
        except yaml.YAMLError:
            bad = None  # libyaml's own error
        if bad is not None:
            line = text[:at].count("\n") + 1
            assert (exc.diag.line, exc.diag.column) == (line, at - text.rfind("\n", 0, at))
        return
    assert doc.data == yaml.load(text, Loader=yaml.SafeLoader) == YAML(typ="safe", pure=True).load(text)


def test_loader_says_when_every_key_is_a_string() -> None:
    """The loader notes that a document has only string keys, so the KV102 walk over the data is
    skipped (issue 28); a key of another type, also one merged in, is still found."""
    plain, merged, numbered = load_text("a: {b: [c]}\n---\nx: &m {1: y}\nz: {<<: *m}\n---\nn: {2: x}\n", "f.yaml")
    assert plain.string_keys and document_non_string_key(plain) is None
    assert not merged.string_keys and document_non_string_key(merged) == ("x", 1)
    assert not numbered.string_keys and document_non_string_key(numbered) == ("n", 2)
