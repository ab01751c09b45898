"""Interface addresses against their network: subnet, gateway, pools, duplicates."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Hashable, Iterator
from kvnet.record import dataclass
from functools import partial

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.families import IfaceFacts, second_value
from kvnet.input.model import POD_NETWORK, VM, Interface, Network, Plan
from kvnet.netmath import IPAddress, IPInterface, is_network_or_broadcast, parse_interface
from kvnet.rules.bindings import binding_of
from kvnet.rules.claims import SegmentClaims, segment, vlan_segment
from kvnet.rules.guest_vlans import vlan_addresses


@dataclass(frozen=True)
class Used:
    """One address a plan puts on an L2 segment: ``seg`` (:func:`kvnet.rules.claims.segment`, or
    :func:`kvnet.rules.claims.vlan_segment` for a guest VLAN), ``network`` it is on, ``value``
    (the address, no prefix), ``owner`` as a claim names it (``VM 'a'``, ``VM 'a' (VLAN 10)``, a
    NAD), ``label`` opening a message about it, ``at`` its position, ``hint`` for a duplicate."""

    seg: Hashable
    network: str
    value: str
    owner: str
    label: str
    at: Callable[[], Loc]
    hint: str | None = None


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """The first problem of each interface address (SPEC §4: KV211-KV213, KV216, KV218, KV219;
    KV600: two addresses of one family), one address per family (issue 25).

    An address is unique on its L2 segment (issue 24): networks on one node bridge and VLAN (one
    OVS bridge and VLAN, one OVN-Kubernetes network) share their addresses
    (:func:`kvnet.rules.claims.l2_segment`), and so do the static NADs no VM uses yet (lint).
    Across the plans of one run: :mod:`kvnet.rules.across_plans`.
    """
    out: list[Diagnostic] = []
    taken = SegmentClaims(facts)
    for used in used_addresses(plan, facts, out):
        first = taken.claim_on(used.seg, used.network, used.value, used.owner)
        if first:
            out.append(error("KV216", f"{used.label}: address {used.value} is already used {first}", used.at(),
                             hint=used.hint))
    return out


def used_addresses(plan: Plan, facts: Facts, problems: list[Diagnostic]) -> Iterator[Used]:
    """Every valid address ``plan`` puts on a segment, in plan order: the interfaces' written and
    allocated (kvnet.lock) addresses, their guest VLANs' addresses, the static NADs' (lint);
    the problems of the written ones go to ``problems``."""
    for vm in plan.vms:
        for iface in vm.interfaces:
            ifacts = facts.iface(vm, iface)
            found, claims = _checked_addresses(vm, iface, facts.networks.get(iface.network), ifacts)
            problems.extend(found)
            seg = segment(iface.network, facts)
            for addr in claims + [a.ip for a in ifacts.allocated.values()]:
                yield Used(seg, iface.network, str(addr), f"VM {vm.name!r}", f"VM {vm.name!r}",
                           partial(_at, iface, ifacts, addr.version))
            yield from _vlan_addresses(vm, iface, facts)
    for net in plan.networks:
        seg = segment(net.name, facts)
        for held in net.held:
            addr_if = parse_interface(held.address)
            if addr_if is not None:
                yield Used(seg, net.name, str(addr_if.ip), held.owner, held.owner, held.at,
                           "give each static NAD on one segment its own address")


def _vlan_addresses(vm: VM, iface: Interface, facts: Facts) -> Iterator[Used]:
    """The guest VLAN addresses (issue 24) of ``iface``, each on its VLAN's L2 segment."""
    nf = facts.networks.get(iface.network)
    for vlan in iface.vlans if nf is not None else []:
        assert nf is not None
        seg = vlan_segment(nf.network, vlan.id)
        for i, addr in vlan_addresses(nf.network, vlan, facts) if seg is not None else []:
            assert seg is not None
            yield Used(seg, iface.network, str(addr), f"VM {vm.name!r} (VLAN {vlan.id})",
                       f"VM {vm.name!r}: VLAN {vlan.id}", partial(vlan.address_at, i),
                       "give each address on one VLAN of the bridge to one guest")


def _at(iface: Interface, ifacts: IfaceFacts, version: int) -> Loc:
    """Where the address of family ``version`` is written (an allocated one: at 'address')."""
    text = ifacts.texts.get(version)
    return iface.address_at(iface.addresses.index(text)) if text in iface.addresses else iface.where.at("address")


def _checked_addresses(vm: VM, iface: Interface, nf: NetFacts | None,
                       ifacts: IfaceFacts) -> tuple[list[Diagnostic], list[IPAddress]]:
    """(the problems: the first of each written address; the addresses to claim on its network)."""
    if iface.network == POD_NETWORK:
        return ([] if iface.address is None else [error(
            "KV219", f"VM {vm.name!r}: address {iface.address!r} cannot be set on the pod "
            "network; it gets its address from the cluster", iface.where.at("address"))]), []
    if nf is None:
        return [], []
    net = nf.network
    if net.address_pool is not None:
        problem = _pool_problem(vm, iface, net)
        return ([problem] if problem is not None else []), []
    if not iface.addresses:
        # with allocate, the address comes from kvnet.lock (KV280)
        return ([] if net.ipam != "static" or net.allocates else [error(
            "KV218", f"VM {vm.name!r}: network {net.name!r} has ipam 'static', so the interface needs 'address'",
            iface.where.at("network"), hint=f"add e.g. 'address: {_example(nf.subnet)}'")]), []
    problems: list[Diagnostic] = []
    claims: list[IPAddress] = []
    for i, text in enumerate(iface.addresses):
        problem, addr = _one(vm, iface, nf, ifacts, i, text)
        if problem is not None:
            problems.append(problem)
        elif addr is not None:
            claims.append(addr)
    return problems, claims


