"""The booted guest is the judge (issue 20): kvnet's NoCloud seed in a real Debian 12 guest.

Every run boots every renderer cloud-init has in a Debian guest (netplan, networkd, eni,
network-manager). Each renderer's round boots, at once in one namespace, the VMs of
``plans/mixed`` (pod NIC next to an IPv6 secondary with a gateway; defaultRoute on an IPv4
secondary; extra routes with metrics; a pool NIC; two VMs on one bridge pinging each other; a
trunk NIC on each with a VLAN 30 sub-interface, pinging each other through it),
``examples/dual-stack`` (``EVERY_ROUND``: both families on every NIC, both default routes, the
pod NIC's masquerade IPv6) and its share of the examples (``EXAMPLE_SHARE``: every example whose
VMs carry networkData boots in one round, each round its own renderer). Guests stay up until
every guest of their boot has reported (harness.boot), so pings never wait on a powered-off peer. Then day 2 (issue 21): vm-b's disk boots again with the
seed of ``plans/mixed-day2`` (new address, DNS server and route; an interface ``state: absent``):
the new configuration is in effect, the old address is gone, the other NICs keep their MACs.
In the netplan round a node guest (node_guest.py) applies kvnet's node netplan beside the VMs.
Two renderers boot at a time. What a guest shows that the plan does not say fails the test,
unless BOOT_LIMITS lists it (the README's limits table says the same, and a VM that declares
that guest gets the warning, ``LIMIT_CODES``).

To add a scenario, add its plan to ``ROUNDS`` (more VMs in an existing round, not a new round:
a round costs a whole boot per renderer).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import harness
import measure
import node_guest
import pytest
import runner
import yaml
from expect import VmIntent, answered_back, check, parse_dns

from testlib import EXAMPLES, example_dirs, run_kvnet

pytestmark = pytest.mark.boot

HERE = Path(__file__).parent
RENDERERS = ("netplan", "networkd", "eni", "network-manager")
MIXED, DAY2 = HERE / "plans" / "mixed", HERE / "plans" / "mixed-day2"
DAY2_VM = "vm-b"
NODE_ROUND = "netplan"  # the renderer round the node guest (node_guest.py) boots in
# Which round boots each example whose VMs carry networkData (test_every_example_boots keeps it
# complete). A NIC that asks DHCP where nothing answers (no subnet) delays eni's boot: not there.
EXAMPLE_SHARE: dict[str, tuple[str, ...]] = {
    "netplan": ("pool-shared",),
    "networkd": ("ovs", "ovn-layer2"),
    "eni": ("k3s-lan-static", "sriov"),
    "network-manager": ("k3s-multus", "nmstate-bridge", "netplan-bond"),
}
# Examples every round boots: dual-stack's IPv4 and IPv6 addresses and default routes (issue 25),
# its pod NIC with KubeVirt's masquerade IPv6 (harness.POD_IPV6), on each renderer.
EVERY_ROUND = ("dual-stack",)
# Examples with networkData no round boots yet, each with the reason (README "The booted guest").
NOT_BOOTED: dict[str, str] = {}
ROUNDS: dict[str, tuple[Path, ...]] = {
    r: (MIXED, *(EXAMPLES / e for e in (*EVERY_ROUND, *EXAMPLE_SHARE[r]))) for r in RENDERERS}
# (renderer, feature) a Debian 12 guest (cloud-init 22.4.2) is known to get wrong; README "The
# booted guest" states each, and test_every_boot_limit_is_still_observed keeps the list honest.
# networkd, network-manager: a route's metric is dropped (cloud-init 22.4.2). networkd: no VLAN
# sub-interface (22.4.2's networkd renderer writes no .netdev for it). eni: every 'routes:'
# entry is lost (written as 'post-up route add', and Debian has no net-tools) and no DNS reaches
# resolved (dns-nameservers needs resolvconf); the pod NIC keeps a DHCP default route at metric 200
# behind the carrier. network-manager: static NICs' DNS is not applied, and the pod NIC's DHCP default
# route (metric 100) wins over the carrier's (dhcp4-overrides dropped: G3).
BOOT_LIMITS: dict[str, set[str]] = {
    "networkd": {"route-metric", "vlan"},
    "eni": {"route", "dns", "extra-default4"},
    "network-manager": {"route-metric", "dns", "default4"},
}
# The warning a VM declaring that guest gets for each limit (kvnet/rules/guest_limits.py).
LIMIT_CODES = {"route": "KV228", "route-metric": "KV228", "dns": "KV229", "default4": "KV227",
               "extra-default4": "KV227", "vlan": "KV244"}


@dataclass
class Booted:
    renderer: str
    plan: Path
    phase: str  # "first" | "day2"
    result: harness.Result
    intent: VmIntent | None  # None: the node guest
    failures: list[tuple[str, str]]


def _timeout(guests: list[harness.Guest]) -> float:
    """Seconds a round may take: TCG boots share 2 cores, two rounds at a time."""
    return 900 + 150 * len(guests)


def _booted(renderer: str, plan: Path, phase: str, results: list[harness.Result], vms: list[VmIntent]
            ) -> list[Booted]:
    back = answered_back(vms, [r.report for r in results])
    return [Booted(renderer, plan, phase, r, vm, check(vm, r.report, b) if r.report else [("boot", r.error)])
            for r, vm, b in zip(results, vms, back, strict=True)]


def _boot_renderer(renderer: str, images: Path, work: Path) -> list[Booted]:
    if harness.ABORT.is_set():  # SIGTERM: boot nothing more
        return []
    vlans = "vlan" not in BOOT_LIMITS.get(renderer, set())
    compiled = [runner.compile_plan(p) for p in ROUNDS[renderer]]
    guests, segments = runner.group(compiled, renderer, guest_vlans=vlans)
    if renderer == NODE_ROUND:  # the node applying kvnet's netplan boots beside the VMs (issue 23)
        node, node_segments = node_guest.make()
        guests, segments = [*guests, node], [*segments, *node_segments]
    start = time.monotonic()
    results = harness.boot(guests, segments, images, work / renderer / "first", timeout=_timeout(guests),
                           keep_disk=(DAY2_VM,))
    measure.LINES.append(measure.summary(f"{renderer} first boot", results, time.monotonic() - start))
    out: list[Booted] = []
    first = 0
    for c in compiled:
        n = len(c.intents)
        out += _booted(renderer, c.path, "first", results[first:first + n], c.intents)
        first += n
    out += [Booted(renderer, node_guest.PLAN_DIR, "first", r, None,
                   [("node", m) for m in node_guest.check(r.report)] if r.report else [("boot", r.error)])
            for r in results[first:]]
    old = next(g for g in guests if g.name == DAY2_VM)
    try:
        second = runner.compile_plan(DAY2)
        guests2, segments2 = runner.group([second], renderer, guest_vlans=vlans)
        guests2[0].disk = old.disk
        start = time.monotonic()
        res = harness.boot(guests2, segments2, images, work / renderer / "day2", timeout=_timeout(guests2))
        measure.LINES.append(measure.summary(f"{renderer} day 2", res, time.monotonic() - start))
        out += _booted(renderer, DAY2, "day2", res, second.intents)
    finally:
        harness.drop_disk(old)
    return out


@pytest.fixture(scope="session")
def booted(images: Path) -> list[Booted]:
    work = Path(tempfile.mkdtemp(prefix="kvnet-boot-"))
    start = time.monotonic()
    try:
        with measure.LoadSampler() as load, ThreadPoolExecutor(max_workers=2) as pool:
            done = [b for bs in pool.map(lambda r: _boot_renderer(r, images, work), RENDERERS) for b in bs]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    measure.LINES.append(measure.summary("booted-guest layer", [b.result for b in done], time.monotonic() - start)
                         + f", load {load}")
    measure.LINES.append("per guest: " + ", ".join(
        f"{b.renderer}/{b.result.guest.name}/{b.phase} {b.result.seconds:.0f} s {b.result.cpu or 0:.0f} CPU s"
        for b in done))
    return done


CASES = [(r, p.name, "first") for r in RENDERERS for p in ROUNDS[r]] + [(r, DAY2.name, "day2") for r in RENDERERS]


@pytest.mark.parametrize(("renderer", "plan", "phase"), CASES, ids=["-".join(c) for c in CASES])
def test_guest_has_what_the_plan_says(booted, renderer: str, plan: str, phase: str) -> None:
    mine = [b for b in booted if (b.renderer, b.plan.name, b.phase) == (renderer, plan, phase)]
    assert mine
    bad = []
    for b in mine:
        unexpected = [(f, m) for f, m in b.failures if f not in BOOT_LIMITS.get(renderer, set())]
        if unexpected:
            bad.append("\n".join(m for _f, m in unexpected) + "\n" + runner.describe(b.result))
    assert not bad, "\n\n".join(bad)


def test_day2_absent_interface_is_gone_and_the_others_keep_their_macs(booted) -> None:
    first = runner.compile_plan(MIXED)
    vm = next(v for v in first.intents if v.name == DAY2_VM)
    absent = [n.mac for n in vm.nics if n.network == "spare"]
    kept = {n.mac for n in vm.nics if n.network != "spare"}
    assert absent
    for b in (b for b in booted if b.phase == "day2"):
        assert absent[0] not in b.result.guest.network_data.lower(), b.renderer
        assert {n.mac for n in b.intent.nics} == kept, b.renderer
        macs = {link.get("address", "").lower() for link in (b.result.report or {}).get("addr", [])}
        assert kept <= macs and absent[0] not in macs, (b.renderer, macs)


def test_every_example_with_network_data_boots(booted) -> None:
    shared = {e for share in EXAMPLE_SHARE.values() for e in share} | set(EVERY_ROUND)
    with_nd = set()
    for example in example_dirs():
        out = run_kvnet("build", str(example)).out
        if any(d.get("kind") == "VirtualMachine" and "networkData" in yaml.safe_dump(d)
               for d in yaml.safe_load_all(out) if d):
            with_nd.add(example.name)
    assert with_nd - set(NOT_BOOTED) <= shared, f"add these examples to EXAMPLE_SHARE: {sorted(with_nd - shared)}"
    assert {b.plan.name for b in booted} >= with_nd - set(NOT_BOOTED)


def test_node_applies_kvnet_netplan(booted) -> None:
    """Issue 23: the bond, bridges, VLAN filtering and the uplink's VLANs of examples/netplan-bond,
    from `kvnet node-config --format netplan` and `netplan apply`, in `ip -j -d link`/`bridge -j vlan`."""
    b = next(b for b in booted if (b.renderer, b.result.guest.name) == (NODE_ROUND, node_guest.NAME))
    assert not b.failures, "\n".join(m for _f, m in b.failures) + "\n" + runner.describe(b.result)


def test_every_boot_limit_is_still_observed(booted) -> None:
    seen = {(b.renderer, f) for b in booted for f, _m in b.failures}
    stale = sorted((r, f) for r, feats in BOOT_LIMITS.items() for f in feats if (r, f) not in seen)
    assert not stale, f"BOOT_LIMITS (and the README) list limits no booted guest shows any more: {stale}"


def _planned(b: Booted, feature: str) -> bool:
    """False for a DNS limit of a VM whose plan gives no NIC but the pod NIC DNS servers: eni's pod
    NIC loses the DHCP server's DNS (dhclient hands it to resolvconf, absent), which is KubeVirt's,
    not the plan's, so no kvnet warning can name it (README: the eni row)."""
    return feature != "dns" or b.intent is None or any(n.dns and n.kind != "pod" for n in b.intent.nics)


