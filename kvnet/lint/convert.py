"""NADs and VMs of existing manifests as kvnet's plan model (SPEC §8).

``kvnet lint`` runs the plan rules on the result (one rule, two front-ends) and ``kvnet import``
writes it out as a NetworkPlan. A NAD becomes a network; NADs with the CNI ``static`` IPAM that
differ only in their address are one network, as kvnet's per-VM static NADs ``<vm>-<network>``
are (SPEC §3 Addressing). A VM interface becomes a plan interface on the network of the NAD its
``multus.networkName`` names, with the address of that static NAD or of the VM's networkData.
"""

from __future__ import annotations

import json
from collections import Counter
from kvnet.record import dataclass, field, replace
from functools import partial
from typing import Any, Callable

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.input.loader import Document
from kvnet.input.model import POD_NETWORK, VM, Interface, Network, Plan, Where
from kvnet.lint.nad_network import loose_network, network_from_nad, str_or_none
from kvnet.lint.nads import NadInfo
from kvnet.lint.netdata import CloudInit
from kvnet.lint.objects import POD_META_PATH, VM_POOL, VMI
from kvnet.lint.vms import VmInfo, VmNic
from kvnet.lint.where import MappedWhere
from kvnet.netmath import bounded_name

MISSING_NAD = "KV306"
NadKey = tuple[str, str]  # (namespace, name)


@dataclass
class Segment:
    """One plan network: its NADs (several for per-VM static NADs) and the network built."""

    nads: list[NadInfo]
    network: Network  # its name: unique in its plan model (``<namespace>/<name>`` where needed)
    namespace: str
    static: bool = False
    name: str = ""  # unique in its namespace: the plan network ``kvnet import`` writes


@dataclass
class Conversion:
    """The plan model of manifests: one plan per namespace (a NetworkPlan has one namespace;
    NAD names are unique only within theirs), each segment in the plan of its NAD's namespace.
    Namespaces whose VMs use each other's NADs share one plan (``groups``), so addresses and
    MACs on a NAD are checked across all its VMs; a name two of them share is
    ``<namespace>/<name>`` there. A VM's network on a NAD of no namespace (applied where it is
    deployed) is in the VM's plan too, under ``<namespace>/<name>`` if its name is taken there."""

    groups: dict[str, str] = field(default_factory=dict)  # namespace -> the key of its plan
    plans: dict[str, Plan] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    segment_of: dict[NadKey, Segment] = field(default_factory=dict)
    vms: list[tuple[VmInfo, CloudInit, VM]] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    # (plan namespace, id of a foreign segment) -> its network in that plan
    borrowed: dict[tuple[str, int], Network] = field(default_factory=dict)

    def plan_key(self, namespace: str) -> str:
        """The key of the plan model ``namespace`` is in (:attr:`groups`, else its own)."""
        return self.groups.get(namespace, namespace)

    def plan(self, namespace: str) -> Plan:
        """The plan of ``namespace`` (made on first use)."""
        key = self.plan_key(namespace)
        if key not in self.plans:
            self.plans[key] = plan_for("lint", namespace or None)
        return self.plans[key]

    def network_in(self, namespace: str, segment: Segment) -> Network:
        """The network of ``segment`` in the plan of ``namespace`` (see the class). A NAD named
        ``default`` (KV206) is a network of its own to the VMs on it, not the pod network, so
        the rules on bindings and addresses see its type."""
        if self.plan_key(segment.namespace) == self.plan_key(namespace) and segment.network.name != POD_NETWORK:
            return segment.network
        key = (namespace, id(segment))
        if key not in self.borrowed:
            plan = self.plan(namespace)
            name = segment.network.name
            if segment.namespace or name in {n.name for n in plan.networks} or name == POD_NETWORK:
                name = f"{segment.namespace or 'NAD'}/{name}"
            network = network_from_nad(segment.nads[0], name)
            plan.networks.append(network)
            self.borrowed[key] = network
        return self.borrowed[key]


def static_addresses(info: NadInfo) -> tuple[str, ...]:
    """The addresses of a NAD with the CNI static IPAM: one, or one per family (issue 25, as
    kvnet writes a dual-stack interface's); () for any other IPAM or shape."""
    addresses = info.ipam.get("addresses")
    if info.ipam.get("type") != "static" or not isinstance(addresses, list) or not 1 <= len(addresses) <= 2 \
            or not all(isinstance(a, dict) for a in addresses):
        return ()
    texts = tuple(str_or_none(a.get("address")) for a in addresses)
    if any(t is None for t in texts) or (len(texts) == 2 and (":" in texts[0]) == (":" in texts[1])):  # type: ignore[operator]
        return ()
    return tuple(t for t in texts if t is not None)


