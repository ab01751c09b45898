"""A trunk NIC's VLAN sub-interfaces in the guest (issue 24: ``vlans`` on an interface).

The bridge plugin's ``vlanTrunk`` (containernetworking/plugins v1.3.0+) and ovs-cni's ``trunk``
pass tagged frames of the trunk's VLANs to the VM; the guest makes ``eth<N>.<id>`` itself
(netplan ``vlans:``, cloud-init network_state ``handle_vlans``). Each VLAN is an L2 segment of
the node bridge, shared with the plan networks on that bridge with ``vlan: <id>``
(:func:`kvnet.rules.claims.vlan_segment`): its address follows their subnet, and duplicates across
them are KV216 (:mod:`kvnet.rules.addressing`).
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import GuestVlan, Interface, Network, Plan
from kvnet.netmath import IPAddress, IPNetwork, is_network_or_broadcast, parse_interface

NO_TRUNK = "KV329"
NOT_IN_TRUNK = "KV330"
BAD_ADDRESS = "KV331"
TWO_OF_A_FAMILY = "KV600"


def in_trunk(net: Network, vlan_id: int) -> bool:
    """Whether ``vlan_id`` is one of the trunk's items ({id} or {minID, maxID}, SPEC §9)."""
    return any(t.get("id") == vlan_id or t.get("minID", 4095) <= vlan_id <= t.get("maxID", 0) for t in net.trunk)


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV329 (no trunk), KV330 (id outside the trunk, or twice), KV331 (an address), KV600 (two
    addresses of one family) per guest VLAN."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        for iface in vm.interfaces:
            nf = facts.networks.get(iface.network)
            if not iface.vlans or nf is None:
                continue
            if not nf.network.trunk:
                out.append(error(NO_TRUNK, f"VM {vm.name!r}: interface on network {iface.network!r} has 'vlans' but "
                                 "the network has no 'trunk': its port carries no tagged frames", iface.vlans[0].at(),
                                 hint="give the network 'trunk: [{id: ...}]' with these VLANs, or drop 'vlans'"))
                continue
            out.extend(_vlan_problems(vm.name, iface, nf.network, facts))
    return out


def _vlan_problems(vm: str, iface: Interface, net: Network, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[int] = set()
    for vlan in iface.vlans:
        if vlan.id in seen:
            out.append(error(NOT_IN_TRUNK, f"VM {vm!r}: VLAN {vlan.id} is given twice on the interface on network "
                             f"{net.name!r}", vlan.at(), hint="one sub-interface per VLAN; give it its addresses"))
            continue
        seen.add(vlan.id)
        if not in_trunk(net, vlan.id):
            out.append(error(NOT_IN_TRUNK, f"VM {vm!r}: VLAN {vlan.id} is not in the trunk of network {net.name!r}: "
                             "the bridge drops its frames", vlan.at(),
                             hint=f"add {{id: {vlan.id}}} to the network's trunk, or use one of its VLANs"))
            continue
        out.extend(_address_problems(vm, net, vlan, facts))
    return out


def _address_problems(vm: str, net: Network, vlan: GuestVlan, facts: Facts) -> list[Diagnostic]:
    """KV331 for each address with a problem; KV600 for a second address of one family (a
    dual-stack VLAN has one IPv4 and one IPv6 address, as an interface ``address``, issue 25)."""
    out: list[Diagnostic] = []
    families: set[int] = set()
    for i, text in enumerate(vlan.addresses):
        problem = address_problem(vm, net, vlan, text, facts)
        if problem is not None:
            out.append(error(BAD_ADDRESS, problem, vlan.address_at(i)))
            continue
        parsed = parse_interface(text)
        assert parsed is not None
        if parsed.version in families:
            out.append(error(TWO_OF_A_FAMILY, f"VM {vm!r}: VLAN {vlan.id} has two IPv{parsed.version} addresses "
                             f"({text!r} is the second)", vlan.address_at(i),
                             hint="a dual-stack VLAN takes a list of one IPv4 and one IPv6 address"))
        families.add(parsed.version)
    return out


def vlan_addresses(net: Network, vlan: GuestVlan, facts: Facts) -> list[tuple[int, IPAddress]]:
    """(position in ``vlan.addresses``, address) of each address of a guest VLAN to claim on its
    segment, leaving out those with a problem."""
    if not net.trunk or not in_trunk(net, vlan.id):
        return []
    out = []
    for i, text in enumerate(vlan.addresses):
        parsed = parse_interface(text)
        if parsed is not None and address_problem("", net, vlan, text, facts) is None:
            out.append((i, parsed.ip))
    return out


def _segment_subnet(net: Network, vlan: GuestVlan, version: int, facts: Facts) -> IPNetwork | None:
    seg = facts.vlan_network(net, vlan.id)
    fam = seg.families.get(version) if seg is not None else None
    return fam.subnet if fam is not None else None


def address_problem(vm: str, net: Network, vlan: GuestVlan, text: str, facts: Facts) -> str | None:
    """What is wrong with one address ``text`` of a guest VLAN against the plan network of that
    VLAN (its subnet and gateway of the address's family), or against its own prefix without
    one; None if nothing."""
    where = f"VM {vm!r}: VLAN {vlan.id} address {text!r}"
    parsed = parse_interface(text)
    if parsed is None:
        return f"{where} is not an IP address"
    seg = facts.vlan_network(net, vlan.id)
    subnet = _segment_subnet(net, vlan, parsed.version, facts)
    if subnet is None:
        if seg is not None and seg.subnets:
            return (f"{where} is IPv{parsed.version} but network {seg.network.name!r} (VLAN {vlan.id}) has no "
                    f"IPv{parsed.version} subnet")
        if "/" not in text:
            return f"{where} needs a prefix length: no network of the plan is VLAN {vlan.id} of bridge {net.bridge!r}"
        what = parsed.network.num_addresses > 2 and is_network_or_broadcast(parsed.ip, parsed.network)
        return f"{where} is {what} of {parsed.network}" if what else None
    assert seg is not None
    if parsed.ip not in subnet or ("/" in text and parsed.network.prefixlen != subnet.prefixlen):
        return f"{where} is not an address of subnet {subnet} of network {seg.network.name!r} (VLAN {vlan.id})"
    what = is_network_or_broadcast(parsed.ip, subnet)
    if what:
        return f"{where} is {what} of subnet {subnet}"
    if parsed.ip in seg.gateways:
        return f"{where} is the gateway of network {seg.network.name!r}"
    return None
