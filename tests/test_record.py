"""kvnet.record behaves as the standard library's dataclasses for every shape kvnet uses (issue 28):
the same class body decorated by both, instances compared on construction, equality, hashing,
repr, ordering, frozenness, slots, ``replace``, ``__post_init__`` and inheritance; and every
record class in kvnet against a ``dataclasses`` twin built from its fields."""

from __future__ import annotations

import dataclasses
import copy
import re
from pathlib import Path
from typing import Any

import pytest

import kvnet
from kvnet import record

SHAPES: list[dict[str, Any]] = [{}, {"frozen": True}, {"frozen": True, "slots": True}, {"slots": True},
                                {"frozen": True, "order": True}, {"eq": False}, {"repr": False}]


def _pair(opts: dict[str, Any], fields_of: Any) -> tuple[type, type]:
    """The same class body decorated by dataclasses and by kvnet.record."""
    std = dataclasses.dataclass(**opts)(fields_of(dataclasses.field))
    ours = record.dataclass(**opts)(fields_of(record.field))
    return std, ours


def _body(field: Any) -> type:
    class Thing:
        name: str
        count: int = 3
        tags: tuple[str, ...] = field(default_factory=tuple)
        note: str = field(default="", compare=False, repr=False)
        cache: Any = field(default=None, hash=False)

        def label(self) -> str:
            return f"{self.name}:{self.count}"
    return Thing


def _observe(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    a, b, c = cls(*args, **kwargs), cls(*args, **kwargs), cls("other")
    out: dict[str, Any] = {"fields": [getattr(a, n) for n in ("name", "count", "tags", "note", "cache")],
                           "eq": (a == b, a == c, a != b, a.__eq__(object())), "repr": repr(a).partition("(")[2],
                           "label": a.label(), "match_args": cls.__match_args__,  # type: ignore[attr-defined]
                           "factory_fresh": a.tags is not b.tags, "hashable": cls.__hash__ is not None,
                           "slots": hasattr(cls, "__slots__"), "dict": hasattr(a, "__dict__")}
    if cls.__hash__ is not None:
        out["hash_equal"] = hash(a) == hash(b) if a == b else None
    try:
        a.count = 9
        out["set"] = a.count
    except AttributeError as exc:
        out["set"] = type(exc).__mro__[-3].__name__
    if getattr(cls.__dataclass_params__, "order", False):  # type: ignore[attr-defined]
        out["order"] = (a < c, a <= b, c > a, sorted([c, a]) == [a, c])
    return out


@pytest.mark.parametrize("opts", SHAPES, ids=[str(s) for s in SHAPES])
@pytest.mark.parametrize("call", [(("x",), {}), (("x", 5, ("t",), "n", 1), {}), (("y",), {"note": "m"})])
def test_same_behaviour_as_dataclasses(opts: dict[str, Any], call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    std, ours = _pair(opts, _body)
    assert _observe(ours, *call) == _observe(std, *call)
    assert dataclasses.is_dataclass(ours)
    assert [f.name for f in record.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    names = ("name", "count", "tags", "note", "cache")
    ours_changed = record.replace(ours(*call[0], **call[1]), count=7)
    std_changed = dataclasses.replace(std(*call[0], **call[1]), count=7)
    assert [getattr(ours_changed, n) for n in names] == [getattr(std_changed, n) for n in names]
    by_std = dataclasses.replace(ours(*call[0], **call[1]), count=7)  # the standard library's replace works too
    assert [getattr(by_std, n) for n in names] == [getattr(std_changed, n) for n in names]


def test_post_init_inheritance_explicit_methods_and_copy() -> None:
    seen = []

    @record.dataclass(frozen=True, slots=True)
    class Base:
        a: int
        b: int = 2

        def __post_init__(self) -> None:
            seen.append((self.a, self.b))

    @record.dataclass(frozen=True)
    class Child(Base):
        c: str = "c"

        def __repr__(self) -> str:
            return "mine"

    child = Child(1, c="z")
    assert (child.a, child.b, child.c, repr(child), seen) == (1, 2, "z", "mine", [(1, 2)])
    assert child.__match_args__ == ("a", "b", "c")
    base = Base(5)
    assert copy.copy(base) == base and copy.deepcopy(base) == base  # __getstate__/__setstate__ as for pickle
    with pytest.raises(AttributeError):
        del base.a


def test_kvnet_imports_no_dataclasses_module() -> None:
    """kvnet's classes are kvnet.record classes: no module but kvnet/record.py imports ``dataclasses``
    at run time (its import and per-method exec are the start-up cost issue 28 removes)."""
    root = Path(kvnet.__file__).parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "record.py"
                   and re.search(r"^(from dataclasses |import dataclasses)", p.read_text(encoding="utf-8"), re.M))
    assert users == []
