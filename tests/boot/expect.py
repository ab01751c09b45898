"""What a booted guest must show, read from the plan itself (not from kvnet's networkData), and the
comparison with the guest's report (``ip -j addr``/``route``, ``resolvectl dns``, pings).

The plan's meaning (SPEC §3, per address family since issue 20): each family's default route is
on the interface with ``defaultRoute: true`` whose network is of that family; else on the pod NIC
when the pod network has that family (IPv4; IPv6 too with ``spec.cluster.ipFamilies: [IPv4, IPv6]``,
issue 25); else on the first interface whose network has a ``gateway`` of that family; there is at
most one per family and every other NIC has none. Each NIC has exactly its addresses, one per
family (static or from kvnet.lock, the pod's DHCP lease and masquerade IPv6, the pool's DHCP
lease), its network's ``routes`` (with ``metric`` when given) and its network's ``dns`` servers.
"""
from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

POD = "default"


@dataclass
class NicIntent:
    index: int
    network: str
    mac: str
    kind: str  # "pod" | "static" | "pool" | "dhcp"
    addresses: list[str]  # CIDRs, one per family (issue 25); pod/pool: filled in from the harness' leases
    dns: list[str] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    vlans: list[tuple[int, str]] = field(default_factory=list)  # a trunk NIC's (VLAN id, address) (issue 24)

    @property
    def address(self) -> str | None:
        """The NIC's first address (CIDR), None when it has none."""
        return self.addresses[0] if self.addresses else None


@dataclass
class VmIntent:
    name: str
    namespace: str
    nics: list[NicIntent]
    defaults: dict[int, tuple[int, str]]  # family -> (NIC index, gateway); pod gateway filled in later
    network_data: str
    user_data: str
    pod_families: tuple[int, ...] = (4,)  # spec.cluster.ipFamilies: IPv6 gives the pod NIC fd10:0:2::2 (issue 25)


def _family(cidr: str) -> int:
    return ipaddress.ip_network(cidr, strict=True).version


def _cloudinit(vm: dict[str, Any], objs: list[dict[str, Any]]) -> tuple[str, str]:
    """(networkData, userData) of the VM object exactly as emitted (inline or its Secret)."""
    for vol in vm["spec"]["template"]["spec"].get("volumes", []):
        src = vol.get("cloudInitNoCloud")
        if src is None:
            continue
        ref = (src.get("networkDataSecretRef") or src.get("secretRef") or {}).get("name")
        secret = next((o for o in objs if o.get("kind") == "Secret" and o["metadata"]["name"] == ref), None)
        data = {k: base64.b64decode(v).decode() for k, v in (secret or {}).get("data", {}).items()}
        data.update((secret or {}).get("stringData", {}))
        nd = src.get("networkData") or data.get("networkdata") or data.get("networkData") or ""
        ud = src.get("userData") or data.get("userdata") or data.get("userData") or ""
        return nd, ud
    return "", ""


def as_list(value: Any) -> list[Any]:
    """A plan value written as one item or a list of one per family (SPEC §2, issue 25)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _subnet(net: dict[str, Any], family: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network's subnet of ``family``, None when it has none."""
    nets = [ipaddress.ip_network(str(s), strict=True) for s in as_list(net.get("subnet"))]
    return next((n for n in nets if n.version == family), None)


def _carrier(nets: dict[str, dict[str, Any]], ifaces: list[dict[str, Any]], family: int,
             pod_families: tuple[int, ...]) -> tuple[int, str] | None:
    def gw(i: dict[str, Any]) -> str | None:
        return next((str(g) for g in as_list(nets.get(i["network"], {}).get("gateway"))
                     if ipaddress.ip_address(str(g)).version == family), None)

    for n, i in enumerate(ifaces):
        if i.get("defaultRoute") is True and gw(i):
            return n, gw(i) or ""
    if family in pod_families:
        for n, i in enumerate(ifaces):
            if i["network"] == POD:
                return n, ""  # the pod's router, known once the harness leased the address
    for n, i in enumerate(ifaces):
        if gw(i):
            return n, gw(i) or ""
    return None


def _kind(i: dict[str, Any], net: dict[str, Any], address: list[str]) -> str:
    """pod; static (written or from kvnet.lock); pool (a DHCP NIC on a network with a subnet: KubeVirt's
    DHCP for host-local/whereabouts, OVN's or the segment's own server otherwise: the harness leases one);
    dhcp (no subnet: nothing answers)."""
    if i["network"] == POD:
        return "pod"
    if address:
        return "static"
    return "pool" if net.get("subnet") else "dhcp"