def _one(vm: VM, iface: Interface, nf: NetFacts, ifacts: IfaceFacts, i: int,
         text: str) -> tuple[Diagnostic | None, IPAddress | None]:
    """The ``i``-th written address of ``iface``: (its problem, or None; the address to claim)."""
    at = iface.address_at(i)
    if i in ifacts.bad:
        return error("KV211", f"VM {vm.name!r}: address {text!r} is not an IP address", at), None
    addr_if = parse_interface(text)
    assert addr_if is not None  # gather put it in ``bad`` otherwise
    if i in ifacts.twice:
        return second_value(f"VM {vm.name!r}", "address", text, addr_if.version, at), None
    if not nf.subnets and nf.broken:
        return None, None
    problem = _subnet_problem(vm, text, at, nf, addr_if)
    fam = nf.families.get(addr_if.version)
    if problem is None and fam is not None and fam.gateway is not None and addr_if.ip == fam.gateway:
        problem = error("KV213", f"VM {vm.name!r}: address {addr_if.ip} is the gateway of network {nf.network.name!r}",
                        at, hint="the gateway belongs to the router; pick another address")
    return problem, (addr_if.ip if problem is None else None)


def _pool_problem(vm: VM, iface: Interface, net: Network) -> Diagnostic | None:
    """A pool network (host-local, whereabouts, dhcp; OVN-Kubernetes with a subnet) hands the
    pod's address to the guest only through KubeVirt's bridge binding, and takes no address of
    the plan's (KV219)."""
    binding = binding_of(iface, net.type)
    if binding != "bridge":
        return error("KV219", f"VM {vm.name!r}: network {net.name!r} ({_pool(net)}) gives its "
                     f"address to the pod; only KubeVirt's 'bridge' binding hands it on to the guest "
                     f"(by DHCP), the {binding!r} binding does not",
                     iface.where.at("binding") if iface.binding else iface.where.at("network"),
                     hint="use 'ipam: none' (the guest's own DHCP client asks the segment's DHCP "
                          "server, or give 'address:') or 'ipam: static' with 'address:'")
    if iface.address is not None:
        fix = ("remove 'address', or remove 'subnet' from the network (OVN-Kubernetes then only switches "
               "frames and the guest's addresses come from the plan)" if net.address_pool == "OVN-Kubernetes"
               else "remove 'address', or use 'ipam: static' on the network")
        return error("KV219", f"VM {vm.name!r}: address {iface.address!r} cannot be set: network "
                     f"{net.name!r} assigns addresses from its {net.address_pool} pool", iface.where.at("address"),
                     hint=fix)
    return None


def _subnet_problem(vm: VM, text: str, at: Loc, nf: NetFacts, addr_if: IPInterface) -> Diagnostic | None:
    """The address against the subnet of its family, or its own prefix without one (KV211, KV212)."""
    addr, name = addr_if.ip, nf.network.name
    fam = nf.families.get(addr.version)
    subnet = fam.subnet if fam is not None else None
    if not nf.subnets:
        if "/" not in text:
            return error("KV211", f"VM {vm.name!r}: address {text!r} needs a prefix length "
                         f"because network {name!r} has no subnet", at,
                         hint=f"write {text}/24 (or the right length), or set 'subnet' on the network")
        what = addr_if.network.num_addresses > 2 and is_network_or_broadcast(addr, addr_if.network)
        return error("KV212", f"VM {vm.name!r}: address {text} is {what} of {addr_if.network}",
                     at, hint="pick a host address inside the network") if what else None
    if subnet is None or addr not in subnet:
        shown = subnet or ", ".join(str(s) for s in nf.subnets)
        return error("KV211", f"VM {vm.name!r}: address {text} is outside subnet {shown} of network "
                     f"{name!r}", at, hint=f"pick an address in {shown}, e.g. {_example(subnet or nf.subnets[0])}")
    if "/" in text and addr_if.network.prefixlen != subnet.prefixlen:
        return error("KV211", f"VM {vm.name!r}: address {text} has prefix /{addr_if.network.prefixlen} "
                     f"but subnet {subnet} is /{subnet.prefixlen}", at,
                     hint=f"write {addr}/{subnet.prefixlen} or just {addr}")
    what = is_network_or_broadcast(addr, subnet)
    return error("KV212", f"VM {vm.name!r}: address {addr} is {what} of subnet {subnet}", at,
                 hint=f"pick a host address, e.g. {_example(subnet)}") if what else None


def _pool(net: Network) -> str:
    return f"ipam {net.ipam!r}" if net.address_pool == net.ipam else f"{net.type} with subnet {net.subnet}"


def _example(subnet: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> str:
    if subnet is None:
        return "192.168.1.20/24"
    host = subnet.network_address + min(20, max(subnet.num_addresses - 2, 0))
    return f"{host}/{subnet.prefixlen}"
