"""The NetworkPlan as typed values, with defaults applied and positions kept.

Built only from documents that passed the schema, so field types are trusted.
"""

from __future__ import annotations

import os
from kvnet.record import dataclass, field, replace
from functools import partial
from typing import Any, Callable

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, LazyLoc, Loc, error
from kvnet.input.loader import Document, PathT
from kvnet.input.sizing import sizing_ref

API_VERSION = "kvnet.dev/v1alpha1"
KIND = "NetworkPlan"
POD_NETWORK = "default"


@dataclass(slots=True)
class Where:
    """Where a plan element came from; ``at(field)`` positions a diagnostic (looked up when read)."""

    doc: Document
    path: PathT

    def at(self, *sub: Any, key: bool = False) -> Loc:
        return LazyLoc(partial(self.doc.loc, self.path + sub, key=key))

    @property
    def file(self) -> str:
        """The plan-root-relative path, for the kvnet.dev/source annotation."""
        return self.doc.source or self.doc.file


@dataclass(frozen=True, slots=True)
class Held:
    """A static address an object other than a VM holds on a network (a NAD's static IPAM that
    no VM in the input uses yet): ``owner`` names it in messages, ``at`` gives its position."""

    owner: str
    address: str
    at: Callable[[], Loc]


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    type: str
    where: Where
    bridge: str | None = None
    vlan: int | None = None
    master: str | None = None
    mode: str | None = None
    mtu: int | None = None
    resource_name: str | None = None
    cni_version: str = "1.0.0"
    # one value per address family as written (SPEC §2; issue 25: a list of one per family)
    subnets: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    ipam: str = "none"
    ranges: tuple[str, ...] = ()
    exclude: list[str] = field(default_factory=list)
    allocates: tuple[str, ...] = ()  # SPEC §7: 'START-END' kvnet assigns addresses from (kvnet.lock)
    routes: list[dict[str, Any]] = field(default_factory=list)  # [{to, via, metric?}] as given (SPEC §2)
    raw: dict[str, Any] = field(default_factory=dict)
    # SPEC §9: ovs trunk items ({id} | {minID, maxID}), OVN-K persistent IPs, external NAD
    # '<namespace>/<name>', sriov VF flags, the bridge's node uplink
    trunk: list[dict[str, int]] = field(default_factory=list)
    allow_persistent_ips: bool = False
    nad: str | None = None
    spoofchk: bool | None = None
    trust: bool | None = None
    uplink: str | None = None
    policy: dict[str, Any] | None = None  # issue 24: {ingress?, egress?} rules -> MultiNetworkPolicy
    # read from manifests (SPEC §8), never from a plan: an OVN-Kubernetes NAD config's "name"
    # (the network NADs share) when not the network's; static addresses of NADs no VM uses
    ovn_network: str | None = None
    held: list[Held] = field(default_factory=list)

    # the first value as written of each per-family field (the only one on a single-family network)
    subnet = property(lambda self: self.subnets[0] if self.subnets else None)
    gateway = property(lambda self: self.gateways[0] if self.gateways else None)
    range = property(lambda self: self.ranges[0] if self.ranges else None)
    allocate = property(lambda self: self.allocates[0] if self.allocates else None)

    def at_value(self, fname: str, i: int) -> Loc:
        """Where the ``i``-th value of per-family field ``fname`` stands: the field itself when
        written as one string, its list item when written as a list."""
        return self.where.at(fname, i) if isinstance(self.raw.get(fname), list) else self.where.at(fname)

    @property
    def address_pool(self) -> str | None:
        """Who hands out this network's addresses from a pool ('address' on an interface is
        then an error): the pool IPAM (host-local, whereabouts, dhcp), or 'OVN-Kubernetes' for an
        OVN network with a subnet (SPEC §3 Addressing, §9). None: addresses are the plan's."""
        entry = nettypes.get(self.type)
        if entry is not None and entry.address_pool is not None:
            return entry.address_pool if self.subnet is not None else None
        if self.ipam in ("host-local", "whereabouts", "dhcp"):
            return self.ipam
        return None


#: ``cloudInit.datasource`` values (KubeVirt's cloudInitNoCloud / cloudInitConfigDrive volumes)
NO_CLOUD = "noCloud"
CONFIG_DRIVE = "configDrive"


