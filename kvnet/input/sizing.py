"""A VM's ``instancetype`` and ``preference`` references as KubeVirt's API names them."""

from __future__ import annotations

from typing import Any

#: virtctl's resource names (``virtctl create vm --instancetype KIND/NAME``) -> the kinds KubeVirt's API names
SIZING_KINDS = {
    "virtualmachineclusterinstancetype": "VirtualMachineClusterInstancetype",
    "virtualmachineinstancetype": "VirtualMachineInstancetype",
    "virtualmachineclusterpreference": "VirtualMachineClusterPreference",
    "virtualmachinepreference": "VirtualMachinePreference",
}


def sizing_ref(value: Any) -> dict[str, str] | None:
    """``instancetype``/``preference`` as ``{name, kind?}``: the mapping as written, or virtctl's
    string form ``NAME`` / ``KIND/NAME`` (issue 26: ``instancetype: u1.medium`` was refused)."""
    if not isinstance(value, str):
        return value  # type: ignore[no-any-return]
    kind, _, name = value.rpartition("/")
    return {"name": name, "kind": SIZING_KINDS[kind]} if kind else {"name": name}
