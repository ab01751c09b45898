"""Dataclasses at a start-up cost a short command can afford (issue 28: start-up).

``from kvnet.record import dataclass, field, replace`` is ``dataclasses``' API as kvnet uses it
(``frozen``, ``slots``, ``order``, ``eq``, ``repr``; ``field(default=, default_factory=,
compare=, hash=, repr=)``; ``replace``) with the behaviour of CPython's ``Lib/dataclasses.py``
(3.11): fields in definition order after the base classes' fields; ``__init__`` with defaults and
factories, then ``__post_init__``; ``__eq__`` on the compared fields of the same class;
``__hash__`` by the ``_hash_action`` table (frozen and eq: the hashed fields; eq alone: none);
``__repr__``; ``order``; a frozen class refuses ``__setattr__``/``__delattr__`` (an
``AttributeError``, as ``FrozenInstanceError`` is); ``slots`` rebuilds the class with
``__slots__`` (``_add_slots``); a method the class defines itself is kept; ``__match_args__``,
``__dataclass_fields__`` and ``__dataclass_params__`` are set, so ``dataclasses.is_dataclass``
holds. Type checkers see ``dataclasses`` itself (the names are re-exported under ``TYPE_CHECKING``).

Why (measured, issue 28): ``dataclasses`` compiles each generated method from source with its own
``exec`` (five to seven per frozen class) and imports ``inspect`` (with ``ast``, ``dis``,
``tokenize``): 27 ms of the ~80 ms ``kvnet build`` spent importing its 49 classes. Here one
``exec`` compiles a class's ``__init__`` (the hot method: a model per VM and interface), and
comparison, hashing, ``repr`` and ordering are shared functions over an ``operator.attrgetter``
of the class's fields.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, NamedTuple


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field: ``dataclasses.Field``'s attributes that kvnet's classes use (``init`` and
    ``_field_type`` let the standard library's ``dataclasses.replace`` work on a record too)."""

    __slots__ = ("name", "default", "default_factory", "compare", "hash", "repr", "init", "_field_type")

    def __init__(self, default: Any, default_factory: Any, compare: bool, hash: bool | None,  # noqa: A002
                 repr: bool) -> None:  # noqa: A002
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.hash = hash
        self.repr = repr
        self.init = True
        self._field_type = None  # neither a ClassVar nor an InitVar


