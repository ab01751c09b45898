"""A network's extra guest ``routes`` against its subnet (SPEC §2 networks.routes, §4)."""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import Plan
from kvnet.netmath import is_network_or_broadcast, parse_ip, parse_network_strict


def _check_to(nf: NetFacts, i: int, route: dict[str, Any]) -> Diagnostic | None:
    net = nf.network
    to = str(route["to"])
    at = net.where.at("routes", i, "to")
    dest, problem = parse_network_strict(to)
    if problem or dest is None:
        hint = "write the destination's network address, e.g. 10.0.0.0/8" if problem is not None and problem.host_bits \
            else "write a network in CIDR notation, e.g. 10.0.0.0/8 or fd00:20::/64"
        if to.strip() == "default":
            hint = "the default route is not a route entry: set 'defaultRoute: true' on the VM interface"
        return error("KV223", f"network {net.name!r}: route to {to!r} {problem or 'is not a network'}", at,
                     hint=hint)
    if dest.prefixlen == 0:
        return error("KV223", f"network {net.name!r}: route to {to} is a default route", at,
                     hint="the guest has exactly one default route: set 'defaultRoute: true' on the VM "
                          "interface that carries it (its network's 'gateway' becomes the next hop)")
    if nf.subnet is not None and dest.version not in {sn.version for sn in nf.subnets}:
        return error("KV225", f"network {net.name!r}: route to {to} is IPv{dest.version} but subnet "
                     f"{nf.subnet} is IPv{nf.subnet.version}", at,
                     hint="a NIC on this segment routes its own family only; put the route on a network "
                          f"with an IPv{dest.version} subnet")
    return None


def _check_via(nf: NetFacts, i: int, route: dict[str, Any]) -> Diagnostic | None:
    net = nf.network
    via = str(route["via"])
    at = net.where.at("routes", i, "via")
    hop = parse_ip(via)
    if hop is None:
        return error("KV224", f"network {net.name!r}: route via {via!r} is not an IP address", at)
    if nf.subnet is None:
        return error("KV224", f"network {net.name!r}: route via {via} needs the network's subnet", at,
                     hint=f"add 'subnet:' (the network {via} belongs to)")
    # the subnet of the next hop's family (a dual-stack network has one per family, issue 25)
    subnet = next((sn for sn in nf.subnets if sn.version == hop.version), None)
    if subnet is None:
        return error("KV225", f"network {net.name!r}: route via {via} is IPv{hop.version} but subnet "
                     f"{nf.subnet} is IPv{nf.subnet.version}", at)
    if hop not in subnet:
        return error("KV224", f"network {net.name!r}: route via {via} is outside subnet {subnet}", at,
                     hint=f"the next hop must be a router on this segment, an address inside {subnet}")
    what = is_network_or_broadcast(hop, subnet)
    if what:
        return error("KV224", f"network {net.name!r}: route via {via} is {what} of subnet {subnet}", at,
                     hint="the next hop must be a router's own address on this segment")
    return None


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV223: ``to`` is not a network address, or is a default route; KV224: ``via`` is not an
    address inside the subnet (or the network has no subnet); KV225: a family other than the
    subnet's. Networks whose subnet could not be parsed are skipped (KV210 said why)."""
    out: list[Diagnostic] = []
    for nf in facts.networks.values():
        if nf.broken:
            continue
        for i, route in enumerate(nf.network.routes):
            problem = _check_to(nf, i, route) or _check_via(nf, i, route)
            if problem is not None:
                out.append(problem)
    return out
