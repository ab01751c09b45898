"""``kvnet explain``: one row per (VM, interface) of a compiled plan (SPEC §5)."""

from __future__ import annotations

import json
from kvnet.record import dataclass
from typing import Any, Sequence

from kvnet.input.facts import binding_of, network_type
from kvnet.input.model import POD_NETWORK, Plan
from kvnet.views.guest import GuestNic, guest_nics

POOLS = ("host-local", "whereabouts", "OVN-Kubernetes")


@dataclass
class Row:
    """One VM interface: where it attaches, how, and what the guest gets (all text: ``vars(row)``
    is the row, in field order, without ``dataclasses.asdict``'s deep copies)."""

    vm: str
    interface: str
    network: str
    type: str
    binding: str
    address: str
    source: str  # where the address comes from
    mac: str
    default_route: str  # "yes (via GW, metric N)", "dhcp", or "-"


def _address(written: int, ipam: str, nic: GuestNic | None) -> tuple[str, str]:
    """(the guest's addresses, where they come from); ``written``: how many the plan writes
    (the others are kvnet.lock's, SPEC §7; a dual-stack NIC may have one of each, issue 25)."""
    if ipam == "pod" and nic is not None and nic.addresses:
        dhcp = ["DHCP"] if nic.dhcp else []
        return ", ".join(dhcp + nic.addresses), "pod network: " + ", ".join(_pod_sources(nic))
    if nic is not None and nic.addresses:
        source = "plan" if written >= len(nic.addresses) else "kvnet.lock" if not written else "plan, kvnet.lock"
        return ", ".join(nic.addresses), source
    if ipam in POOLS:
        return "DHCP", f"{ipam} pool, handed out by KubeVirt's DHCP"
    if ipam == "dhcp":
        return "DHCP", "CNI dhcp IPAM, handed out by KubeVirt's DHCP"
    if nic is not None and nic.dhcp:
        return "DHCP", "the segment's DHCP server (L2)" if ipam == "none" else ipam
    return "-", "none (no networkData)"


def _pod_sources(nic: GuestNic) -> list[str]:
    """Where the pod NIC's addresses come from: KubeVirt's DHCP (IPv4: its masquerade DHCP
    server, only on a cluster with IPv4) and the masquerade IPv6 kvnet writes statically
    (kvnet.input.families.MASQUERADE_IPV6) on a cluster with IPv6 (spec.cluster.ipFamilies)."""
    out = [f"KubeVirt's DHCP (IPv{v})" for v in (4, 6) if f"dhcp{v}" in nic.dhcp]
    if any(":" in a for a in nic.addresses):
        out.append("masquerade IPv6 (static)")
    return out


def _default_route(nic: GuestNic | None, pod: bool) -> str:
    """The guest's default routes on ``nic``: ``yes (via GW...)`` for networkData gateways; a
    family whose route comes by DHCP beside them is named (the pod NIC's IPv4 default route is
    KubeVirt's DHCP's, its IPv6 one the masquerade gateway kvnet writes); ``DHCP`` alone."""
    if nic is None:
        return "-"
    metric = f", metric {nic.default_metric}" if nic.default_metric is not None else ""
    if nic.default_via:
        families = {gw: 6 if ":" in gw else 4 for gw in nic.default_via}
        server = "KubeVirt's DHCP" if pod else "DHCP"
        by_dhcp = [f"IPv{v} by {server}" for v in nic.dhcp_routed if v not in families.values()]
        if not by_dhcp:
            return f"yes (via {', '.join(nic.default_via)}{metric})"
        return f"yes ({', '.join(by_dhcp + [f'IPv{v} via {gw}' for gw, v in families.items()])}{metric})"
    if nic.dhcp and nic.dhcp_routes:
        return f"DHCP{metric}" if pod or metric else "DHCP"
    return "-"


def rows(plans: Sequence[Plan], objects: Sequence[dict[str, Any]]) -> list[Row]:
    """Rows for every VM of ``plans``, read from the compiled ``objects`` (sorted by VM, then
    interface order)."""
    vms = {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objects
           if o.get("kind") == "VirtualMachine"}
    secrets = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Secret"}
    out: list[Row] = []
    for plan in plans:
        types = {n.name: n.type for n in plan.networks}
        # an OVN network with a subnet is its own pool (SPEC §9)
        ipams = {n.name: "OVN-Kubernetes" if n.address_pool == "OVN-Kubernetes" else n.ipam for n in plan.networks}
        for vm in sorted(plan.vms, key=lambda v: v.name):
            obj = vms.get((plan.namespace, vm.name))
            if obj is None:
                continue
            ifaces = obj["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"]
            macs = {i["name"]: str(i.get("macAddress", "")) for i in ifaces}
            nics = guest_nics(obj, secrets)
            for iface in vm.interfaces:
                mac = macs.get(iface.network, "")
                nic = nics.get(mac.lower())
                pod = iface.network == POD_NETWORK
                written = len(iface.addresses)  # the rest are read from kvnet.lock (SPEC §7)
                address, source = _address(written, "pod" if pod else ipams.get(iface.network, "none"), nic)
                if pod and address == "DHCP":
                    source = "pod network, handed out by KubeVirt's DHCP"
                if not iface.attached:
                    source = "state: absent (hot-unplugged: no networkData)"
                net_type = network_type(types, iface.network)
                out.append(Row(vm.name, nic.name if nic is not None else "-", iface.network, net_type,
                               binding_of(iface, net_type), address, source, mac, _default_route(nic, pod)))
    return out


HEADERS = ("VM", "IFACE", "NETWORK", "TYPE", "BINDING", "ADDRESS", "FROM", "MAC", "DEFAULT ROUTE")


def render_text(table: Sequence[Row]) -> str:
    """An aligned plain-text table with a header line."""
    cells = [HEADERS] + [tuple(str(v) for v in vars(r).values()) for r in table]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    return "".join("  ".join(c[i].ljust(widths[i]) for i in range(len(c))).rstrip() + "\n" for c in cells)


def render_json(table: Sequence[Row]) -> str:
    """A JSON list of row objects."""
    return json.dumps([vars(r) for r in table], indent=2) + "\n"
