"""Who took a name, an address or a MAC first: the shared bookkeeping of the "already used" rules."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Union

from kvnet.input.facts import Facts

#: how a diagnostic names an owner (a position, ``VM 'a'``), or a function giving it: most
#: claims are never contested, and a position costs a lookup in the document
Owner = Union[str, Callable[[], object]]


def segment(network: str, facts: Facts) -> Hashable:
    """What an address or MAC is unique on: the network, or for an ``external`` network the NAD
    it attaches to (SPEC §9), which two external networks of a plan may share."""
    nf = facts.networks.get(network)
    net = nf.network if nf is not None else None
    return ("nad", net.nad) if net is not None and net.type == "external" and net.nad else network


class Claims:
    """The first owner of each key."""

    def __init__(self) -> None:
        self._first: dict[Hashable, Owner] = {}

    def claim(self, key: Hashable, owner: Owner) -> str | None:
        """The earlier owner of ``key`` (as text), or None after recording ``owner`` as its first."""
        earlier = self._first.get(key)
        if earlier is None:
            self._first[key] = owner
            return None
        return earlier if isinstance(earlier, str) else str(earlier())

    def __contains__(self, key: Hashable) -> bool:
        return key in self._first

    def keys(self) -> list[Hashable]:
        return list(self._first)
