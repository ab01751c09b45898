"""Multus annotations and kvnet-owned fields never come from the input (SPEC §1 row 3)."""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan
from kvnet.labels import MANAGED_BY

MULTUS_ANNOTATIONS = frozenset({
    "k8s.v1.cni.cncf.io/networks",
    "v1.multus-cni.io/default-network",
    "k8s.v1.cni.cncf.io/network-status",
    "k8s.v1.cni.cncf.io/networks-status",
})
HINT = ("kvnet writes spec.template.spec.networks itself and KubeVirt derives the pod annotation from it; "
        "a hand-written annotation fights KubeVirt. Attach the network with 'interfaces: - network: NAME'")


def _annotation_paths(value: Any, path: list[Any], out: list[tuple[Any, ...]]) -> None:
    """The path of every Multus annotation key anywhere in ``value`` (``path``: where it is;
    a tuple is made only for a key found: a VM template is walked on every run)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in MULTUS_ANNOTATIONS:
                out.append((*path, k))
            if isinstance(v, (dict, list)):
                path.append(k)
                _annotation_paths(v, path, out)
                path.pop()
    else:
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                path.append(i)
                _annotation_paths(v, path, out)
                path.pop()


RESERVED_PREFIXES = ("kvnet.dev/",)
RESERVED_KEYS = frozenset({MANAGED_BY, "kubevirt.io/vm"})


def _reserved(key: str) -> bool:
    return key in RESERVED_KEYS or key.startswith(RESERVED_PREFIXES)


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm in plan.vms:
        for field_name, mapping in (("labels", vm.labels), ("annotations", vm.annotations)):
            for k in sorted(mapping):
                if _reserved(k):
                    out.append(warning("KV242", f"VM {vm.name!r}: {field_name[:-1]} {k!r} is kvnet's; the value "
                                       "given here is replaced", vm.where.at(field_name, k, key=True),
                                       hint=f"remove {k!r} from {field_name}"))
        for k in sorted(vm.annotations):
            if k in MULTUS_ANNOTATIONS:
                out.append(error("KV240", f"VM {vm.name!r}: Multus annotation {k!r} is not allowed",
                                 vm.where.at("annotations", k, key=True), hint=HINT))
        tpl = vm.template
        if "networks" in tpl:
            out.append(error("KV241", f"VM {vm.name!r}: template.networks is kvnet's; it is built from 'interfaces'",
                             vm.where.at("template", "networks", key=True),
                             hint="list the VM's networks under 'interfaces:'"))
        devices = (tpl.get("domain") or {}).get("devices") if isinstance(tpl.get("domain"), dict) else None
        if isinstance(devices, dict) and "interfaces" in devices:
            out.append(error("KV241", f"VM {vm.name!r}: template.domain.devices.interfaces is kvnet's; it is built "
                             "from 'interfaces'", vm.where.at("template", "domain", "devices", "interfaces", key=True),
                             hint="set binding, model and mac on the entries of 'interfaces:'"))
        found: list[tuple[Any, ...]] = []
        _annotation_paths(tpl, ["template"], found)
        out.extend(error("KV240", f"VM {vm.name!r}: Multus annotation {p[-1]!r} in the template",
                         vm.where.at(*p, key=True), hint=HINT) for p in found)
    return out
