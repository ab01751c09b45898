"""KV620, KV621: interface ``ports`` (name, protocol, port) where KubeVirt forwards them.

- KV620: ``ports`` on an interface whose binding does not forward ports. Only ``masquerade``
  (pkg/network/setup/netpod/masquerade/masquerade.go: nftables DNAT of the listed ports) and
  ``passt`` (cmd/sidecars/network-passt-binding/domain/configurator.go: passt's port forwards)
  read them, both on the pod network; KubeVirt's admitter validates them only there
  (pkg/network/admitter/netiface.go ``validatePortConfiguration``: ``network.Pod != nil``), and
  on a bridge, SR-IOV or plugin binding every port reaches the guest anyway: ports there only
  open container ports on the virt-launcher pod (pkg/virt-controller/services/rendercontainer.go
  ``containerPortsFromVMI``) and say something the VM does not do.
- KV621: what the admitter refuses of the ports themselves (netiface.go
  ``validateForwardPortsName``): a ``name`` that is not an IANA service name
  (k8s.io/apimachinery validation.IsValidPortName: 1-15 characters of ``a-z0-9-``, at least
  one letter, no leading, trailing or double '-') or used twice on the interface ("Duplicate
  name of the port"). A port out of 1..65535 or a protocol other than TCP/UDP
  (``validateForwardPortInRange``, ``validateForwardPortProtocol``) is the plan schema's.
"""

from __future__ import annotations

import re
from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts, binding_of
from kvnet.input.model import POD_NETWORK, VM, Interface, Plan
from kvnet.nettypes.bindings import PORT_BINDINGS
from kvnet.rules.bindings import known_interfaces

PORT_CONFIG = "kubevirt/kubevirt pkg/network/admitter/netiface.go validatePortConfiguration"
PORT_NAMES = "kubevirt/kubevirt pkg/network/admitter/netiface.go validateForwardPortsName"
_SVC_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def port_name_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA_SVC_NAME (k8s.io/apimachinery IsValidPortName), or None."""
    if len(name) > 15:
        return "longer than 15 characters"
    if not _SVC_NAME.match(name):
        return "not lower-case letters, digits and single inner '-'"
    if not any(c.isalpha() for c in name):
        return "without a letter"
    return None


def _label(vm: VM, iface: Interface) -> str:
    return f"VM {vm.name!r} interface {iface.network!r} (interfaces[{iface.index}])"


def _name_problems(vm: VM, iface: Interface, ports: list[dict[str, Any]]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for n, port in enumerate(ports):
        name = port.get("name")
        if not isinstance(name, str):
            continue
        why = port_name_problem(name)
        if why is None and name in seen:
            why = "used by an earlier port of the interface"
        seen.add(name)
        if why is not None:
            out.append(error("KV621", f"{_label(vm, iface)}: port name {name!r} is {why}; KubeVirt refuses the VM "
                             f"({PORT_NAMES})", iface.where.at("ports", n, "name"),
                             hint="give each port a distinct IANA service name such as 'http' or 'dns-udp', "
                                  "or leave 'name' out"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm, iface, net_type in known_interfaces(plan):
        if not iface.ports:
            continue
        binding = binding_of(iface, net_type)
        if binding not in PORT_BINDINGS or iface.network != POD_NETWORK:
            where = "on the pod network" if iface.network == POD_NETWORK else f"on network {iface.network!r}"
            out.append(error(
                "KV620", f"{_label(vm, iface)}: 'ports' with binding {binding!r} {where}: KubeVirt forwards ports only "
                f"with the {' or '.join(PORT_BINDINGS)} binding on the pod network ({PORT_CONFIG}); here every "
                "port already reaches the guest", iface.where.at("ports"),
                hint="remove 'ports' (the guest is reachable on every port), or put them on the pod network "
                     "interface with binding masquerade or passt"))
            continue
        out.extend(_name_problems(vm, iface, iface.ports))
    return out