def intents(plan: dict[str, Any], objs: list[dict[str, Any]], lock: dict[str, Any] | None = None) -> list[VmIntent]:
    """One VmIntent per VM of ``plan`` (the parsed NetworkPlan), MACs and seed from ``objs``
    (kvnet's output for it), allocated addresses from ``lock`` (kvnet.lock: plans.<ns>/<plan>.<network>.<vm>).
    An interface with ``state: absent`` is no NIC of the guest (hot-unplugged)."""
    nets = {n["name"]: n for n in plan["spec"].get("networks", [])}
    vm_objs = {o["metadata"]["name"]: o for o in objs if o.get("kind") == "VirtualMachine"}
    locked = ((lock or {}).get("plans") or {}).get(f"{plan['metadata'].get('namespace', 'default')}/"
                                                    f"{plan['metadata']['name']}") or {}
    out = []
    for vm in plan["spec"]["vms"]:
        obj = vm_objs[vm["name"]]
        macs = [i["macAddress"] for i in obj["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"]]
        nics = []
        for n, i in enumerate(vm["interfaces"]):
            if i.get("state") == "absent":
                continue
            net = nets.get(i["network"], {})
            address = _addresses(i, net, (locked.get(i["network"]) or {}).get(vm["name"]))
            nics.append(NicIntent(n, i["network"], macs[n].lower(), _kind(i, net, address), address,
                                  [str(s) for s in (net.get("dns") or {}).get("nameservers", [])],
                                  list(net.get("routes") or []),
                                  [(v["id"], v["address"]) for v in i.get("vlans") or []]))
        attached = [i for i in vm["interfaces"] if i.get("state") != "absent"]
        index = [n for n, i in enumerate(vm["interfaces"]) if i.get("state") != "absent"]
        pod = tuple(sorted({4 if f == "IPv4" else 6 for f in plan["spec"].get("cluster", {}).get("ipFamilies", ["IPv4"])}))
        defaults = {f: (index[c[0]], c[1]) for f in (4, 6) if (c := _carrier(nets, attached, f, pod)) is not None}
        nd, ud = _cloudinit(obj, objs)
        out.append(VmIntent(vm["name"], plan["metadata"].get("namespace", "default"), nics, defaults, nd, ud, pod))
    return out


def _addresses(i: dict[str, Any], net: dict[str, Any], locked: Any) -> list[str]:
    """The interface's CIDRs: its written ``address`` (one or one per family), then kvnet.lock's
    for each family it does not write (issue 25: web writes IPv4 and is allocated IPv6), each with
    its family's subnet prefix when written bare."""
    out: list[str] = []
    for a in [*as_list(i.get("address")), *as_list(locked)]:
        a = str(a)
        family = ipaddress.ip_interface(a).version
        if any(ipaddress.ip_interface(o).version == family for o in out):
            continue
        subnet = _subnet(net, family)
        out.append(a if "/" in a or subnet is None else f"{a}/{subnet.prefixlen}")
    return out


def parse_dns(text: str) -> dict[str, list[str]]:
    """``resolvectl dns`` -> {ifname: [servers]} (``Global`` for the global list)."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^(?:Link \d+ \((\S+)\)|(Global)):\s*(.*)$", line.strip())
        if m:
            out[m.group(1) or "Global"] = m.group(3).split()
    return out


def _links(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """MAC -> the NIC that has it; a VLAN sub-interface (``link`` set in ``ip -j addr``) shares its
    parent's MAC and is not the NIC."""
    return {link.get("address", "").lower(): link for link in report["addr"] if "link" not in link}


def _global_addrs(link: dict[str, Any]) -> set[str]:
    return {f"{a['local']}/{a['prefixlen']}" for a in link.get("addr_info", [])
            if a.get("scope") == "global"}


def _defaults(report: dict[str, Any], family: int) -> list[dict[str, Any]]:
    routes = report["route4" if family == 4 else "route6"]
    return sorted((r for r in routes if r.get("dst") == "default"), key=lambda r: r.get("metric", 0))


def check(intent: VmIntent, report: dict[str, Any], excused: set[str] | None = None) -> list[tuple[str, str]]:
    """Every difference between the plan and the guest, as (feature, message); features:
    address, default4/default6 (the winning default route), extra-default4/6 (a second one),
    route, route-metric, dns, ping, vlan (a trunk NIC's sub-interface, or a ping through it).
    ``excused``: peer addresses whose own ping of this VM was answered
    (:func:`answered_back`); a failed ping of one of them is no fault."""
    bad: list[tuple[str, str]] = []
    links = _links(report)
    names: dict[int, str] = {}
    for nic in intent.nics:
        link = links.get(nic.mac)
        if link is None:
            bad.append(("address", f"eth{nic.index} ({nic.network}): no link with MAC {nic.mac}"))
            continue
        names[nic.index] = link["ifname"]
        want = set(nic.addresses)
        got = _global_addrs(link)
        if got != want:
            bad.append(("address", f"{link['ifname']} ({nic.network}): addresses {sorted(got)}, plan {sorted(want)}"))
    for family in (4, 6):
        bad += _check_defaults(intent, report, names, family)
    routes = report["route4"] + report["route6"]
    for nic in intent.nics:
        for r in nic.routes:
            bad += _check_route(nic, names.get(nic.index), r, routes)
    bad += _check_dns(intent, report, names)
    vlan_nets = [ipaddress.ip_interface(a).network for nic in intent.nics for _i, a in nic.vlans]
    bad += [("vlan" if any(ipaddress.ip_address(addr) in n for n in vlan_nets) else "ping", f"no answer from {addr}")
            for addr, ok in report.get("ping", {}).items() if not ok and addr not in (excused or set())]
    return bad + _check_vlans(intent, report, names)