def test_every_limit_a_guest_shows_is_warned_when_the_vm_declares_it(booted, tmp_path: Path) -> None:
    """KV227-KV229: the plan that hit a limit, with the VM's ``guest:`` declared, gets the warning."""
    missing = []
    hits = sorted({(b.renderer, b.plan, b.result.guest.name, f) for b in booted for f, _m in b.failures
                   if f in BOOT_LIMITS.get(b.renderer, set()) and f in LIMIT_CODES and _planned(b, f)})
    for n, (renderer, plan, vm, feature) in enumerate(hits):
        copy = shutil.copytree(plan, tmp_path / str(n))
        docs = list(yaml.safe_load_all((copy / "kvnet.yaml").read_text()))
        for doc in docs:
            for v in (doc or {}).get("spec", {}).get("vms", []):
                if v["name"] == vm:
                    v["guest"] = {"renderer": renderer, "cloudInit": "22.4.2"}
        (copy / "kvnet.yaml").write_text(yaml.safe_dump_all(docs))
        err = run_kvnet("build", str(copy)).err
        if not any(f"warning[{LIMIT_CODES[feature]}]" in ln and f"VM {vm!r}" in ln for ln in err.splitlines()):
            missing.append((renderer, plan.name, vm, feature, LIMIT_CODES[feature]))
    assert not missing, f"limits a guest showed that kvnet does not warn about: {missing}"


