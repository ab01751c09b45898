"""A VM with an instance type sets no CPU or memory of its own (KV243).

KubeVirt fills CPU and memory from the VirtualMachine(Cluster)Instancetype and rejects a VM whose
template also sets them ("VM field(s) ... conflicts with selected instance type": KubeVirt user
guide, "Instance types and preferences"; pkg/instancetype/apply in kubevirt/kubevirt). So
``cpu``/``memory`` beside ``instancetype``, or a ``template`` that sets ``domain.cpu``,
``domain.memory`` or CPU/memory resources, is an error.
"""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import VM, Plan

CONFLICT = "KV243"
HINT = "remove it: the instance type sizes the VM (or drop 'instancetype' and size the VM with cpu/memory)"


def _template_paths(template: dict[str, Any]) -> list[tuple[str, ...]]:
    """Paths inside ``template`` that set what an instance type sets."""
    domain = template.get("domain")
    if not isinstance(domain, dict):
        return []
    out: list[tuple[str, ...]] = [("domain", key) for key in ("cpu", "memory") if key in domain]
    resources = domain.get("resources")
    if isinstance(resources, dict):
        for section in ("requests", "limits"):
            values = resources.get(section)
            if isinstance(values, dict):
                out.extend(("domain", "resources", section, key) for key in ("cpu", "memory") if key in values)
    return out


def _vm_problems(vm: VM) -> list[Diagnostic]:
    assert vm.instancetype is not None
    name = vm.instancetype.get("name")
    out: list[Diagnostic] = []
    for field_name, value in (("cpu", vm.cpu), ("memory", vm.memory)):
        if value is not None:
            out.append(error(CONFLICT, f"VM {vm.name!r}: {field_name} {value!r} conflicts with instancetype {name!r}; "
                             "KubeVirt rejects a VM that sets what its instance type sets",
                             vm.where.at(field_name), hint=HINT))
    for path in _template_paths(vm.template):
        out.append(error(CONFLICT, f"VM {vm.name!r}: template sets {'.'.join(path)}, which conflicts with "
                         f"instancetype {name!r}", vm.where.at("template", *path, key=True), hint=HINT))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV243 for every VM with ``instancetype`` that also sizes itself."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        if vm.instancetype is not None:
            out.extend(_vm_problems(vm))
    return out
