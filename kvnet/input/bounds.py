"""Bounds on everything one run reads (SPEC §4; issue #14): a budget shared by all files.

A run may read many files with many documents each; every bound holds for the whole run,
not per document, so splitting an attack over documents or files does not get round it:

* ``Limits.input_bytes`` of text in all, each file at most ``Limits.file_bytes`` (KV004); 64 MiB a
  file by default (a 20,000-VM plan's output is 38 MB), ``KVNET_MAX_INPUT_MB`` raises it;
* ``Limits.nodes`` YAML nodes in all (250,000 by default, ``KVNET_MAX_NODES`` raises it)
  plus one for every ``BYTES_PER_NODE`` bytes read, counting
  every node an alias expands to (KV003): the bound scales with the input. Plans and manifests
  take 12 to 18 bytes a node (kvnet's own output of 1,000 VMs: 17.4), so any of them passes
  at any size within the byte bound, while a file of bare flow items (``1,``: 2 bytes a node)
  is refused by libyaml counting its events in C before a node is built;
* ``Limits.alias_nodes`` of those reached through aliases ("billion laughs", KV003; 100,000 by
  default, ``KVNET_MAX_ALIAS_NODES`` raises it): an alias or merge bomb is refused after that
  many nodes, however small its text.

Memory and time stay within ~200 MB and ~2 s for an alias bomb (issue #28). Scalars
Kubernetes would refuse are refused here too, with their position: integers outside int64
(Kubernetes' JSON numbers; KV106), non-finite floats (JSON has none; KV106) and YAML 1.1
base-60 numbers such as ``1:30`` (libyaml reads 90; KV107).
"""

from __future__ import annotations

import math
import re
from kvnet.record import dataclass, field
from typing import Any, Callable, Mapping

from kvnet.diagnostics import Diagnostic, Loc, error

INPUT_ENV, ALIAS_ENV, NODES_ENV = "KVNET_MAX_INPUT_MB", "KVNET_MAX_ALIAS_NODES", "KVNET_MAX_NODES"
BYTES_PER_NODE = 8


@dataclass(frozen=True)
class Limits:
    """The bounds a user can raise: ``file_mb`` MiB a file (twice that for all files of a run;
    stdin and a KRM ResourceList are one file) and ``alias_nodes`` nodes reached through
    aliases in a run."""

    file_mb: int = 64
    alias_nodes: int = 100_000
    nodes: int = 250_000  # and one more for every BYTES_PER_NODE bytes read; a 2,000-VM plan has ~54,000

    @property
    def file_bytes(self) -> int:
        """The per-file bound in bytes."""
        return self.file_mb * 1024 * 1024

    @property
    def input_bytes(self) -> int:
        """The bound on all files of a run together, in bytes."""
        return 2 * self.file_bytes

    @property
    def raise_input(self) -> str:
        """The hint of a byte bound (KV004): how to raise it."""
        return f"set {INPUT_ENV} (now {self.file_mb}) to read larger files, or split the input"

    @property
    def raise_nodes(self) -> str:
        """The hint of the node bound (KV003): how to raise it."""
        return (f"a generated or hostile file? plans take 12 bytes a node; set {NODES_ENV} (now {self.nodes}) "
                "to allow more")


_limits = Limits()


def limits() -> Limits:
    """The bounds of this process (the defaults unless :func:`configure` changed them)."""
    return _limits


def configure(env: Mapping[str, str]) -> None:
    """Take the bounds from ``env`` (the console script passes ``os.environ`` before anything
    is read): ``KVNET_MAX_INPUT_MB``, ``KVNET_MAX_ALIAS_NODES`` and ``KVNET_MAX_NODES``, positive
    integers; any other value leaves the default."""
    global _limits
    default = Limits()
    _limits = Limits(_positive(env.get(INPUT_ENV), default.file_mb),
                     _positive(env.get(ALIAS_ENV), default.alias_nodes),
                     _positive(env.get(NODES_ENV), default.nodes))


def _positive(value: str | None, default: int) -> int:
    """``value`` as a positive integer, else ``default``."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else default


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# YAML 1.1 sexagesimal int/float (yaml.org/type/int.html, float.html): 190:20:30, 1:30.5
SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


class BoundError(Exception):
    """An input bound was crossed; ``diag`` says which, where."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


