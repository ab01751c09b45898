"""What expansion yields: each object with the plan element it came from."""

from __future__ import annotations

from kvnet.record import dataclass
from typing import Any

from kvnet.diagnostics import Loc
from kvnet.input.model import VM


@dataclass(frozen=True)
class Emitted:
    """One emitted Kubernetes object (``obj``, a JSON-like dict) and its ``origin``: the position
    of the plan element it came from (a network's name, a VM's name, the interface of a per-VM
    static NAD, the VM's cloudInit, spec.cluster). ``vm`` is the VM a VirtualMachine was
    expanded from, so a problem inside its ``template`` can be located by path; ``passed_through``:
    a plain manifest beside the plan, emitted as written (its origin: its ``kind``)."""

    obj: dict[str, Any]
    origin: Loc
    vm: VM | None = None
    passed_through: bool = False  # a manifest of the input, not kvnet's (kvnet.input.manifests)
