"""The plan rules and KubeVirt admission checks, run on the model of existing manifests
(SPEC §8): the same rule modules ``kvnet validate`` runs on a plan, and the same admission
check every VirtualMachine kvnet emits passes."""

from __future__ import annotations

from kvnet.record import replace
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.facts import Facts, gather
from kvnet.input.model import Plan
from kvnet.lint.vms import KNOWN_STATES, VmInfo
from kvnet.outputcheck.admission import SPEC, check_vm_networks
from kvnet.outputcheck.problem import Cause, Problem
from kvnet.rules import (
    addressing,
    bindings,
    guest_vlans,
    host_local,
    iface_state,
    macs,
    multus_annotations,
    names,
    network_fields,
    persistent_ips,
    segments,
)
from kvnet.rules import across_plans
from kvnet.rules.host_local import WHEREABOUTS_TOO

LINT_RULES = (names.check, network_fields.check, bindings.check, iface_state.check, addressing.check,
              segments.check, host_local.check, persistent_ips.check, macs.check, multus_annotations.check,
              guest_vlans.check)
#: the findings of those rules that hold for manifests as well as plans; the others are about
#: plan fields (KV201 duplicate plan networks, KV208/KV209 plan field rules, KV242 kvnet's labels)
LINT_CODES = frozenset({"KV203", "KV205", "KV206", "KV211", "KV212", "KV213", "KV216", "KV217", "KV218",
                        "KV219", "KV220", "KV230", "KV236", "KV237", "KV240", "KV281", "KV292",
                        "KV329", "KV330", "KV331", "KV624"})
ADMISSION = "KV313"
#: hints said in manifest terms where the plan rule's hint speaks of plan fields
MANIFEST_HINTS = {
    "KV206": "the pod network needs no NAD: give the VM a network with 'pod: {}' (binding masquerade); "
             "name a secondary network's NAD otherwise",
    "KV281": "give each VM its address with the CNI static IPAM (one NAD per VM): 'kvnet import' then 'allocate:' "
             f"in the plan keeps addresses in kvnet.lock, across restart and live migration; {WHEREABOUTS_TOO}",
    "KV624": "give each VM its address with the CNI static IPAM (one NAD per VM): 'kvnet import' then 'allocate:' "
             "in the plan keeps addresses in kvnet.lock, across restart and live migration; on OVN-Kubernetes, "
             "'\"allowPersistentIPs\": true' in the NAD config keeps them in IPAMClaims",
    "KV236": "KubeVirt refuses the VM: leave 'state' out (up), or remove the interface and restart the VM",
    "KV237": "KubeVirt refuses the VM: remove the pod network and restart the VM, or set 'state: down'",
    "KV240": "KubeVirt writes the virt-launcher pod's networks annotation from spec.template.spec.networks; "
             "list the network there ('multus: {networkName: NAD}') and remove the annotation",
}
#: admission causes the plan rules report (KV205 more than one pod network, KV230 masquerade off the
#: pod network); an interface without a binding gets KubeVirt's default
_LEFT_TO_RULES = frozenset({Cause.POD_NETWORKS, Cause.MASQUERADE, Cause.NO_BINDING})


def plan_findings(plan: Plan, facts: Facts | None = None) -> list[Diagnostic]:
    """The plan rules' findings on ``plan`` (with its ``facts``, gathered when not given) that
    apply to manifests. Network values were already checked on the NAD itself, so the facts' own
    findings are not repeated. A network rule about guests (KV219: a pool that cannot reach one)
    says nothing of a NAD no VM uses: pods may."""
    facts = facts if facts is not None else gather(plan)[0]
    used = {iface.network for vm in plan.vms for iface in vm.interfaces}
    out: list[Diagnostic] = []
    for rule in LINT_RULES:
        out.extend(replace(d, hint=MANIFEST_HINTS.get(d.code, d.hint)) for d in rule(plan, facts)
                   if d.code in LINT_CODES and not (d.code == "KV219" and _unused_network(d, used)))
    return out


def across_findings(pairs: Sequence[tuple[Plan, Facts]]) -> list[Diagnostic]:
    """The plan models of ``pairs`` (namespaces whose VMs share no NAD) against each other: one
    L2 segment is one address space whatever the namespace (:mod:`kvnet.rules.across_plans`)."""
    return [replace(d, hint="objects on one bridge and VLAN share its addresses and subnet, whatever their "
                    "namespace: give each its own address, or put them on different VLANs")
            for d in across_plans.check(pairs, lambda plan: f"namespace {plan.namespace!r}")]