def _segment_key(info: NadInfo) -> str | None:
    """What per-VM static NADs of one network share: the config without name and addresses."""
    addresses = static_addresses(info)
    if not addresses:
        return None
    rest = {k: v for k, v in (info.plugin or {}).items() if k != "name"}
    ipam = {k: v for k, v in info.ipam.items() if k != "addresses"}
    others = [{k: v for k, v in a.items() if k != "address"} for a in info.ipam["addresses"]]
    loose = [str(loose_network(a)) for a in addresses]
    return json.dumps([info.found.namespace, rest | {"ipam": ipam}, others[0] if len(others) == 1 else others,
                       loose[0] if len(loose) == 1 else loose], sort_keys=True, default=str)


def resolve_ref(ref: str, vm_ns: str, nads: dict[NadKey, NadInfo]) -> NadKey | None:
    """The NAD a ``multus.networkName`` names: ``<ns>/<name>``, or ``<name>`` in the VM's namespace
    (KubeVirt). A NAD written without a namespace gets the one it is applied to (kustomize's
    ``namespace:``, Argo CD's destination), so it matches any namespace; a VM without one finds
    a NAD of that name when there is only one."""
    ns, _, name = ref.rpartition("/")
    ns = ns or vm_ns
    for key in ((ns, name), ("", name)):
        if key in nads:
            return key
    if not ns:
        matches = [k for k in nads if k[1] == name]
        return matches[0] if len(matches) == 1 else None
    return None


def build_segments(nads: dict[NadKey, NadInfo], users: dict[NadKey, set[tuple[str, str]]],
                   plan_groups: dict[str, str] | None = None) -> list[Segment]:
    """One segment per NAD, static NADs of one network grouped (per-VM NADs as kvnet writes them:
    one address each, the rest alike: :func:`_per_network`); names as kvnet would give them,
    unique within a namespace (``Segment.name``) and within a plan model (``plan_groups``:
    namespace -> its plan's key; the network's name)."""
    groups: dict[str, list[NadInfo]] = {}
    singles: list[NadInfo] = []
    for info in nads.values():
        if info.plugin is None:
            continue
        key = _segment_key(info)
        if key is None:
            singles.append(info)
        else:
            groups.setdefault(key, []).append(info)
    named: list[tuple[str, list[NadInfo], bool]] = [(i.found.name, [i], False) for i in singles]
    for members in groups.values():
        named.extend((name, part, True) for name, part in _per_network(members, users))
    in_namespace = Counter((m[0].found.namespace, name) for name, m, _ in named)
    out = []
    for name, members, static in named:
        first = members[0].found
        own = name if in_namespace[(first.namespace, name)] == 1 else first.name
        out.append(Segment(members, network_from_nad(members[0], own), first.namespace, static, own))
    group = (plan_groups or {}).get
    in_plan = Counter((group(s.namespace, s.namespace), s.name) for s in out)
    for segment in out:  # two namespaces of one plan model share a name: <namespace>/<name>
        if in_plan[(group(segment.namespace, segment.namespace), segment.name)] > 1 \
                and segment.name != POD_NETWORK:  # KV206 reports that one wherever it is
            segment.network = replace(segment.network, name=f"{segment.namespace}/{segment.name}")
    return out


def _per_network(members: list[NadInfo],
                 users: dict[NadKey, set[tuple[str, str]]]) -> list[tuple[str, list[NadInfo]]]:
    """Static NADs of one segment, split into the plan networks kvnet wrote them for: a NAD
    ``<vm>-<network>`` (kvnet.netmath.bounded_name: hashed when long) of a VM using it is on
    ``<network>``. The others form one network named after the first of them, unless a VM uses
    two of them (then each is a network of its own)."""
    suffix: dict[int, str] = {}
    for n, info in enumerate(members):
        name, used = info.found.name, users.get((info.found.namespace, info.found.name), set())
        # kvnet names a VM's network after the plan network; else the name says it: <vm>-<network>
        found = {net for vm, net in used if bounded_name(f"{vm}-{net}") == name} or \
            {name[len(vm) + 1:] for vm, _ in used if name.startswith(vm + "-")
             and bounded_name(f"{vm}-{name[len(vm) + 1:]}") == name}
        if len(found) == 1:
            suffix[n] = found.pop()
    known = sorted(set(suffix.values()))
    for n, info in enumerate(members):  # a hashed name: one of the networks found above
        used = users.get((info.found.namespace, info.found.name), set())
        found = {k for k in known for vm, _ in used if bounded_name(f"{vm}-{k}") == info.found.name}
        if n not in suffix and len(found) == 1:
            suffix[n] = found.pop()
    parts: dict[str, list[NadInfo]] = {}
    for n, info in enumerate(members):
        if n in suffix:
            parts.setdefault(suffix[n], []).append(info)
    rest = [info for n, info in enumerate(members) if n not in suffix]
    out = sorted(parts.items())
    if rest and _shared_by_a_vm(rest, users):  # two NICs of one VM: two networks, not one
        out += [(info.found.name, [info]) for info in rest]
    elif rest:
        out.append((rest[0].found.name, rest))
    return out