def _check_vlans(intent: VmIntent, report: dict[str, Any], names: dict[int, str]) -> list[tuple[str, str]]:
    """Each trunk NIC's VLAN sub-interface <parent>.<id> exists with exactly its address (issue 24)."""
    by_name = {link.get("ifname"): link for link in report["addr"]}
    bad = []
    for nic in intent.nics:
        for vid, address in nic.vlans:
            name = f"{names.get(nic.index, f'eth{nic.index}')}.{vid}"
            link = by_name.get(name)
            got = sorted(_global_addrs(link)) if link is not None else None
            if got != [address]:
                bad.append(("vlan", f"{name} ({nic.network} VLAN {vid}): addresses {got}, plan [{address!r}]"))
    return bad


def _check_defaults(intent: VmIntent, report: dict[str, Any], names: dict[int, str], family: int) -> list[tuple[str, str]]:
    found = _defaults(report, family)
    want = intent.defaults.get(family)
    shown = [f"{r.get('dev')} via {r.get('gateway')} metric {r.get('metric', 0)}" for r in found]
    if want is None:
        return [(f"default{family}", f"IPv{family}: the plan has no default route, guest has {shown}")] if found else []
    dev, gw = names.get(want[0]), want[1]
    if not found:
        return [(f"default{family}", f"IPv{family}: no default route (plan: {dev} via {gw})")]
    bad = []
    top = found[0]
    tie = len(found) > 1 and found[1].get("metric", 0) == top.get("metric", 0)
    if top.get("dev") != dev or top.get("gateway") != gw or tie:
        bad.append((f"default{family}", f"IPv{family}: default routes {shown}, plan: {dev} via {gw}"))
    elif len(found) > 1:
        bad.append((f"extra-default{family}", f"IPv{family}: default routes {shown}, plan: only {dev} via {gw}"))
    return bad


def _check_route(nic: NicIntent, dev: str | None, r: dict[str, Any], routes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    to = str(ipaddress.ip_network(str(r["to"]), strict=True))
    hits = [x for x in routes if x.get("dst") == to and x.get("gateway") == str(r["via"]) and x.get("dev") == dev]
    if not hits:
        return [("route", f"{dev} ({nic.network}): no route to {to} via {r['via']}")]
    if r.get("metric") is not None and all(x.get("metric", 0) != r["metric"] for x in hits):
        return [("route-metric", f"{dev}: route to {to} has metric {hits[0].get('metric', 0)}, plan {r['metric']}")]
    return []


def _check_dns(intent: VmIntent, report: dict[str, Any], names: dict[int, str]) -> list[tuple[str, str]]:
    dns = parse_dns(report.get("dns", ""))
    bad = []
    for nic in intent.nics:
        dev = names.get(nic.index)
        missing = [s for s in nic.dns if s not in dns.get(dev or "", [])]
        if missing:
            bad.append(("dns", f"{dev} ({nic.network}): DNS {dns.get(dev or '', [])}, plan adds {missing}"))
    return bad


def load(text: str) -> list[dict[str, Any]]:
    """Every non-empty document of a YAML stream."""
    return [d for d in yaml.safe_load_all(text) if d]


def answered_back(intents: list[VmIntent], reports: list[dict[str, Any] | None]) -> list[set[str]]:
    """Per VM of one plan's boot, the peer addresses whose ping may fail without a fault: the peer
    got an answer from this VM's address on the same segment (network, and VLAN id for a trunk
    NIC's sub-interface), so both ends sent and received there. A guest powers off right after its
    report (eni's ifdown takes its interfaces down first), so the slower of two guests can find the
    faster one gone."""
    ends: dict[tuple[str, int | None], list[tuple[int, str]]] = {}
    for k, vm in enumerate(intents):
        for n in vm.nics:
            for a in n.addresses if n.kind in ("static", "pool") else []:
                ends.setdefault((n.network, -ipaddress.ip_interface(a).version), []).append((k, a.split("/")[0]))
            for vid, a in n.vlans:
                ends.setdefault((n.network, vid), []).append((k, a.split("/")[0]))
    out: list[set[str]] = [set() for _ in intents]
    for members in ends.values():
        for k, mine in members:
            for j, theirs in members:
                peer = reports[j]
                if j != k and peer is not None and peer.get("ping", {}).get(mine) is True:
                    out[k].add(theirs)
    return out
