"""A running VMI against the plan: ``status.interfaces`` (KubeVirt's
``VirtualMachineInstanceNetworkInterface``: ``name``, ``mac``, ``ipAddress``, ``ipAddresses``,
``interfaceName``, ``infoSource``, ``queueCount``, ``linkState``; staging/src/kubevirt.io/api/
core/v1/types.go) and interfaces still waiting for their hot-plug.

``infoSource`` is a ``, ``-joined set of ``domain`` (the interface is in the libvirt domain),
``guest-agent`` (the guest agent reported it: only then are the guest's addresses known) and
``multus-status`` (the pod has the network). An interface of the VM's spec that the VMI's
status lacks, or has without ``domain``, is pending hot-plug (pkg/network/controllers/vm.go
adds it to the VMI; virt-handler attaches it).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.model import Plan
from kvnet.lint.objects import Found

ABSENT = "absent"


def _sources(status: dict[str, Any]) -> set[str]:
    return {s.strip() for s in str(status.get("infoSource") or "").split(",") if s.strip()}


def _plan_addresses(plans: Sequence[Plan], ns: str, vm: str) -> dict[str, str]:
    """Interface (network) name -> the address the plan gives the guest (no prefix)."""
    for plan in plans:
        if (plan.namespace or "") != ns:
            continue
        for model in plan.vms:
            if model.name == vm:
                return {i.network: i.address.split("/")[0] for i in model.interfaces if i.address}
    return {}


def _same_ip(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.split("/")[0]) == ipaddress.ip_address(b.split("/")[0])
    except ValueError:
        return a == b


def _interface(vmi: Found, n: int, st: dict[str, Any], want: dict[str, Any], address: str | None) -> list[Diagnostic]:
    """KV415 for one status interface whose MAC, guest-reported address or link state is not the plan's."""
    out: list[Diagnostic] = []
    name = st.get("name")
    at = ("status", "interfaces", n)
    mac = want.get("macAddress")
    if mac and st.get("mac") and str(st["mac"]).lower() != str(mac).lower():
        out.append(error("KV415", f"{vmi.label}: interface {name!r} has MAC {st['mac']}, the plan {mac}",
                         vmi.loc(*at, "mac"), hint="restart the VM to get the plan's MAC"))
    ips = [str(ip) for ip in (st.get("ipAddresses") or ([st["ipAddress"]] if st.get("ipAddress") else []))]
    if address and "guest-agent" in _sources(st) and not any(_same_ip(ip, address) for ip in ips):
        out.append(error("KV415", f"{vmi.label}: the guest reports {', '.join(ips) or 'no address'} on interface "
                         f"{name!r}, the plan {address}", vmi.loc(*at), hint="the guest applies the plan's "
                         "networkData at its next boot when its cloud-init re-applies network config (updates)"))
    wanted_link = "down" if want.get("state") == "down" else "up"
    if st.get("linkState") in ("up", "down") and st["linkState"] != wanted_link:
        out.append(error("KV415", f"{vmi.label}: interface {name!r} link is {st['linkState']}, the plan "
                         f"{wanted_link}", vmi.loc(*at, "linkState")))
    return out


def _pending(vmi: Found, iface_name: str, want: dict[str, Any],
             got: tuple[int, dict[str, Any]] | None) -> Diagnostic | None:
    """KV416 when the VMI's status says a hot-unplug (``state: absent`` still attached) or a
    hot-plug (not in the status, or not reported by the domain) of ``iface_name`` is pending
    (KubeVirt's VMI status interfaces[].infoSource; docs user-guide network/hotplug_interfaces)."""
    if want.get("state") == ABSENT:
        if got is None:
            return None
        return warning("KV416", f"{vmi.label}: interface {iface_name!r} is still attached; its "
                       "hot-unplug (state: absent) is pending", vmi.loc("status", "interfaces", got[0]))
    if got is not None and "domain" in _sources(got[1]):
        return None
    seen = "not in its status" if got is None else f"reported by {got[1].get('infoSource')!r} only"
    return warning("KV416", f"{vmi.label}: interface {iface_name!r} is {seen}: its hot-plug is pending "
                   "(or the VM must restart to get it)",
                   vmi.loc("status", "interfaces", got[0]) if got else vmi.loc("status"),
                   hint="hot-plug needs the bridge or SR-IOV binding, thick Multus and the "
                        "multus-dynamic-networks-controller; else restart the VM")


def _template_interfaces(vm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compiled VM's template interfaces by name."""
    spec = ((vm.get("spec") or {}).get("template") or {}).get("spec") or {}
    return {i["name"]: i for i in ((spec.get("domain") or {}).get("devices") or {}).get("interfaces") or []
            if isinstance(i, dict) and "name" in i}


def vmi_findings(vm: dict[str, Any], plans: Sequence[Plan], vmi: Found | None) -> list[Diagnostic]:
    """Findings of the VMI of the compiled VM ``vm`` (none when it does not run)."""
    if vmi is None:
        return []
    meta = vm.get("metadata") or {}
    ns, name = str(meta.get("namespace") or ""), str(meta.get("name"))
    statuses = {s.get("name"): (n, s) for n, s in enumerate(vmi.get("status", "interfaces") or [])
                if isinstance(s, dict)}
    addresses = _plan_addresses(plans, ns, name)
    out: list[Diagnostic] = []
    for iface_name, want in sorted(_template_interfaces(vm).items()):
        got = statuses.get(iface_name)
        pending = _pending(vmi, iface_name, want, got)
        if pending is not None:
            out.append(pending)
        elif got is not None and want.get("state") != ABSENT:
            out += _interface(vmi, got[0], got[1], want, addresses.get(iface_name))
    return out
