"""KV268/KV269: the node bridges of bridge networks and their uplinks (SPEC §9).

A node bridge without its uplink port is the textbook "VM runs, passes no traffic": with
``nodeNetwork: nmstate`` kvnet creates the bridges, so each needs its ``uplink`` (KV268); and
networks sharing one node bridge must agree on it (KV269), whoever creates the bridge.
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import Plan, node_bridges


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    nmstate = facts.cluster is not None and facts.cluster.node_network == "nmstate"
    for bridge, nets in node_bridges(plan).items():
        given = [n for n in nets if n.uplink]
        for net in given[1:]:
            if net.uplink != given[0].uplink:
                out.append(error(
                    "KV269", f"network {net.name!r}: uplink {net.uplink!r} of node bridge {bridge!r} differs from "
                    f"uplink {given[0].uplink!r} of network {given[0].name!r} on the same bridge",
                    net.where.at("uplink"), hint="a node bridge has one uplink: give the same one on every network "
                                                 "of the bridge, or put the network on another bridge"))
        if nmstate and not given:
            net = nets[0]
            out.append(error(
                "KV268", f"network {net.name!r}: spec.cluster.nodeNetwork is nmstate, but node bridge {bridge!r} "
                "has no 'uplink': the bridge would have no port, and VMs on it run but pass no traffic beyond "
                "the node", net.where.at("bridge"),
                hint=f"add 'uplink: <node NIC>' (e.g. 'uplink: eth1') to network {net.name!r}"))
    return out
