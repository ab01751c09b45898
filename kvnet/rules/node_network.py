"""KV268/KV269: the node bridges of bridge networks and their uplinks (SPEC §9).

A node bridge without its uplink port is the textbook "VM runs, passes no traffic": with
``nodeNetwork: nmstate`` kvnet creates the bridges, so each needs its ``uplink`` (KV268); and
networks sharing one node bridge must agree on it (KV269), whoever creates the bridge. Bonds of
node NICs (``spec.cluster.bonds``): each NIC in one place only (KV275), created only when
nodeNetwork is not none (KV276), with link monitoring (KV277).
"""

from __future__ import annotations

from typing import Any

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan, Where, node_bridges


def _port_clashes(bond: dict[str, Any], taken: dict[str, str], bond_names: set[str], uplinks: set[str],
                  where: Where, i: int) -> list[Diagnostic]:
    """KV275 for each port of ``bond`` already taken (a bond name or port in ``taken``, a bond, a
    node bridge's uplink); records the ports in ``taken`` (a NIC enslaved to one bond only: Linux
    Documentation/networking/bonding.rst)."""
    out = []
    for j, nic in enumerate(bond["interfaces"]):
        clash = taken.get(nic) or ("a bond" if nic in bond_names else None) or (
            "the uplink of a node bridge" if nic in uplinks else None)
        if clash:
            out.append(error("KV275", f"bond {bond['name']!r}: port {nic!r} is already {clash}",
                             where.at("bonds", i, "interfaces", j),
                             hint="a NIC is a port of one bond only; a bridge whose uplink is bonded "
                                  "names the bond"))
        taken[nic] = f"a port of bond {bond['name']!r}"
    return out


def _bonds(plan: Plan, creator: str) -> list[Diagnostic]:
    """KV275: a bond's name or port taken twice (another bond, a port of one, a bridge uplink);
    KV276: bonds nothing creates (nodeNetwork none); KV277: a bond without link monitoring."""
    out: list[Diagnostic] = []
    where = plan.cluster_where
    raw = (plan.cluster or {}).get("bonds") or []
    if not raw or where is None:
        return out
    if creator == "none":
        out.append(error("KV276", "spec.cluster.bonds: nodeNetwork is none, so nothing creates the bonds",
                         where.at("bonds", key=True),
                         hint="set spec.cluster.nodeNetwork: nmstate, netplan or networkd"))
    uplinks = {n.uplink for n in plan.networks if n.uplink}
    bond_names = {b["name"] for b in raw}
    taken: dict[str, str] = {}
    for i, bond in enumerate(raw):
        if bond["name"] in taken:
            out.append(error("KV275", f"bond {bond['name']!r} is declared twice", where.at("bonds", i, "name")))
        taken.setdefault(bond["name"], "a bond name")
        out += _port_clashes(bond, taken, bond_names, uplinks, where, i)
        if bond.get("miimon") == 0:
            out.append(warning("KV277", f"bond {bond['name']!r}: miimon 0 turns link monitoring off, so the bond never "
                               "notices a dead port and keeps sending on it", where.at("bonds", i, "miimon"),
                               hint="miimon: 100 (kvnet's default)"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    creator = facts.cluster.node_network if facts.cluster is not None else "none"
    nmstate = creator != "none"
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
                "KV268", f"network {net.name!r}: spec.cluster.nodeNetwork is {creator}, but node bridge {bridge!r} "
                "has no 'uplink': the bridge would have no port, and VMs on it run but pass no traffic beyond "
                "the node", net.where.at("bridge"),
                hint=f"add 'uplink: <node NIC>' (e.g. 'uplink: eth1') to network {net.name!r}"))
    return out + _bonds(plan, creator)
