"""Who took a name, an address or a MAC first: the shared bookkeeping of the "already used" rules."""

from __future__ import annotations

from collections.abc import Hashable


class Claims:
    """The first owner of each key (an owner is how a diagnostic names it: a position, ``VM 'a'``)."""

    def __init__(self) -> None:
        self._first: dict[Hashable, str] = {}

    def claim(self, key: Hashable, owner: str) -> str | None:
        """The earlier owner of ``key``, or None after recording ``owner`` as its first."""
        earlier = self._first.get(key)
        if earlier is None:
            self._first[key] = owner
        return earlier

    def __contains__(self, key: Hashable) -> bool:
        return key in self._first

    def keys(self) -> list[Hashable]:
        return list(self._first)