def _shared_by_a_vm(members: list[NadInfo], users: dict[NadKey, set[tuple[str, str]]]) -> bool:
    seen: set[str] = set()
    for info in members:
        vms = {vm for vm, _ in users.get((info.found.namespace, info.found.name), set())}
        if seen & vms:
            return True
        seen |= vms
    return False


def model_vm(vm: VmInfo, ci: CloudInit, interfaces: list[Interface]) -> VM:
    """The plan VM of ``vm``: its interfaces, and where its annotations and pod template are."""
    found = vm.found
    meta_path = POD_META_PATH[found.kind]
    template: Any = found.get(*meta_path[:-1]) if found.kind != VMI else {}
    ann_path = ("spec", "virtualMachineTemplate", "metadata", "annotations") if found.kind == VM_POOL \
        else ("metadata", "annotations")
    annotations = found.get(*ann_path)
    where = MappedWhere(found.doc, found.path, locs={"name": partial(found.loc, "metadata", "name")},
                        prefixes={"annotations": found.path + ann_path,
                                  "template": found.path + meta_path[:-1]})
    return VM(name=found.name, where=where, interfaces=interfaces,
              annotations=dict(annotations) if isinstance(annotations, dict) else {},
              template=template if isinstance(template, dict) else {})


def model_interface(vm: VmInfo, nic: VmNic, network: str, addresses: tuple[str, ...],
                    address_at: Callable[[], Loc] | None) -> Interface:
    """The plan interface of ``nic``; ``address_at`` gives where its address was written."""
    found, loc = vm.found, vm.loc
    locs: dict[str, Loc | Callable[[], Loc]] = {
        "network": partial(loc, *nic.net_path, "multus", "networkName") if nic.source == "multus" and nic.net_path
        else partial(loc, *nic.iface_path, "name"),
        "mac": partial(loc, *nic.iface_path, "macAddress"),
    }
    if nic.binding_path:
        locs["binding"] = partial(loc, *nic.binding_path, key=True)
    if nic.state is not None:
        locs["state"] = partial(loc, *nic.iface_path, "state")
    if address_at is not None:
        locs["address"] = address_at
    where = MappedWhere(found.doc, found.path + vm.spec_path + nic.iface_path, locs=locs)
    return Interface(network=network, where=where, index=nic.index, addresses=addresses, mac=nic.mac,
                     binding=nic.binding, model=nic.model, state=nic.state)


MOVED_NAMESPACE = "KV054"


def missing_nad(vm: VmInfo, nic: VmNic, nads: dict[NadKey, NadInfo] | None = None) -> Diagnostic:
    """KV306: the NAD a VM network names is not in the input (it may exist in the cluster).
    KV054 instead when it names ``<other>/<name>`` and the input has NAD ``<name>`` in the VM's
    own namespace: the objects were moved after kvnet wrote the reference. kustomize's
    ``namespace:`` transformer rewrites ``metadata.namespace`` (its ``namespace`` fieldSpecs) and
    knows no KubeVirt field, so ``multus.networkName`` keeps the old namespace (issue 26)."""
    assert nic.net_path is not None
    ns, _, name = str(nic.network_name).rpartition("/")
    here = vm.found.namespace
    if ns and here and ns != here and (here, name) in (nads or {}):
        return error(MOVED_NAMESPACE, f"VM {vm.found.name!r} (namespace {here!r}): network {nic.name!r} names NAD "
                     f"{nic.network_name!r}, which is not in the input, while NAD {name!r} is in the VM's namespace: "
                     "the namespace was changed after the VM was written (kustomize's 'namespace:' rewrites "
                     "metadata.namespace, not multus.networkName)",
                     vm.loc(*nic.net_path, "multus", "networkName"),
                     hint=f"give the plan 'metadata.namespace: {here}' (kvnet then writes '{here}/{name}') and "
                          "leave 'namespace:' out of the kustomization")
    return replace(warning(MISSING_NAD, f"VM {vm.found.name!r}: network {nic.name!r} names NAD "
                           f"{nic.network_name!r}, which is not in the input; its binding and addresses are not "
                           "checked", vm.loc(*nic.net_path, "multus", "networkName"),
                           hint="lint the NAD together with the VM, or check that it exists in the VM's namespace"),
                   about=("network", nic.name))


def plan_for(name: str, namespace: str | None) -> Plan:
    """An empty plan to hold the model of manifests (its own position is never reported)."""
    return Plan(name=name, namespace=namespace, where=Where(Document("<input>", 0, {}), ()))