def test_harness_left_nothing_behind(booted) -> None:
    left = [ns for ns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
            if ns.startswith("kvb-")]
    assert not left, f"network namespaces left behind: {left}"
    procs = subprocess.run(["pgrep", "-f", "kvnet-boot-"], capture_output=True, text=True).stdout.split()
    assert not procs, f"processes left in the test namespaces: {procs}"


def test_no_link_of_a_test_namespace_leads_out(booted) -> None:
    """No traffic leaves the test's namespaces (issue 20): each boot's namespace holds only its
    loopback, its bridges and the guests' taps (whose other end is qemu); no veth, macvlan or
    physical NIC that could carry a frame to the host or beyond."""
    kinds = {line.split()[1] for b in booted for line in b.result.links}
    assert kinds and kinds <= {"loopback", "bridge", "tun"}, sorted(kinds)


def test_day2_new_route_and_dns_reach_every_renderers_files(booted) -> None:
    """Day 2 (issue 21) on every renderer: the guest re-rendered its network configuration from the
    changed networkData at the reboot, so the added route and the changed DNS server are in its
    files, even where a BOOT_LIMITS entry keeps them out of the kernel or resolved (eni: routes,
    DNS; network-manager: DNS). test_guest_has_what_the_plan_says checks them in effect elsewhere."""
    day2 = runner.compile_plan(DAY2).intents[0]
    route = next(str(r["to"]).split("/")[0] for n in day2.nics for r in n.routes)
    dns = next(s for n in day2.nics if n.network == "edge" for s in n.dns)
    for b in (b for b in booted if b.phase == "day2"):
        files = "\n".join(t for p, t in (b.result.report or {}).get("files", {}).items() if "/cloud.cfg.d/" not in p)
        assert route in files and dns in files, (b.renderer, route, dns, runner.describe(b.result))


