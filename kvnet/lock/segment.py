"""The networks of a plan kvnet allocates on, and what is free in their ranges (SPEC §7)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import POD_NETWORK, Interface, Plan
from kvnet.netmath import IPAddress, IPNetwork, is_network_or_broadcast, parse_interface
from kvnet.rules.claims import segment

ALLOCATE_IPAM = ("none", "static")


def plan_key(plan: Plan) -> str:
    """A plan's key in kvnet.lock: ``<namespace>/<plan>``, or ``<plan>`` without a namespace."""
    return f"{plan.namespace}/{plan.name}" if plan.namespace else plan.name


@dataclass
class Segment:
    """One network of one plan with a usable ``allocate`` range.

    ``first``/``last``: the range's bounds as integers; ``reserved``: address (integer) -> why it is
    never allocated (the network, broadcast or gateway address); ``explicit``: address (integer)
    -> the VM whose interface on this network writes it as its ``address``; ``excluded``: the
    network's ``exclude`` CIDRs; ``needs``: VM name -> its interface on this network without an
    ``address`` (the first one, when attached twice).
    """

    facts: NetFacts
    first: int
    last: int
    reserved: dict[int, str] = field(default_factory=dict)
    explicit: dict[int, str] = field(default_factory=dict)
    excluded: list[IPNetwork] = field(default_factory=list)
    needs: dict[str, Interface] = field(default_factory=dict)
    l2: Hashable = ""  # the L2 segment (kvnet.rules.claims.segment): networks on one share addresses

    @property
    def name(self) -> str:
        return self.facts.network.name

    @property
    def size(self) -> int:
        """Addresses in the range (before reservations)."""
        return self.last - self.first + 1

    def address(self, value: int) -> IPAddress:
        assert self.facts.allocate is not None
        return type(self.facts.allocate[0])(value)

    def blocked(self, value: int) -> str | None:
        """Why ``value`` (an address as integer, inside the range) cannot be allocated, or None."""
        why = self.reserved.get(value)
        if why is not None:
            return why
        if value in self.explicit:
            return f"is the explicit address of VM {self.explicit[value]!r}"
        if self.excluded:
            ip = self.address(value)
            for ex in self.excluded:
                if ip in ex:
                    return f"in 'exclude' {ex}"
        return None

    def problem(self, ip: IPAddress) -> str | None:
        """Why a recorded address cannot stand on this network, or None (SPEC §7 "free")."""
        allocate = self.facts.allocate
        assert allocate is not None
        if ip.version != allocate[0].version or not self.first <= int(ip) <= self.last:
            return f"is outside the allocate range {self.facts.network.allocate}"
        return self.blocked(int(ip))


def segments(plan: Plan, facts: Facts) -> dict[str, Segment]:
    """Network name -> Segment, for every network whose ``allocate`` range and subnet parsed.

    Call it before lock addresses are put on the interfaces (explicit addresses are those the
    plan itself writes).
    """
    out: dict[str, Segment] = {}
    for name, nf in facts.networks.items():
        net = nf.network
        if nf.allocate is None or nf.subnet is None or net.ipam not in ALLOCATE_IPAM:
            continue
        seg = Segment(nf, int(nf.allocate[0]), int(nf.allocate[1]), excluded=list(nf.excluded))
        subnet = nf.subnet
        for what in ("network", "broadcast"):
            ip = subnet.network_address if what == "network" else subnet.broadcast_address
            if is_network_or_broadcast(ip, subnet):
                seg.reserved[int(ip)] = f"is the {what} address of subnet {subnet}"
        if nf.gateway is not None:
            seg.reserved[int(nf.gateway)] = f"is the gateway of network {name!r}"
        out[name] = seg
    for each in out.values():
        each.l2 = segment(each.name, facts)
    for vm in plan.vms:
        for iface in vm.interfaces:
            if iface.network == POD_NETWORK:
                continue
            own = out.get(iface.network)
            if own is not None and iface.address is None:
                own.needs.setdefault(vm.name, iface)
                continue
            parsed = parse_interface(iface.address) if iface.address is not None else None
            if parsed is None:
                continue
            l2 = segment(iface.network, facts)  # an explicit address blocks its whole L2 segment
            for other in out.values():
                if other.l2 == l2 and parsed.version == other.facts.allocate[0].version:  # type: ignore[index]
                    other.explicit.setdefault(int(parsed.ip), vm.name)
    return out
