"""Plans for the guest tests, and what each VM's guest must end up with, read from the plan.

The intent is derived from the plan by the SPEC's words (§3 "Guest network config"), not from
kvnet's code: which NIC carries the default route, which address sits on which MAC, which DNS
servers, search domains and extra routes must reach it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

HEAD = "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: m, namespace: vms}\nspec:\n"
#: a dual-stack pod network (issue 25): spec.cluster.ipFamilies, no node-side objects
DUAL_POD = "  cluster: {distribution: openshift, ipFamilies: [IPv4, IPv6]}\n"


def _net(name: str, subnet: str | None = None, gw: str | None = None, ipam: str = "none", **extra: str) -> str:
    parts = [f"name: {name}", "type: bridge", f"bridge: br-{name}", f"ipam: {ipam}"]
    if subnet:
        parts.append(f"subnet: {subnet}")
    if gw:
        parts.append(f"gateway: {gw}")
    parts += [f"{k}: {v}" for k, v in extra.items()]
    return "    - {" + ", ".join(parts) + "}\n"


def _vm(name: str, *ifaces: str) -> str:
    return f"    - name: {name}\n      image: img\n      interfaces:\n" + "".join(
        f"        - {{{i}}}\n" for i in ifaces)


LAN = _net("lan", "192.168.1.0/24", "192.168.1.1", dns="{nameservers: [192.168.1.53, 1.1.1.1], search: [lab.local]}",
           routes="[{to: 10.0.0.0/8, via: 192.168.1.254}, {to: 172.16.0.0/12, via: 192.168.1.253, metric: 300}]")
SAN = _net("san", "10.20.0.0/24", "10.20.0.1", ipam="static", dns="{nameservers: [10.20.0.53], search: [san.local]}",
           routes="[{to: 10.30.0.0/16, via: 10.20.0.254}]")
POOL = _net("pool", "10.40.0.0/24", "10.40.0.1", ipam="host-local", range="10.40.0.100-10.40.0.199",
            dns="{nameservers: [10.40.0.53], search: [pool.local]}", routes="[{to: 10.41.0.0/16, via: 10.40.0.254}]")
WA = _net("wa", "10.50.0.0/24", "10.50.0.1", ipam="whereabouts", range="10.50.0.10-10.50.0.90",
          dns="{nameservers: [10.50.0.53]}")
DHCP = _net("dh", "10.60.0.0/24", "10.60.0.1", ipam="dhcp", dns="{nameservers: [10.60.0.53]}")
L2 = _net("l2", dns="{nameservers: [10.70.0.53], search: [l2.local]}")
L2B = _net("l2b")
V6 = _net("v6", "fd00:10::/64", "fd00:10::1", dns="{nameservers: ['fd00:10::53'], search: [v6.local]}",
          routes="[{to: 'fd00:99::/48', via: 'fd00:10::fe', metric: 400}]")
V6B = _net("v6b", "fd00:20::/64", "fd00:20::1", ipam="static", dns="{nameservers: ['fd00:20::53']}")
V6L2 = _net("v6l2", "fd00:30::/64")
V6DHCP = _net("v6d", "fd00:40::/64", "fd00:40::1", dns="{nameservers: ['fd00:40::53']}")
NOGW = _net("nogw", "10.80.0.0/24")
# dual-stack (issue 25): one value per family
DS = _net("ds", "[10.100.0.0/24, 'fd00:100::/64']", "[10.100.0.1, 'fd00:100::1']",
          allocate="[10.100.0.20-10.100.0.29, 'fd00:100::20-fd00:100::29']",
          dns="{nameservers: [10.100.0.53, 'fd00:100::53'], search: [ds.local]}",
          routes="[{to: 10.101.0.0/16, via: 10.100.0.254}, {to: 'fd00:101::/48', via: 'fd00:100::fe'}]")
DS_ST = _net("dst", "[10.110.0.0/24, 'fd00:110::/64']", "[10.110.0.1, 'fd00:110::1']", ipam="static")
DS_L2 = _net("dsl2", "[10.120.0.0/24, 'fd00:120::/64']")
DS_POOL = _net("dsp", "[10.130.0.0/24, 'fd00:130::/64']", "[10.130.0.1, 'fd00:130::1']", ipam="whereabouts",
               range="[10.130.0.10-10.130.0.90, 'fd00:130::10-fd00:130::90']")
ALLOC = _net("alloc", "10.90.0.0/24", "10.90.0.1", allocate="10.90.0.20-10.90.0.29", dns="{nameservers: [10.90.0.53]}",
             routes="[{to: 10.91.0.0/16, via: 10.90.0.254}]")
ALLOC_ST = _net("allocst", "10.95.0.0/24", "10.95.0.1", ipam="static", allocate="10.95.0.20-10.95.0.29")

MATRIX: dict[str, str] = {
    "v4-static-pod-default": LAN + SAN, "v4-default-on-secondary": LAN + SAN,
    "v4-pool-first-gateway": POOL + LAN, "v4-pool-default-with-pod": WA + LAN,
    "v4-l2-dhcp-beside-pod": L2 + LAN, "v4-l2-dhcp-carrier": L2 + L2B,
    "v4-several-gateways": LAN + SAN + POOL + NOGW, "v4-no-pod-several-gateways": NOGW + LAN + SAN,
    "v4-dhcp-ipam-default": DHCP + LAN, "v6-static-only": V6 + V6B,
    "v6-beside-pod": V6 + LAN, "v6-default-on-secondary": V6 + LAN,
    "v4-allocated": ALLOC + ALLOC_ST + LAN, "v6-dhcp6-l2": V6L2 + V6, "v6-dhcp6-default": V6DHCP + LAN,
    "dual-stack-mixed": LAN + V6 + POOL + L2,
    "dual-stack-lists": DS + DS_ST + DS_L2, "dual-stack-pod": DS + DS_ST, "dual-stack-pool": DS_POOL + DS,
}
#: plans whose pod network is dual-stack (spec.cluster.ipFamilies)
CLUSTER: dict[str, str] = {"dual-stack-pod": DUAL_POD}
VMS: dict[str, str] = {
    "v4-static-pod-default": _vm("a", "network: default", "network: lan, address: 192.168.1.20",
                                 "network: san, address: 10.20.0.20/24"),
    "v4-default-on-secondary": _vm("a", "network: default", "network: lan, address: 192.168.1.21",
                                   "network: san, address: 10.20.0.21, defaultRoute: true")
    + _vm("b", "network: lan, address: 192.168.1.22", "network: default, defaultRoute: true"),
    "v4-pool-first-gateway": _vm("a", "network: pool", "network: lan, address: 192.168.1.23"),
    "v4-pool-default-with-pod": _vm("a", "network: default", "network: wa, defaultRoute: true",
                                    "network: lan, address: 192.168.1.24"),
    "v4-l2-dhcp-beside-pod": _vm("a", "network: default", "network: l2", "network: lan, address: 192.168.1.25"),
    "v4-l2-dhcp-carrier": _vm("a", "network: l2", "network: l2b, defaultRoute: true"),
    "v4-several-gateways": _vm("a", "network: default", "network: lan, address: 192.168.1.26",
                               "network: san, address: 10.20.0.26", "network: pool",
                               "network: nogw, address: 10.80.0.26"),
    "v4-no-pod-several-gateways": _vm("a", "network: nogw, address: 10.80.0.27", "network: lan, address: 192.168.1.27",
                                      "network: san, address: 10.20.0.27"),
    "v4-dhcp-ipam-default": _vm("a", "network: dh, defaultRoute: true", "network: lan, address: 192.168.1.28"),
    "v6-static-only": _vm("a", "network: v6, address: 'fd00:10::20'", "network: v6b, address: 'fd00:20::20/64'"),
    "v6-beside-pod": _vm("a", "network: default", "network: v6, address: 'fd00:10::21'",
                         "network: lan, address: 192.168.1.29"),
    "v6-default-on-secondary": _vm("a", "network: default", "network: v6, address: 'fd00:10::22', defaultRoute: true",
                                   "network: lan, address: 192.168.1.30"),
    "v6-dhcp6-l2": _vm("a", "network: default", "network: v6l2", "network: v6, address: 'fd00:10::23'"),
    "v4-allocated": _vm("a", "network: default", "network: alloc", "network: allocst")
    + _vm("b", "network: alloc, defaultRoute: true", "network: allocst", "network: lan, address: 192.168.1.34"),
    "v6-dhcp6-default": _vm("a", "network: default", "network: v6d, defaultRoute: true",
                            "network: lan, address: 192.168.1.33"),
    "dual-stack-mixed": _vm("a", "network: default", "network: lan, address: 192.168.1.31",
                            "network: v6, address: 'fd00:10::24'", "network: pool", "network: l2")
    + _vm("b", "network: v6, address: 'fd00:10::25', defaultRoute: true", "network: pool",
          "network: lan, address: 192.168.1.32"),
    "dual-stack-lists": _vm("a", "network: ds, defaultRoute: true", "network: dst, address: [10.110.0.5, 'fd00:110::5']",
                            "network: dsl2")
    + _vm("b", "network: dst, address: ['fd00:110::6', 10.110.0.6]", "network: ds, address: [10.100.0.6]"),
    # the pool NIC carries the IPv4 default route only: the guest gets no IPv6 there (KV601)
    "dual-stack-pool": _vm("a", "network: dsp", "network: ds, address: [10.100.0.9, 'fd00:100::9']"),
    "dual-stack-pod": _vm("a", "network: default", "network: ds", "network: dst, address: [10.110.0.7, 'fd00:110::7']")
    + _vm("b", "network: default", "network: ds, defaultRoute: true", "network: dst, address: [10.110.0.8]"),
}



def matrix_plans() -> dict[str, str]:
    """name -> full NetworkPlan text."""
    return {name: HEAD + CLUSTER.get(name, "") + "  networks:\n" + nets + "  vms:\n" + VMS[name]
            for name, nets in MATRIX.items()}


@dataclass
class NicIntent:
    ifname: str
    mac: str
    network: str
    addresses: set[str] = field(default_factory=set)
    dhcp: set[int] = field(default_factory=set)  # the families it asks DHCP for
    router_offered: bool = False  # its DHCP server offers a router (pod network, or a segment's own)
    dns: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    routes: list[tuple[str, str, int | None]] = field(default_factory=list)


@dataclass
class VmIntent:
    plan: str
    vm: str
    nics: list[NicIntent]
    carriers: dict[int, str]  # family -> ifname carrying that family's default route (issue 20 G1)


def intents(plan_name: str, plan: dict[str, Any], built_vms: dict[str, dict[str, Any]],
            lock: dict[str, Any] | None = None) -> list[VmIntent]:
    """What the guest of each VM of ``plan`` must configure (SPEC §3), MACs from the built VMs;
    ``lock`` is the plan directory's kvnet.lock (SPEC §7), whose addresses are static ones."""
    nets = {n["name"]: n for n in plan["spec"].get("networks") or []}
    meta = plan["metadata"]
    key = f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
    locked = ((lock or {}).get("plans") or {}).get(key) or {}
    pod = _pod_families(plan)
    out = []
    for vm in plan["spec"].get("vms") or []:
        ifaces = [dict(i) for i in vm.get("interfaces") or [{"network": "default"}]]
        for i in ifaces:
            i["address"] = _values(i.get("address"))
            held = _values((locked.get(i["network"]) or {}).get(vm["name"]))
            written = {ipaddress.ip_interface(a).version for a in i["address"]}
            i["address"] += [a for a in held if ipaddress.ip_address(a).version not in written]
        macs = [i["macAddress"] for i in built_vms[vm["name"]]["spec"]["template"]["spec"]["domain"]["devices"]
                ["interfaces"]]
        nics = [_nic(f"eth{n}", macs[n], i, nets.get(i["network"]), pod) for n, i in enumerate(ifaces)]
        out.append(VmIntent(plan_name, vm["name"], nics, _carriers(ifaces, nets, pod)))
    return out


