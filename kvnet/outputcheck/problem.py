"""One problem an output check finds in an emitted object."""

from __future__ import annotations

from enum import Enum
from typing import Iterable

PathT = tuple[str | int, ...]


class Cause(str, Enum):
    """What kind of problem a check found (as KubeVirt's admitter says with
    ``metav1.StatusCause{Type, Field}``, k8s.io/apimachinery pkg/apis/meta/v1/types.go): callers
    decide by this, never by the message."""

    INVALID = "FieldValueInvalid"  # a value the check refuses (the default)
    NOT_LISTS = "NotListsOfMappings"  # networks/interfaces are not lists of mappings
    NAME_TYPE = "NameNotString"
    DUPLICATE = "FieldValueDuplicate"
    UNPAIRED = "NetworksInterfacesUnpaired"
    POD_NETWORKS = "MoreThanOnePodNetwork"
    NETWORK_SOURCE = "NetworkSourceCount"
    NO_BINDING = "BindingMissing"
    BINDINGS = "BindingCount"
    MASQUERADE = "MasqueradeOffPodNetwork"
    MAC = "MacAddressInvalid"
    STATE = "InterfaceState"
    REQUIRED = "FieldValueRequired"  # a field the schema requires is missing
    UNKNOWN_FIELD = "FieldValueUnknown"  # a field the schema does not list
    HOST_BITS = "HostBitsSet"  # a subnet with host bits set
    OUTSIDE = "OutsideRange"  # an address or bound outside its subnet, or a pool end before its start


class Problem(str):
    """One problem: the line shown to people, which also knows where in the object it is.

    A ``str`` (the message, e.g. ``"spec.config.ipam.addresses[0].address: ..."``, usually led by
    its path written out), so it reads, compares and sorts as the text it is; ``path``: keys
    and list indexes from the object's root to the offending node (into the parsed JSON of a
    NAD's ``spec.config`` as ``("spec", "config", "ipam", ...)``), from which the pipeline
    locates a problem inside a VM's ``template``; ``cause``: its kind; ``subject``: the element
    it is about when it names one, as ``("interface" | "network", name)``.
    """

    path: PathT
    cause: Cause
    subject: tuple[str, str] | None

    def __new__(cls, path: PathT, message: str, cause: Cause = Cause.INVALID,
                subject: tuple[str, str] | None = None) -> Problem:
        problem = super().__new__(cls, message)
        problem.path = tuple(path)
        problem.cause = cause
        problem.subject = subject
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


def problem_at(path: PathT, text: str, cause: Cause = Cause.INVALID) -> Problem:
    """The problem ``text`` at ``path``, shown as ``"dotted.path[0]: text"``."""
    return Problem(path, f"{dotted_path(path)}: {text}", cause)