@dataclass(frozen=True, slots=True)
class GuestVlan:
    """A VLAN sub-interface the guest makes on a trunk NIC (issue 24): ``eth<N>.<id>``, one address per family."""

    id: int
    addresses: tuple[str, ...]
    at: Callable[[], Loc]  # the position of the item (lint: of the networkData)
    address_at: Callable[[int], Loc]  # the position of the i-th address (its list item, or the one value)


@dataclass(frozen=True, slots=True)
class Interface:
    network: str
    where: Where
    index: int
    addresses: tuple[str, ...] = ()  # as written: one, or one per family (issue 25)
    mac: str | None = None
    binding: str | None = None
    model: str | None = None
    listed: bool = False  # ``address`` was written as a list (positions of its items)
    default_route: bool = False  # carries the guest's default route (SPEC §2, §3)
    state: str | None = None  # up | down | absent as written (None: not given, KubeVirt's 'up'; README "Day 2")
    hotplug: bool = False  # added to a running VM: KubeVirt hot-plugs it (README "Day 2")
    vlans: list[GuestVlan] = field(default_factory=list)  # a trunk NIC's VLAN sub-interfaces (issue 24)
    ports: list[dict[str, Any]] | None = None  # [{port, protocol?, name?}] forwarded (masquerade, passt)

    # the first address as written (the only one on a single-family interface)
    address = property(lambda self: self.addresses[0] if self.addresses else None)

    def address_at(self, i: int) -> Loc:
        """Where the ``i``-th written address stands (the field, or its list item)."""
        return self.where.at("address", i) if self.listed else self.where.at("address")

    @property
    def attached(self) -> bool:
        """False for ``state: absent`` (hot-unplugged: no networkData, no default route)."""
        return self.state != "absent"


@dataclass(frozen=True, slots=True)
class VM:
    name: str
    where: Where
    run_strategy: str = "Always"
    cpu: int | None = None
    memory: str | None = None
    image: str | None = None
    root_disk: dict[str, str] | None = None
    user_data: str | None = None
    network_data: str = "auto"
    datasource: str = NO_CLOUD  # noCloud | configDrive: the cloud-init volume KubeVirt attaches
    interfaces: list[Interface] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    template: dict[str, Any] = field(default_factory=dict)
    interfaces_given: bool = True
    instancetype: dict[str, str] | None = None  # {name, kind?}: VirtualMachine.spec.instancetype
    preference: dict[str, str] | None = None  # {name, kind?}: VirtualMachine.spec.preference
    ssh_keys: list[str] = field(default_factory=list)  # OpenSSH public key lines
    guest: dict[str, str] | None = None  # {renderer, cloudInit?}: the guest-limit warnings (KV227-KV229)


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    namespace: str | None
    where: Where
    cluster: dict[str, Any] | None = None
    cluster_where: Where | None = None
    networks: list[Network] = field(default_factory=list)
    vms: list[VM] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def node_bridges(plan: Plan) -> dict[str, list[Network]]:
    """Node bridge -> the ``bridge`` networks on it, in plan order (bridges sorted by name)."""
    out: dict[str, list[Network]] = {}
    for net in plan.networks:
        if nettypes.node_bridge(net.type) == nettypes.LINUX_BRIDGE and net.bridge:
            out.setdefault(net.bridge, []).append(net)
    return dict(sorted(out.items()))


def is_plan_document(data: Any) -> bool:
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION


def per_family(value: Any) -> tuple[str, ...]:
    """A per-family value (subnet, gateway, range, allocate, address): one string, or a list (issue 25)."""
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _network(raw: dict[str, Any], where: Where) -> Network:
    dns = raw.get("dns") or {}
    return Network(
        name=raw["name"], type=raw["type"], where=where,
        bridge=raw.get("bridge"), vlan=raw.get("vlan"), master=raw.get("master"),
        mode=raw.get("mode"), mtu=raw.get("mtu"), resource_name=raw.get("resourceName"),
        cni_version=raw.get("cniVersion", "1.0.0"), subnets=per_family(raw.get("subnet")),
        gateways=per_family(raw.get("gateway")), nameservers=list(dns.get("nameservers") or []),
        search=list(dns.get("search") or []), ipam=raw.get("ipam", "none"),
        ranges=per_family(raw.get("range")), exclude=list(raw.get("exclude") or []),
        allocates=per_family(raw.get("allocate")),
        routes=[dict(r) for r in raw.get("routes") or []], raw=raw,
        trunk=list(raw.get("trunk") or []), allow_persistent_ips=bool(raw.get("allowPersistentIPs")),
        nad=raw.get("nad"), spoofchk=raw.get("spoofchk"), trust=raw.get("trust"), uplink=raw.get("uplink"),
        policy=raw.get("policy"),
    )


