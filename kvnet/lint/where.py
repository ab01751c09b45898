"""Positions for plan elements that come from Kubernetes objects rather than a NetworkPlan.

The plan rules position a finding with ``where.at("binding")``, ``where.at("address")`` and so
on: plan field names. :class:`MappedWhere` answers those with the position of the object field
that holds the value (the binding key of a VM interface, the ``config`` key of a NAD, the
``networkData`` of a cloud-init volume), so the same rule code reports at FILE:LINE:COL of the
input YAML (SPEC §8).
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any, Callable

from kvnet.diagnostics import Loc
from kvnet.input.loader import PathT
from kvnet.input.model import Where


@dataclass
class MappedWhere(Where):
    """A :class:`Where` whose plan fields map to input positions.

    ``locs``: plan field -> its position, or a function giving it (most are never asked for;
    only a lone field is mapped: ``at("address")``);
    ``prefixes``: plan field -> the object path it stands for (``at("annotations", k)`` ->
    ``metadata.annotations.k``); ``fallback``: the position of every other field. Without it,
    the rest resolves under ``path`` as for a plan.
    """

    locs: dict[str, Loc | Callable[[], Loc]] = field(default_factory=dict)
    prefixes: dict[str, PathT] = field(default_factory=dict)
    fallback: Loc | None = None  # every other field: here (a NAD's ``config`` key)

    def at(self, *sub: Any, key: bool = False) -> Loc:
        if len(sub) == 1 and sub[0] in self.locs:
            loc = self.locs[sub[0]]
            return loc if isinstance(loc, Loc) else loc()
        if self.fallback is not None:
            return self.fallback
        if sub and sub[0] in self.prefixes:
            return self.doc.loc(self.prefixes[sub[0]] + tuple(sub[1:]), key=key)
        return self.doc.loc(self.path + tuple(sub), key=key)
