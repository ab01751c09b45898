"""``kvnet graph``: the topology of compiled plans as Graphviz DOT or Mermaid (SPEC §5).

Nodes: VMs, NADs, networks, node bridges and their uplinks (and other node devices: macvlan,
ipvlan, macvtap and host-device parents, SR-IOV resources). Edges: VM -> NAD (labelled with the
guest interface and address), NAD -> network, network -> node device -> uplink.
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any, Sequence

from kvnet.input.model import POD_NETWORK, Plan
from kvnet.views.explain import rows

POD = "pod network"


@dataclass
class Topology:
    """Nodes (id -> (label, shape kind)) and edges (from, to, label), in a stable order."""

    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)

    def node(self, ident: str, label: str, kind: str) -> str:
        self.nodes.setdefault(ident, (label, kind))
        return ident

    def edge(self, a: str, b: str, label: str = "") -> None:
        if (a, b, label) not in self.edges:
            self.edges.append((a, b, label))


def _nad_of(vm: dict[str, Any], network: str) -> str | None:
    for n in vm["spec"]["template"]["spec"]["networks"]:
        if n.get("name") == network and "multus" in n:
            return str(n["multus"]["networkName"])
    return None


def _device(plan: Plan, name: str) -> tuple[str, str, str] | None:
    """(node device label, uplink, label of the network's edge to it) of a network, when it has
    one on the node. A bridge is one node whatever VLANs its networks use: the VLAN labels the
    edge (issue 26: one bridge with two VLANs was drawn as two bridges)."""
    net = next(n for n in plan.networks if n.name == name)
    uplink = str(net.raw.get("uplink") or "")
    if net.bridge:
        return f"bridge {net.bridge}", uplink, (f"vlan {net.vlan}" if net.vlan else "")
    if net.master:
        return f"{net.type} on {net.master}", uplink, ""
    if net.resource_name:
        return f"SR-IOV {net.resource_name}", uplink, ""
    return None


def topology(plans: Sequence[Plan], objects: Sequence[dict[str, Any]]) -> Topology:
    """The graph of every VM attachment of ``plans``, read from the compiled ``objects``."""
    topo = Topology()
    vms = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "VirtualMachine"}
    table = rows(plans, objects)
    for plan in plans:
        prefix = f"{plan.namespace}/" if plan.namespace else ""
        for net in sorted(plan.networks, key=lambda n: n.name):
            nid = topo.node(f"net:{prefix}{net.name}", f"network {net.name}\\n{net.type}"
                            + (f" {', '.join(net.subnets)}" if net.subnets else ""), "network")
            dev = _device(plan, net.name)
            if dev is not None:
                did = topo.node(f"dev:{dev[0]}", f"node: {dev[0]}", "device")
                topo.edge(nid, did, dev[2])
                if dev[1]:
                    topo.edge(did, topo.node(f"uplink:{dev[1]}", f"uplink {dev[1]}", "device"), "enslaved")
        for row in (r for r in table if any(v.name == r.vm for v in plan.vms)):
            vid = topo.node(f"vm:{prefix}{row.vm}", f"VM {row.vm}", "vm")
            label = row.interface + ("" if row.address in ("-", "") else f" {row.address}")
            if row.network == POD_NETWORK:
                topo.edge(vid, topo.node("pod", POD, "network"), label)
                continue
            nad = _nad_of(vms[row.vm], row.network) if row.vm in vms else None
            target = f"net:{prefix}{row.network}"
            if nad is not None:
                aid = topo.node(f"nad:{nad}", f"NAD {nad}", "nad")
                topo.edge(vid, aid, label)
                topo.edge(aid, target)
            else:
                topo.edge(vid, target, label)
    return topo


_DOT_SHAPES = {"vm": "box", "nad": "note", "network": "ellipse", "device": "hexagon"}
_MERMAID = {"vm": ("[", "]"), "nad": ("[/", "/]"), "network": ("([", "])"), "device": ("{{", "}}")}


def _q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n")


def to_dot(topo: Topology) -> str:
    """Graphviz DOT (``dot -Tsvg`` renders it)."""
    lines = ["digraph kvnet {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    ids = {k: f"n{i}" for i, k in enumerate(topo.nodes)}
    for key, (label, kind) in topo.nodes.items():
        lines.append(f'  {ids[key]} [label="{_q(label)}", shape={_DOT_SHAPES[kind]}];')
    for a, b, label in topo.edges:
        lines.append(f'  {ids[a]} -> {ids[b]}' + (f' [label="{_q(label)}"]' if label else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(topo: Topology) -> str:
    """A Mermaid flowchart (GitHub renders it in Markdown)."""
    lines = ["flowchart LR"]
    ids = {k: f"n{i}" for i, k in enumerate(topo.nodes)}
    for key, (label, kind) in topo.nodes.items():
        left, right = _MERMAID[kind]
        text = label.replace("\\n", "<br/>").replace('"', "#quot;")
        lines.append(f'  {ids[key]}{left}"{text}"{right}')
    for a, b, label in topo.edges:
        arrow = f' -- "{label}" --> ' if label else " --> "
        lines.append(f"  {ids[a]}{arrow}{ids[b]}")
    return "\n".join(lines) + "\n"