def _values(value: Any) -> list[str]:
    """A per-family plan value (one, or a list of one per family) as a list."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _pod_families(plan: dict[str, Any]) -> set[int]:
    """The pod network's families: spec.cluster.ipFamilies, IPv4 without (issue 25)."""
    fams = ((plan["spec"].get("cluster") or {}).get("ipFamilies")) or ["IPv4"]
    return {6 if f == "IPv6" else 4 for f in fams}


def _carriers(ifaces: list[dict[str, Any]], nets: dict[str, Any], pod_fams: set[int]) -> dict[int, str]:
    """Per family: the interface with defaultRoute of that family; else the pod NIC when the pod
    network has that family; else the first whose network has a gateway of that family (SPEC §3,
    per family since issue 20; a dual-stack NIC has both, issue 25)."""
    def families(i: dict[str, Any]) -> set[int]:
        net = nets.get(i["network"])
        if net is None:
            return pod_fams if i["network"] == "default" else {4}
        if net.get("ipam") in ("host-local", "whereabouts", "dhcp"):
            return {4}  # a pool hands the guest only IPv4 (KubeVirt's bridge binding DHCP; KV601)
        if net.get("gateway"):
            return {ipaddress.ip_address(g).version for g in _values(net["gateway"])}
        return {ipaddress.ip_network(s).version for s in _values(net.get("subnet"))} or {4}

    def gateway_of(n: int, fam: int) -> bool:
        net = nets.get(ifaces[n]["network"]) or {}
        return any(ipaddress.ip_address(g).version == fam for g in _values(net.get("gateway")))

    out: dict[int, str] = {}
    for fam in (4, 6):
        cand = [n for n, i in enumerate(ifaces) if fam in families(i)]
        flagged = [n for n in cand if ifaces[n].get("defaultRoute")]
        pod = [n for n in cand if ifaces[n]["network"] == "default" and fam in pod_fams]
        gw = [n for n in cand if gateway_of(n, fam)]
        pick = (flagged or pod or gw or [None])[0]
        if pick is not None:
            out[fam] = f"eth{pick}"
    return out


