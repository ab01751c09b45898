"""Checks that refine a table entry of :mod:`kvnet.diff.classes` from the two objects, where
KubeVirt's answer depends on more than the changed field (named by ``Rule.refine``)."""

from __future__ import annotations

from typing import Any, Callable

from kvnet.diff.classes import LIVE, RESTART, Rule

HOTPLUG_BINDINGS = ("bridge", "sriov")  # pkg/network/controllers/vm.go applyDynamicIfaceRequestOnVMI
ABSENT = "absent"


def interface(vm: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """The interface ``name`` of a VirtualMachine object (None when absent)."""
    if not vm:
        return None
    devices = (((vm.get("spec") or {}).get("template") or {}).get("spec") or {}).get("domain", {}).get("devices", {})
    for iface in devices.get("interfaces") or []:
        if isinstance(iface, dict) and iface.get("name") == name:
            return iface
    return None


def _hotplug(rule: Rule, item: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Rule:
    """A new interface: hot-plugged only with the bridge or SR-IOV binding (HOTPLUG), unless it
    is added already ``absent`` (then nothing happens)."""
    iface = interface(after, item)
    if iface is None or iface.get("state") == ABSENT:
        return rule
    if not any(b in iface for b in HOTPLUG_BINDINGS):
        binding = next((k for k in ("masquerade", "passt", "macvtap", "binding") if k in iface), "its")
        return Rule(RESTART, f"new interface with the {binding} binding: KubeVirt hot-plugs only bridge and "
                             "SR-IOV interfaces, so the VM must restart to get it", rule.source)
    if iface.get("model", "virtio") != "virtio":
        return Rule(RESTART, f"new interface of model {iface['model']!r}: KubeVirt hot-plugs only virtio "
                             "interfaces (user-guide hotplug/interfaces.md)", rule.source)
    return rule


def _unplugged(rule: Rule, item: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Rule:
    """A removed interface: fine once it was ``state: absent`` (KubeVirt unplugged it and
    ``clearDetachedIfacesFromVM`` drops it), a restart otherwise (NETRESTART)."""
    iface = interface(before, item)
    if iface is not None and iface.get("state") == ABSENT:
        return Rule(LIVE, "absent (unplugged) interface dropped from the VM", rule.source)
    return rule


def _state(rule: Rule, item: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Rule:
    """A state change: applied live, except out of ``absent`` (KubeVirt never plugs an absent
    interface back: ``shouldUpdateExistingIfaceState`` needs the VMI's state not absent)."""
    old = interface(before, item)
    if old is not None and old.get("state") == ABSENT:
        return Rule(RESTART, "interface back from 'absent': KubeVirt does not re-plug it; the VM must restart",
                    rule.source)
    return rule


REFINERS: dict[str, Callable[[Rule, str, dict[str, Any] | None, dict[str, Any] | None], Rule]] = {
    "hotplug": _hotplug,
    "unplugged": _unplugged,
    "state": _state,
}


def refined(rule: Rule, item: str | None, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Rule:
    """``rule`` after its refine check (if any) on the named ``item`` of the base/head objects."""
    if rule.refine is None or item is None:
        return rule
    return REFINERS[rule.refine](rule, item, before, after)