class Params(NamedTuple):
    """The decorator's keywords, kept as ``__dataclass_params__``."""

    frozen: bool
    eq: bool
    order: bool
    repr: bool


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record (``dataclasses.FrozenInstanceError``'s role)."""


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
    from dataclasses import field as field
    from dataclasses import replace as replace
else:
    def dataclass(cls: Any = None, /, *, frozen: bool = False, slots: bool = False, order: bool = False,
                  eq: bool = True, repr: bool = True) -> Any:  # noqa: A002 (dataclasses' keyword)
        """``dataclasses.dataclass`` with the keywords kvnet uses: the class, or a decorator."""

        def wrap(klass: type) -> type:
            return _process(klass, Params(frozen, eq, order, repr), slots)

        return wrap if cls is None else wrap(cls)

    def field(*, default: Any = MISSING, default_factory: Any = MISSING, compare: bool = True,
              hash: bool | None = None, repr: bool = True) -> Any:  # noqa: A002
        """``dataclasses.field`` (``init`` and ``kw_only`` are not used by kvnet)."""
        return Field(default, default_factory, compare, hash, repr)

    def replace(obj: Any, /, **changes: Any) -> Any:
        """``dataclasses.replace``: a new instance with ``changes`` over ``obj``'s fields."""
        for name in obj.__dataclass_fields__:
            if name not in changes:
                changes[name] = getattr(obj, name)
        return obj.__class__(**changes)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order (``dataclasses.fields``)."""
    return tuple(obj.__dataclass_fields__.values())


def _collect(cls: type) -> dict[str, Field]:
    """The base classes' fields (reverse MRO), then this class's annotations in order."""
    out: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        out.update(getattr(base, "__dataclass_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(value, MISSING, True, None, True)
        f.name = name
        out[name] = f
        if isinstance(value, Field):  # the class attribute becomes the default, as in dataclasses
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    return out


def _init(cls_name: str, flist: list[Field], frozen: bool, post_init: bool) -> Callable[..., None]:
    """``__init__`` compiled from source once per class (the shape ``dataclasses`` generates)."""
    env: dict[str, Any] = {"__s": object.__setattr__, "__M": MISSING}
    params, body = ["self"], []
    for f in flist:
        value = f.name
        if f.default_factory is not MISSING:
            env[f"__f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=__M")
            value = f"__f_{f.name}() if {f.name} is __M else {f.name}"
        elif f.default is not MISSING:
            env[f"__d_{f.name}"] = f.default
            params.append(f"{f.name}=__d_{f.name}")
        else:
            params.append(f.name)
        body.append(f"__s(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    src = f"def __init__({', '.join(params)}):\n " + ("\n ".join(body) or "pass") + "\n"
    exec(src, env)  # noqa: S102 (kvnet's own field names; dataclasses does the same)
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls_name}.__init__"
    return init


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function of an instance giving the tuple of ``names``' values (``attrgetter``, in C)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _methods(flist: list[Field], params: Params) -> dict[str, Any]:
    """``__eq__``, ``__repr__`` and the ordering methods the flags ask for (shared code, no exec)."""
    out: dict[str, Any] = {}
    key = _getter([f.name for f in flist if f.compare])
    if params.eq:
        def __eq__(self: Any, other: Any) -> Any:
            return key(self) == key(other) if other.__class__ is self.__class__ else NotImplemented
        out["__eq__"] = __eq__
    if params.repr:
        shown = [f.name for f in flist if f.repr]

        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({inner})"
        out["__repr__"] = __repr__
    if params.order:
        def compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
            return lambda self, other: (op(key(self), key(other)) if other.__class__ is self.__class__
                                        else NotImplemented)
        out.update(__lt__=compare(lambda a, b: a < b), __le__=compare(lambda a, b: a <= b),
                   __gt__=compare(lambda a, b: a > b), __ge__=compare(lambda a, b: a >= b))
    return out


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _hash(cls: type, flist: list[Field], params: Params) -> Any:
    """``dataclasses._hash_action`` without ``unsafe_hash``: the ``__hash__`` to set, or MISSING
    (leave it). Eq and frozen: a hash of the hashed fields; eq alone: None (unhashable); a
    ``__hash__`` the class defines stays."""
    own = cls.__dict__.get("__hash__", MISSING)
    explicit = not (own is MISSING or (own is None and "__eq__" in cls.__dict__))
    if explicit or not params.eq:
        return MISSING
    if not params.frozen:
        return None
    key = _getter([f.name for f in flist if (f.compare if f.hash is None else f.hash)])

    def __hash__(self: Any) -> int:
        return hash(key(self))
    return __hash__


def _process(cls: type, params: Params, slots: bool) -> type:
    """Give ``cls`` its fields and generated methods (``dataclasses._process_class``)."""
    table = _collect(cls)
    flist = list(table.values())
    forced: dict[str, Any] = {"__dataclass_fields__": table, "__dataclass_params__": params}
    hash_method = _hash(cls, flist, params)
    if hash_method is not MISSING:
        forced["__hash__"] = hash_method
    new: dict[str, Any] = {"__init__": _init(cls.__qualname__, flist, params.frozen,
                                            hasattr(cls, "__post_init__")),
                           "__match_args__": tuple(table), **_methods(flist, params)}
    if params.frozen:
        new.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
    for name, value in new.items():
        if name not in cls.__dict__:
            setattr(cls, name, value)
    for name, value in forced.items():
        setattr(cls, name, value)
    return _add_slots(cls, table, params.frozen) if slots else cls


def _setstate(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)
    return __setstate__


def _add_slots(cls: type, table: dict[str, Field], frozen: bool) -> type:
    """The class again with ``__slots__`` of its own fields (``dataclasses._add_slots``); a frozen
    one pickles through ``__getstate__``/``__setstate__`` as there."""
    body = dict(cls.__dict__)
    inherited = {name for base in cls.__mro__[1:] for name in getattr(base, "__slots__", ())}
    body["__slots__"] = tuple(name for name in table if name not in inherited)
    for name in (*table, "__dict__", "__weakref__"):
        body.pop(name, None)
    if frozen:
        names = tuple(table)
        body["__getstate__"] = lambda self: [getattr(self, name) for name in names]
        body["__setstate__"] = _setstate(names)
    out = type(cls)(cls.__name__, cls.__bases__, body)
    out.__qualname__ = cls.__qualname__
    return out
