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