def _day2_changes() -> tuple[tuple[str, str, str], tuple[str, dict], tuple[str, str, str]]:
    """What plans/mixed-day2 changes on vm-b, read from both plans: (MAC, old CIDR, new CIDR) of
    the readdressed NIC, (MAC, route) of the added route, (MAC, old, new DNS server)."""
    first = {n.mac: n for n in next(v for v in runner.compile_plan(MIXED).intents if v.name == DAY2_VM).nics}
    second = runner.compile_plan(DAY2).intents[0].nics
    addr = next((n.mac, first[n.mac].address, n.address) for n in second
                if n.kind == "static" and n.address != first[n.mac].address)
    route = next((n.mac, r) for n in second for r in n.routes if r not in first[n.mac].routes)
    dns = next((n.mac, o, s) for n in second for s in n.dns if s not in first[n.mac].dns for o in first[n.mac].dns)
    return addr, route, dns


def test_day2_changes_are_in_effect_after_the_reboot(booted) -> None:
    """Issue 21 acceptance, on every renderer: vm-b's disk rebooted with plans/mixed-day2's seed has
    the changed static address (the old one gone), the added route in the kernel and the changed DNS
    server on its link (the old one gone), except where a first-boot limit of that renderer
    (BOOT_LIMITS: eni's routes and DNS, NetworkManager's DNS of static NICs) keeps it out of effect;
    test_day2_new_route_and_dns_reach_every_renderers_files shows the guest wrote them even there."""
    (amac, old, new), (rmac, route), (dmac, old_dns, new_dns) = _day2_changes()
    seen = set()
    for b in (b for b in booted if b.phase == "day2"):
        rep, limits = b.result.report, BOOT_LIMITS.get(b.renderer, set())
        assert rep, (b.renderer, runner.describe(b.result))
        seen.add(b.renderer)
        name = {link.get("address", "").lower(): link["ifname"] for link in rep["addr"] if "link" not in link}
        addrs = {f"{a['local']}/{a['prefixlen']}" for link in rep["addr"] if link["ifname"] == name[amac]
                 for a in link.get("addr_info", [])}
        assert new in addrs and old not in addrs, (b.renderer, sorted(addrs))
        if "route" not in limits:
            assert any(r.get("dst") == route["to"] and r.get("gateway") == route["via"] and r.get("dev") == name[rmac]
                       for r in rep["route4"]), (b.renderer, rep["route4"])
        if "dns" not in limits:
            servers = parse_dns(rep.get("dns", "")).get(name[dmac], [])
            assert new_dns in servers and old_dns not in servers, (b.renderer, servers)
    assert seen == set(RENDERERS), seen
