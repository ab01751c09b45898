"""Assemble the plan model of a whole input: NADs to networks, VMs to VMs (SPEC §8)."""

from __future__ import annotations

import ipaddress
from kvnet.record import replace

from typing import Sequence

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.model import POD_NETWORK, GuestVlan, Held, Interface, Network, Plan
from kvnet.lint.convert import (
    Conversion, NadKey, build_segments, missing_nad, model_interface, model_vm, resolve_ref,
    static_addresses,
)
from kvnet.lint.nads import NadInfo, check_nad
from kvnet.lint.netdata import CloudInit, read_cloud_inits
from kvnet.lint.objects import NAD, SECRET, VM, VM_POOL, VMI, Found
from kvnet.lint.vms import read_vm


def assemble(objects: Sequence[Found]) -> Conversion:
    """The plan model of ``objects`` with the findings met on the way: NAD config problems,
    networkData problems and multus networks whose NAD is not in the input."""
    findings: list[Diagnostic] = []
    nads = _read_nads(objects, findings)
    secrets = {(f.namespace, f.name): f for f in objects if f.kind == SECRET}
    vms = [read_vm(f) for f in _first_of_each(objects, (VM, VMI, VM_POOL), findings)]
    refs: dict[tuple[int, int], NadKey] = {}
    users: dict[NadKey, set[tuple[str, str]]] = {}  # NAD -> (VM, its network's name)
    for n, vm in enumerate(vms):
        for nic in vm.nics:
            if nic.source != "multus" or nic.network_name is None:
                continue
            ref = resolve_ref(nic.network_name, vm.found.namespace, nads)
            if ref is None:
                findings.append(missing_nad(vm, nic, nads))
                continue
            refs[(n, nic.index)] = ref
            users.setdefault(ref, set()).add((vm.found.name, nic.name))
    groups = _namespace_groups([(vms[n].found.namespace, ref[0]) for (n, _), ref in refs.items()])
    segments = build_segments(nads, users, groups)
    conv = Conversion(groups=groups, segments=segments, findings=findings)
    for segment in segments:
        conv.plan(segment.namespace).networks.append(segment.network)
        for info in segment.nads:
            conv.segment_of[(info.found.namespace, info.found.name)] = segment
    for n, (vm, ci) in enumerate(zip(vms, read_cloud_inits(vms, secrets), strict=True)):
        findings.extend(ci.findings)
        interfaces: list[Interface] = []
        for nic in vm.nics:
            if nic.source == "pod":
                interfaces.append(model_interface(vm, nic, POD_NETWORK, (), None))
                continue
            nad_key = refs.get((n, nic.index))
            seg = conv.segment_of.get(nad_key) if nad_key is not None else None
            if seg is None or nad_key is None:
                continue  # unknown NAD (reported) or a NAD whose config could not be read
            addresses: tuple[str, ...] = ()
            at = None
            if seg.static:
                addresses, at = static_addresses(nads[nad_key]), nads[nad_key].config_at
            elif seg.network.ipam == "none":
                addresses = ci.address_for(nic.mac, nic.index)
                at = ci.at
            network = conv.network_in(vm.found.namespace, seg)
            iface = model_interface(vm, nic, network.name, addresses, at)
            interfaces.append(replace(iface, vlans=_guest_vlans(ci, nic.mac, nic.index)))
        model = model_vm(vm, ci, interfaces)
        conv.plan(vm.found.namespace).vms.append(model)
        conv.vms.append((vm, ci, model))
    _hold_unused_static(conv, set(refs.values()))
    _guest_subnets(conv)
    return conv


def _read_nads(objects: Sequence[Found], findings: list[Diagnostic]) -> dict[NadKey, NadInfo]:
    """Each NAD of ``objects`` read once by its (namespace, name); config problems and a NAD given
    twice go to ``findings``."""
    nads: dict[NadKey, NadInfo] = {}
    for found in objects:
        if found.kind == NAD:
            info, problems = check_nad(found)
            findings.extend(problems)
            key = (found.namespace, found.name)
            if key in nads:
                findings.append(twice(found, nads[key].found))
            else:
                nads[key] = info
    return nads


