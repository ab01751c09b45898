"""One problem an output check finds in an emitted object."""

from __future__ import annotations

from typing import Iterable

PathT = tuple[str | int, ...]


class Problem(str):
    """One problem: the line shown to people, which also knows where in the object it is.

    A ``str`` (the message, e.g. ``"spec.config.ipam.addresses[0].address: ..."``, usually led by
    its path written out), so it reads, compares and sorts as the text it is; ``path``: keys
    and list indexes from the object's root to the offending node (into the parsed JSON of a
    NAD's ``spec.config`` as ``("spec", "config", "ipam", ...)``), from which the pipeline
    locates a problem inside a VM's ``template``.
    """

    path: PathT

    def __new__(cls, path: PathT, message: str) -> Problem:
        problem = super().__new__(cls, message)
        problem.path = tuple(path)
        return problem

    @property
    def message(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Problem(path={self.path!r}, message={self.message!r})"


def dotted_path(parts: Iterable[str | int]) -> str:
    """``("spec", "config", "ipam", "addresses", 0)`` as ``spec.config.ipam.addresses[0]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def problem_at(path: PathT, text: str) -> Problem:
    """The problem ``text`` at ``path``, shown as ``"dotted.path[0]: text"``."""
    return Problem(path, f"{dotted_path(path)}: {text}")
