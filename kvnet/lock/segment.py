"""The networks of a plan kvnet allocates on, and what is free in their ranges (SPEC §7)."""

from __future__ import annotations

from collections.abc import Hashable
from kvnet.record import dataclass, field

from kvnet.input.facts import Facts, NetFacts
from kvnet.input.families import Family
from kvnet.input.model import POD_NETWORK, VM, Interface, Plan
from kvnet.netmath import IPAddress, IPNetwork, is_network_or_broadcast
from kvnet.rules.claims import segment

ALLOCATE_IPAM = ("none", "static")
#: a segment's key: (network, address family); a dual-stack network allocates in each family
SegKey = tuple[str, int]


def plan_key(plan: Plan) -> str:
    """A plan's key in kvnet.lock: ``<namespace>/<plan>``, or ``<plan>`` without a namespace."""
    return f"{plan.namespace}/{plan.name}" if plan.namespace else plan.name


@dataclass
class Segment:
    """One address family of one network of one plan with a usable ``allocate`` range.

    ``first``/``last``: the range's bounds as integers; ``reserved``: address (integer) -> why it is
    never allocated (the network, broadcast or gateway address); ``explicit``: address (integer)
    -> the VM whose interface on this network writes it as its ``address``; ``excluded``: the
    network's ``exclude`` CIDRs; ``needs``: VM name -> its interface on this network without an
    ``address`` (the first one, when attached twice); ``unsure``: VMs whose interface on this
    network writes an address list with a value that is no address or a second of one family
    (KV211, KV600): which family it lacks is unknown, so it neither needs a lock entry (no KV280)
    nor has one reported (no KV282/KV284): the plan's own error is the one problem.
    """

    facts: NetFacts
    fam: Family
    first: int
    last: int
    reserved: dict[int, str] = field(default_factory=dict)
    explicit: dict[int, str] = field(default_factory=dict)
    excluded: list[IPNetwork] = field(default_factory=list)
    needs: dict[str, Interface] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)
    l2: Hashable = ""  # the L2 segment (kvnet.rules.claims.segment): networks on one share addresses

    @property
    def name(self) -> str:
        return self.facts.network.name

    @property
    def size(self) -> int:
        """Addresses in the range (before reservations)."""
        return self.last - self.first + 1

    @property
    def version(self) -> int:
        return self.fam.version

    @property
    def range_text(self) -> str | None:
        """The ``allocate`` range as written (for messages)."""
        return self.fam.allocate_text

    def address(self, value: int) -> IPAddress:
        assert self.fam.allocate is not None
        return type(self.fam.allocate[0])(value)

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
        allocate = self.fam.allocate
        assert allocate is not None
        if ip.version != allocate[0].version or not self.first <= int(ip) <= self.last:
            return f"is outside the allocate range {self.range_text}"
        return self.blocked(int(ip))


def segments(plan: Plan, facts: Facts) -> dict[SegKey, Segment]:
    """(network, family) -> Segment, for every family whose ``allocate`` range and subnet parsed.

    Call it before lock addresses are put on the interfaces (explicit addresses are those the
    plan itself writes). An interface needs an address in a family its network allocates in and
    the plan gives it none of (issue 25: static, allocated, or one of each).
    """
    out: dict[SegKey, Segment] = {}
    for name, nf in facts.networks.items():
        if nf.network.ipam not in ALLOCATE_IPAM:
            continue
        for fam in nf.families.values():
            if fam.allocate is not None and fam.subnet is not None:
                out[(name, fam.version)] = _segment(name, nf, fam)
    for each in out.values():
        each.l2 = segment(each.name, facts)
    for vm in plan.vms:
        for iface in vm.interfaces:
            if iface.network != POD_NETWORK:
                _mark(out, vm, iface, facts)
    return out


def _mark(out: dict[SegKey, Segment], vm: VM, iface: Interface, facts: Facts) -> None:
    """Record ``iface`` of ``vm`` on the segments: needing an address (or unsure) on its own
    network's, its written addresses explicit on every segment of its L2 segment."""
    ifacts = facts.iface(vm, iface)
    for version in (4, 6):
        own = out.get((iface.network, version))
        if own is None:
            continue
        if ifacts.bad or ifacts.twice:
            own.unsure.add(vm.name)
        elif not iface.addresses or (version not in ifacts.written and len(own.facts.subnets) > 1):
            own.needs.setdefault(vm.name, iface)
    l2 = segment(iface.network, facts)  # an explicit address blocks its whole L2 segment
    for parsed in ifacts.written.values():
        for other in out.values():
            if other.l2 == l2 and parsed.version == other.version:
                other.explicit.setdefault(int(parsed.ip), vm.name)


def _segment(name: str, nf: NetFacts, fam: Family) -> Segment:
    assert fam.allocate is not None and fam.subnet is not None
    seg = Segment(nf, fam, int(fam.allocate[0]), int(fam.allocate[1]), excluded=list(fam.excluded))
    subnet = fam.subnet
    for what in ("network", "broadcast"):
        ip = subnet.network_address if what == "network" else subnet.broadcast_address
        if is_network_or_broadcast(ip, subnet):
            seg.reserved[int(ip)] = f"is the {what} address of subnet {subnet}"
    if fam.gateway is not None:
        seg.reserved[int(fam.gateway)] = f"is the gateway of network {name!r}"
    return seg