def _hold_unused_static(conv: Conversion, used: set[NadKey]) -> None:
    """The address of each static NAD no VM in the input uses is held on its network, so it is
    checked against the other addresses of its L2 segment (issue 24): pods and VMs that come
    later get it."""
    for segment in conv.segments:
        if not segment.static:
            continue
        for info in segment.nads:
            if (info.found.namespace, info.found.name) in used:
                continue
            for address in static_addresses(info):
                segment.network.held.append(Held(info.found.label, address, info.config_at))


def _namespace_groups(uses: list[tuple[str, str]]) -> dict[str, str]:
    """Namespace -> the key of its plan model: namespaces whose VMs use NADs of the other
    (``uses``: (VM namespace, NAD namespace)) share one, keyed by the first of them in sorted
    order. A NAD of no namespace joins none: it is applied where it is deployed."""
    parent: dict[str, str] = {}

    def root(ns: str) -> str:
        while parent.get(ns, ns) != ns:
            ns = parent[ns]
        return ns

    for vm_ns, nad_ns in uses:
        if nad_ns and nad_ns != vm_ns:
            a, b = sorted((root(vm_ns), root(nad_ns)))
            parent[b] = a
    return {ns: root(ns) for ns in parent}


def _guest_subnets(conv: Conversion) -> None:
    """An L2 NAD names no subnet: the first guest address on it (networkData) gives the segment's,
    so the other guests' addresses are checked against it (SPEC §8 "outside their subnet"). The
    networks are frozen: each one given a subnet is replaced wherever the conversion holds it."""
    new: dict[int, Network] = {}
    for plan in conv.plans.values():
        new.update(_plan_guest_subnets(plan))
    if not new:
        return
    for plan in conv.plans.values():
        plan.networks[:] = [new.get(id(n), n) for n in plan.networks]
    for segment in conv.segments:
        segment.network = new.get(id(segment.network), segment.network)
    conv.borrowed = {k: new.get(id(n), n) for k, n in conv.borrowed.items()}


def _plan_guest_subnets(plan: Plan) -> dict[int, Network]:
    """id of each L2 network of ``plan`` given a subnet -> the network with it."""
    # an OVN-Kubernetes network with a subnet is a pool (Network.address_pool): not inferred
    l2 = {n.name: n for n in plan.networks if n.ipam == "none" and n.subnet is None
          and nettypes.topology(n.type) is None}
    out: dict[int, Network] = {}
    for vm in plan.vms:
        for iface in vm.interfaces:
            net = l2.get(iface.network)
            if net is None or net.subnets or id(net) in out or not iface.addresses \
                    or any("/" not in a for a in iface.addresses):
                continue
            try:
                out[id(net)] = replace(net, subnets=tuple(str(ipaddress.ip_interface(a.strip()).network)
                                                          for a in iface.addresses))
            except ValueError:
                continue
    return out


def _first_of_each(objects: Sequence[Found], kinds: tuple[str, ...], findings: list[Diagnostic]) -> list[Found]:
    """The objects of ``kinds``, each (kind, namespace, name) once; KV250 for the others."""
    first: dict[tuple[str, str, str], Found] = {}
    for found in objects:
        if found.kind not in kinds:
            continue
        key = (found.kind, found.namespace, found.name)
        if key in first:
            findings.append(twice(found, first[key]))
        else:
            first[key] = found
    return list(first.values())


def twice(found: Found, first: Found) -> Diagnostic:
    """KV250 (the object set's rule): one NAD per namespace and name; the API server keeps one."""
    return error("KV250", f"{found.label} is in the input twice (first at {first.loc('metadata', 'name')}); "
                 "the cluster keeps only one of them", found.loc("metadata", "name"),
                 hint="remove or rename one; this check uses the first")


def _guest_vlans(ci: CloudInit, mac: str | None, index: int) -> list[GuestVlan]:
    """A NIC's guest VLANs as networkData gives them (each address of each VLAN positioned at the
    networkData, which has no positions of its own inside)."""
    at = ci.at
    if at is None:
        return []

    def address_at(_i: int) -> Loc:
        assert at is not None
        return at()

    return [GuestVlan(vid, addrs, at, address_at) for vid, addrs in ci.vlans_for(mac, index)]
