"""KV236, KV237, KV238: an interface ``state`` KubeVirt refuses, or one that cannot carry the route.

KubeVirt's validating webhook checks every interface's state (kubevirt/kubevirt
pkg/network/admitter/admit.go ``validateInterfaceStateValue``, run by validator.go
``Validator.Validate`` on VM and VMI create and update); kvnet refuses the same combinations at
compile time, naming the interface, instead of an Argo CD sync that fails at the API server:

- ``up`` or ``down`` on an SR-IOV binding: "interface's state ... is not supported for SR-IOV
  NICs" (KV236). kvnet writes ``state`` only when the plan gives it: an SR-IOV interface without
  it is up (api core/v1 schema.go ``Interface.State``: "Empty value functions as 'up'");
- ``absent`` on any binding but ``bridge``: "is supported only for bridge binding" (KV236);
- ``absent`` on the pod network: "is not supported on default networks" (KV237; a pod network
  with the bridge binding reaches this one only).

KV238 is kvnet's own: ``defaultRoute: true`` on an ``absent`` interface, which gets no networkData.
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import POD_NETWORK, VM, Interface, Plan
from kvnet.rules.bindings import binding_of, known_interfaces

ADMITTER = "KubeVirt pkg/network/admitter/admit.go validateInterfaceStateValue"


def _binding_problem(binding: str, state: str | None) -> str | None:
    """Why KubeVirt refuses ``state`` on ``binding`` (admit.go), or None."""
    if binding == "sriov" and state in ("up", "down"):
        return f"KubeVirt does not support link state {state!r} on SR-IOV NICs"
    if state == "absent" and binding != "bridge":
        return f"KubeVirt hot-unplugs only interfaces with the 'bridge' binding, not {binding!r}"
    return None


def _problems(vm: VM, iface: Interface, net_type: str) -> list[Diagnostic]:
    binding = binding_of(iface, net_type)
    at = iface.where.at("state")
    label = f"VM {vm.name!r} interface {iface.network!r} (interfaces[{iface.index}])"
    out: list[Diagnostic] = []
    problem = _binding_problem(binding, iface.state)
    if problem is not None:
        hint = ("leave 'state' out (the VF is up), or remove the interface from the plan: the VM drops it "
                "on its next restart" if iface.state != "absent"
                else "remove the interface from the plan instead: the VM drops it on its next restart")
        out.append(error("KV236", f"{label}: state {iface.state!r} on binding {binding!r}: {problem} "
                         f"({ADMITTER})", at, hint=hint))
    if iface.state == "absent" and iface.network == POD_NETWORK:
        out.append(error("KV237", f"{label}: the pod network cannot be hot-unplugged (state 'absent'; "
                         f"{ADMITTER}: not supported on default networks)", at,
                         hint="remove the pod network from the plan (the VM drops it on its next restart), or "
                              "use 'state: down' to take its link down"))
    if iface.state == "absent" and iface.default_route:
        out.append(error("KV238", f"{label}: defaultRoute: true on an interface with state 'absent', which the "
                         "guest no longer has (it gets no networkData)", iface.where.at("defaultRoute"),
                         hint="move 'defaultRoute: true' to an attached interface"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    return [d for vm, iface, net_type in known_interfaces(plan) for d in _problems(vm, iface, net_type)]