def _nic(ifname: str, mac: str, iface: dict[str, Any], net: dict[str, Any] | None, pod: set[int]) -> NicIntent:
    """One NIC's intent: each written or locked address (the subnet's prefix when none is
    written), DHCP for each family of the network without one (a pool network: IPv4 only, as
    KubeVirt's bridge binding hands on only that, issue 25), the pod NIC's masquerade IPv6 on a
    dual-stack cluster (fd10:0:2::2/120, KubeVirt's default vmIPv6NetworkCIDR)."""
    nic = NicIntent(ifname, mac, iface["network"])
    if net is None:
        nic.dhcp, nic.router_offered = pod & {4}, 4 in pod
        if 6 in pod:
            nic.addresses.add("fd10:0:2::2/120")
        return nic
    subnets = {ipaddress.ip_network(s).version: ipaddress.ip_network(s) for s in _values(net.get("subnet"))}
    for a in iface["address"]:
        version = ipaddress.ip_interface(a).version
        addr = a if "/" in a else f"{a}/{subnets[version].prefixlen}"
        nic.addresses.add(str(ipaddress.ip_interface(addr)))
    have = {ipaddress.ip_interface(a).version for a in nic.addresses}
    pool = net.get("ipam", "none") in ("host-local", "whereabouts", "dhcp")
    if not have:
        nic.dhcp = ({4} if pool else set(subnets)) if len(subnets) > 1 else {6 if 6 in subnets else 4}
    elif len(subnets) > 1 and not pool:
        nic.dhcp = set(subnets) - have
    nic.router_offered = net.get("ipam", "none") == "none" and 4 in nic.dhcp
    dns = net.get("dns") or {}
    nic.dns, nic.search = list(dns.get("nameservers") or []), list(dns.get("search") or [])
    nic.routes = [(str(ipaddress.ip_network(r["to"])), r["via"], r.get("metric")) for r in net.get("routes") or []]
    return nic