def _unused_network(diag: Diagnostic, used: set[str]) -> bool:
    return diag.about is not None and diag.about[0] == "network" and diag.about[1] not in used


def admission_findings(vms: Sequence[VmInfo]) -> list[Diagnostic]:
    """KubeVirt's admission rules on networks and interfaces (KV313; a bad macAddress is KV217).

    Left to the plan rules: more than one pod network (KV205) and masquerade off the pod network
    (KV230). An interface without a binding is not a problem here: KubeVirt gives it the default.
    """
    out: list[Diagnostic] = []
    for vm in vms:
        spec = vm.spec
        if "networks" not in spec and not _has_interfaces(spec):
            continue  # KubeVirt attaches the pod network itself
        wrapped = {"spec": {"template": {"spec": {"networks": spec.get("networks") or [],
                                                  "domain": {"devices": {"interfaces": _raw_interfaces(spec)}}}}}}
        for problem in check_vm_networks(wrapped):
            if problem.cause in _LEFT_TO_RULES or _known_state(wrapped, problem):
                continue
            code = "KV217" if problem.cause is Cause.MAC else ADMISSION
            out.append(error(code, f"VM {vm.found.name!r}: {problem}", _locate(vm, problem),
                             hint="KubeVirt rejects the VM: every interface needs a network of the same name, "
                                  "each with exactly one of pod or multus, and one binding" if code == ADMISSION
                             else None))
    return out


def _known_state(wrapped: dict[str, Any], problem: Problem) -> bool:
    """A problem with a state KubeVirt knows: the plan rules report it (KV236, KV237), as
    ``validate`` does; a state KubeVirt does not know stays an admission problem (KV313)."""
    path = problem.path
    if not path or path[-1] != "state" or not isinstance(path[-2], int):
        return False
    ifaces = wrapped["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"]
    return bool(ifaces[path[-2]].get("state") in KNOWN_STATES)


def _has_interfaces(spec: dict[str, Any]) -> bool:
    return bool(_interfaces(spec))


def _raw_interfaces(spec: dict[str, Any]) -> Any:
    """``domain.devices.interfaces`` as written ([] when absent)."""
    domain = spec.get("domain")
    devices = domain.get("devices") if isinstance(domain, dict) else None
    ifaces = devices.get("interfaces") if isinstance(devices, dict) else None
    return [] if ifaces is None else ifaces


def _interfaces(spec: dict[str, Any]) -> list[Any]:
    ifaces = _raw_interfaces(spec)
    return ifaces if isinstance(ifaces, list) else []


def _subject_loc(vm: VmInfo, problem: Problem) -> Loc | None:
    """The network or interface the problem names (its macAddress for a MAC problem), or None."""
    if not problem.subject:
        return None
    kind, name = problem.subject
    items = vm.spec.get("networks") if kind == "network" else _interfaces(vm.spec)
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and item.get("name") == name:
            path = ("networks", i) if kind == "network" else ("domain", "devices", "interfaces", i)
            return vm.loc(*path, "macAddress") if problem.cause is Cause.MAC else vm.loc(*path)
    return None


def _malformed_loc(vm: VmInfo) -> Loc:
    """The first networks/interfaces list that is no list, or its first entry that is no mapping;
    else the networks key."""
    for list_path in (("networks",), ("domain", "devices", "interfaces")):
        items = vm.found.get(*vm.spec_path, *list_path)
        if items is not None and not isinstance(items, list):
            return vm.loc(*list_path, key=True)
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                return vm.loc(*list_path, i)
    return vm.loc("networks", key=True)


def _locate(vm: VmInfo, problem: Problem) -> Loc:
    """The network or interface an admission problem names (its macAddress for a MAC problem),
    else where the problem's path leads; for lists that are not lists of mappings, the first
    entry (or list) that is not."""
    found = _subject_loc(vm, problem)
    if found is not None:
        return found
    rest = tuple(problem.path[len(SPEC):])
    if rest:
        return vm.loc(*rest, key=rest[-1] in ("networks", "interfaces"))
    return _malformed_loc(vm)