@dataclass
class Budget:
    """What is left for the rest of one run (create one per run and pass it to every load)."""

    nodes: int = field(default_factory=lambda: limits().nodes)
    aliases: int = field(default_factory=lambda: limits().alias_nodes)
    input_bytes: int = field(default_factory=lambda: limits().input_bytes)

    def take_bytes(self, size: int, where: Loc) -> None:
        """Account ``size`` bytes of one file; KV004 past the per-file or per-run bound."""
        bound = limits()
        if size > bound.file_bytes:
            raise BoundError(error("KV004", f"file is {size} bytes, over the {bound.file_bytes} byte limit",
                                   where, hint=bound.raise_input))
        self.input_bytes -= size
        if self.input_bytes < 0:
            raise BoundError(error("KV004", f"the input files together are over the {bound.input_bytes} byte "
                                   "limit", where, hint=bound.raise_input))

    def take_text(self, text: str) -> None:
        """One more text to read: one more node for every ``BYTES_PER_NODE`` characters of it."""
        self.nodes += len(text) // BYTES_PER_NODE

    def take_node(self, aliased: bool, where: Loc | Callable[[], Loc]) -> None:
        """Account one node built (``aliased``: reached through an alias); KV003 past a bound.

        ``where`` may be a function giving the position, so that a hot path builds no Loc for
        the nodes that pass."""
        self.nodes -= 1
        if aliased:
            self.aliases -= 1
        if self.nodes < 0 or self.aliases < 0:
            self.check(where() if callable(where) else where)

    def check(self, where: Loc) -> None:
        """KV003 at ``where`` when more nodes or alias expansions were taken than the run has."""
        if self.nodes < 0:
            raise BoundError(error("KV003", f"the input has more YAML nodes than {limits().nodes:,} and one "
                                   f"every {BYTES_PER_NODE} bytes", where, hint=limits().raise_nodes))
        if self.aliases < 0:
            raise BoundError(error(
                "KV003", f"alias expansion exceeds {limits().alias_nodes} nodes in this run", where,
                hint=f"a YAML alias bomb? write the values out instead of nesting anchors, or set {ALIAS_ENV} "
                     f"(now {limits().alias_nodes}) to allow more"))


# a document start marker: "---" at the start of a line, then a blank or the end (YAML 1.2 §9.1.2)
_DOCUMENT_START = re.compile(r"\n---(?=[ \t\r\n]|\Z)")


def document_texts(text: str) -> list[str]:
    """``text`` cut at its document start markers: each piece holds at most one document
    (libyaml ends a block or plain scalar at a marker in column 0 and refuses one inside a
    quoted scalar or a flow collection). A marker this misses (a line break other than
    ``\n``) only leaves a piece larger, so bounds drawn from the pieces stay safe."""
    return _DOCUMENT_START.split(text)


def prescan(text: str, shown: str, budget: Budget, loader_class: Any, largest: int | None = None) -> None:
    """Count the YAML events of ``text`` without building anything, stopping as soon as the
    node budget is spent (libyaml composes a whole document before kvnet sees a node). Only
    needed when one document could hold more nodes than the budget has left (``largest``: the
    size of the largest piece of :func:`document_texts`, default the whole text; each document
    is counted against the budget as soon as it is composed): a node takes at least two
    characters (``1,``), and a node follows a separator (``,:-[{?`` or a line break) that it
    shares at most with the collection it opens."""
    if (len(text) if largest is None else largest) // 2 < budget.nodes:
        return
    separators = sum(text.count(c) for c in ",:-[{?\n")
    if 2 * (separators + 1) < budget.nodes:
        return
    import yaml

    raw = getattr(loader_class(text), "raw_parse", None)  # libyaml counts every event in C
    try:
        events = raw() if raw is not None else None
    except yaml.YAMLError:
        events = None  # the loop below (or the composer) reports it where it is
    if events is not None and events <= budget.nodes:  # a node is at least one event
        return
    # a collection is two events, a document two, the stream two: past this, surely too many nodes,
    # said at once (counting up to a large budget in Python would take seconds)
    if events is not None and (events - 2 * text.count("\n---") - 4) // 2 > budget.nodes:
        raise BoundError(error("KV003", f"the input has more than {budget.nodes} YAML nodes ({events} YAML events)",
                               Loc(shown, 1, 1), hint=limits().raise_nodes))
    left = budget.nodes
    loader = loader_class(text)
    node_events = {yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent}  # exact classes
    try:
        for event in iter(loader.get_event, None):  # a quarter less CPU than check_event/isinstance
            if event.__class__ in node_events:
                left -= 1
                if left < 0:
                    mark = event.start_mark
                    raise BoundError(error("KV003", f"the input has more than {budget.nodes} YAML nodes",
                                           Loc(shown, mark.line + 1, mark.column + 1),
                                           hint=limits().raise_nodes))
    finally:
        loader.dispose()


def check_scalar(node: Any, value: Any, where: Loc) -> None:
    """KV106/KV107 for a scalar value Kubernetes would refuse or kvnet would misread."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if not node.style and ":" in node.value and SEXAGESIMAL.match(node.value):
        raise BoundError(error("KV107", f"{node.value!r} is a YAML 1.1 base-60 number ({value}), not the text "
                               f"{node.value}", where, hint=f'quote the value: "{node.value}"'))
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise BoundError(error("KV106", f"integer {node.value} is outside the 64-bit range Kubernetes accepts",
                               where))
    if isinstance(value, float) and not math.isfinite(value):
        raise BoundError(error("KV106", f"{node.value} is not a finite number (JSON and Kubernetes have none)",
                               where))


def _end_of(prefix: str, shown: str) -> Loc:
    """Line and column (1-based, in characters) just after ``prefix``."""
    return Loc(shown, prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1)


def decode_error_loc(raw: bytes, exc: UnicodeDecodeError, shown: str) -> Loc:
    """Line and column (1-based, in characters) of the first byte of ``raw`` that is not UTF-8."""
    return _end_of(raw[:exc.start].decode("utf-8-sig", "replace"), shown)


def reader_error_loc(text: str, offset: int, shown: str) -> Loc:
    """Line and column (1-based, in characters) of UTF-8 byte ``offset`` of ``text``
    (libyaml's ReaderError counts bytes of the UTF-8 stream it reads)."""
    return _end_of(text.encode("utf-8")[:max(offset, 0)].decode("utf-8", "ignore"), shown)
