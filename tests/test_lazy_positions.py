"""Positions of plan elements are looked up when a diagnostic reads them (issue 28): a
:class:`LazyLoc` stands for the :class:`Loc` it finds, in equality, hashing, order and text."""

from __future__ import annotations

from kvnet.diagnostics import LazyLoc, Loc, error
from kvnet.input.loader import load_text
from kvnet.input.model import Where


def test_lazy_loc_is_the_loc_it_finds() -> None:
    calls: list[int] = []

    def find() -> Loc:
        calls.append(1)
        return Loc("plan.yaml", 3, 5)

    lazy = LazyLoc(find)
    assert calls == []  # nothing looked up until read
    assert lazy == Loc("plan.yaml", 3, 5) and Loc("plan.yaml", 3, 5) == lazy
    assert hash(lazy) == hash(Loc("plan.yaml", 3, 5))
    assert sorted([Loc("plan.yaml", 4, 1), lazy, Loc("plan.yaml", 1, 1)])[1] is lazy
    assert str(lazy) == "plan.yaml:3:5" and lazy != Loc("plan.yaml", 3, 6)
    d = error("KV211", "x", lazy)
    assert (d.file, d.line, d.column) == ("plan.yaml", 3, 5)
    assert calls == [1]  # found once


def test_where_at_finds_the_field_in_the_yaml() -> None:
    text = "spec:\n  vms:\n    - name: a\n      interfaces:\n        - network: n1\n          state: down\n"
    docs = load_text(text, "plan.yaml")
    where = Where(docs[0], ("spec", "vms", 0, "interfaces", 0))
    assert str(where.at("state")) == "plan.yaml:6:18"
    assert str(where.at("state", key=True)) == "plan.yaml:6:11"
    assert str(where.at("missing")) == "plan.yaml:5:11"  # the nearest enclosing node


def test_released_graph_is_composed_again_for_a_position() -> None:
    """Past the rules a compile lets each document's node graph go (issue 28: memory); a position
    asked for later is found in the graph composed again from the text."""
    text = "a: 1\n---\nspec:\n  vms:\n    - name: a\n      state: down\n"
    docs = load_text(text, "plan.yaml")
    want = [str(doc.loc(("spec", "vms", 0, "state"))) for doc in docs]
    for doc in docs:
        doc.release()
        assert doc.root is None
    assert [str(doc.loc(("spec", "vms", 0, "state"))) for doc in docs] == want == ["plan.yaml:1:1", "plan.yaml:6:14"]
    assert docs[1].keys[("spec", "vms", 0, "state")] == (6, 7)