def _vlans(raw: dict[str, Any], doc: Document, path: PathT) -> list[GuestVlan]:
    return [GuestVlan(v["id"], per_family(v["address"]), partial(doc.loc, path + ("vlans", k)),
                      partial(Where(doc, path + ("vlans", k)).at, "address"))
            for k, v in enumerate(raw.get("vlans") or [])]


def _vm(raw: dict[str, Any], where: Where) -> VM:
    ci = raw.get("cloudInit") or {}
    given = "interfaces" in raw
    ifaces_raw = raw.get("interfaces") if given else [{"network": POD_NETWORK}]
    ifaces = [
        Interface(network=i["network"], where=Where(where.doc, where.path + ("interfaces", n)),
                  index=n, addresses=per_family(i.get("address")), listed=isinstance(i.get("address"), list),
                  mac=i.get("mac"), binding=i.get("binding"), model=i.get("model"),
                  default_route=i.get("defaultRoute") is True, state=i.get("state"),
                  hotplug=i.get("hotplug") is True, vlans=_vlans(i, where.doc, where.path + ("interfaces", n)),
                  ports=[dict(p) for p in i["ports"]] if isinstance(i.get("ports"), list) else None)
        for n, i in enumerate(ifaces_raw or [])
    ]
    return VM(
        name=raw["name"], where=where, run_strategy=raw.get("runStrategy", "Always"),
        cpu=raw.get("cpu"), memory=raw.get("memory"), image=raw.get("image"),
        root_disk=raw.get("rootDisk"), user_data=ci.get("userData"),
        network_data=ci.get("networkData", "auto"), datasource=ci.get("datasource", NO_CLOUD), interfaces=ifaces,
        labels=dict(raw.get("labels") or {}), annotations=dict(raw.get("annotations") or {}),
        template=raw.get("template") or {}, interfaces_given=given,
        instancetype=sizing_ref(raw.get("instancetype")), preference=sizing_ref(raw.get("preference")),
        ssh_keys=list(raw.get("sshKeys") or []), guest=raw.get("guest"),
    )


def build_plans(docs: list[Document]) -> tuple[list[Plan], list[Diagnostic]]:
    """Group schema-valid plan documents into Plans.

    A plan may span several documents and files of one directory: documents
    there with the same ``metadata.name`` are parts of one plan and must agree
    on the namespace; ``spec.cluster`` may be given in one part only. Plans of
    the same name in different directories (dev/, prod/) stay separate.
    """
    plans: dict[tuple[str, str], Plan] = {}
    diags: list[Diagnostic] = []
    for doc in docs:
        meta = doc.data["metadata"]
        name, ns = meta["name"], meta.get("namespace")
        key = (os.path.dirname(doc.file), name)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = Plan(name=name, namespace=ns, where=Where(doc, ()))
        elif plan.namespace != ns:
            diags.append(error(
                "KV007", f"plan {name!r} is split over documents that disagree on metadata.namespace "
                f"({plan.namespace!r} at {plan.where.at('metadata', 'namespace')}, {ns!r} here)",
                doc.loc(("metadata", "namespace") if ns else ("metadata",)),
                hint="give every part of a plan the same namespace, or give the parts different names"))
            continue
        if doc.file not in plan.files:
            plan.files.append(doc.file)
        spec = doc.data.get("spec") or {}
        if "cluster" in spec:
            if plan.cluster is not None and plan.cluster_where is not None:
                first = plan.cluster_where.at()
                diags.append(error(
                    "KV007", f"spec.cluster of plan {name!r} is given twice (first at {first})",
                    doc.loc(("spec", "cluster"), key=True),
                    hint="keep spec.cluster in one part of the plan"))
            else:
                plan = plans[key] = replace(plan, cluster=spec.get("cluster") or {},
                                            cluster_where=Where(doc, ("spec", "cluster")))
        for i, raw in enumerate(spec.get("networks") or []):
            plan.networks.append(_network(raw, Where(doc, ("spec", "networks", i))))
        for i, raw in enumerate(spec.get("vms") or []):
            plan.vms.append(_vm(raw, Where(doc, ("spec", "vms", i))))
    return [plans[k] for k in sorted(plans)], diags
