"""Guest truth (SPEC §3 "Guest network config"): kvnet's networkData, rendered by the real
cloud-init 22.4.2 (Debian 12) and 26.2 into every output kind and by `netplan generate`, gives
every guest the intended configuration.

For every example and every matrix plan, each VM's networkData is taken from `kvnet build`
output, rendered, and what the renderer wrote is parsed back (guest_parse) and compared with
the intent read from the plan (guest_matrix): the address on the NIC with the right MAC, the
intended NIC alone at the lowest default-route metric, DNS servers and search domains, extra
routes and their metrics. What a renderer cannot express is listed in LIMITS, which is the
README's guest table; a test fails when a limit listed there is no longer observed.
"""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from guest_build import build_plans, plan_lock
from guest_matrix import VmIntent, intents, matrix_plans
from guest_parse import Guest, parse_eni, parse_netplan_yaml, parse_networkd
from guest_parse_rh import parse_network_manager, parse_sysconfig
from guest_tools import SYSTEM_PYTHON, KINDS, finish, netplan_binary, netplan_generate, render_all, versions
from testlib import example_dirs, run_kvnet

pytestmark = pytest.mark.slow

# output kind -> its reader ("netplan-generate": the networkd units `netplan generate` wrote)
PARSERS = {
    "netplan": parse_netplan_yaml, "networkd": parse_networkd, "eni": parse_eni, "sysconfig": parse_sysconfig,
    "network-manager": parse_network_manager, "netplan-generate": lambda root: parse_networkd(root, dhcp_metric=100),
}

# (cloud-init version, output kind) -> what it cannot express; the README's guest table says the same.
# route-metric: 22.4's netplan-v2 reader drops route metrics; ipv6-default: it reads "::/0" as "::/64"
# (kvnet writes gateway6 on a static IPv6 NIC, which 22.4 reads right; a DHCPv6 NIC keeps "::/0");
# dhcp-dns: a DHCP NIC's nameservers are dropped (network-manager 22.4, eni 26.2) or only reach the
# guest-wide resolv.conf, which holds 3 (sysconfig 22.4); dhcp-no-default: network-manager 22.4 writes
# neither use-routes nor route-metric, so a DHCP router there ties with the carrier; dhcp-default: the
# sysconfig renderer turns DHCP default routes off on every NIC (DHCLIENT_SET_DEFAULT_ROUTE=no) once
# any NIC has a static default route, an IPv6 one included, so the pod NIC loses its IPv4 default
# route when another NIC carries the IPv6 one (26.2; 22.4.2 renders no '::/0' there at all).
LIMITS: dict[tuple[str, str], set[str]] = {
    ("22.4.2", "networkd"): {"route-metric", "ipv6-default"},
    ("22.4.2", "eni"): {"route-metric", "ipv6-default"},
    ("22.4.2", "sysconfig"): {"route-metric", "ipv6-default", "dhcp-dns"},
    ("22.4.2", "network-manager"): {"route-metric", "ipv6-default", "dhcp-dns", "dhcp-no-default"},
    ("26.2", "eni"): {"dhcp-dns"},
    ("26.2", "sysconfig"): {"dhcp-default"},
}


@dataclass
class Outcome:
    intent: VmIntent
    version: str
    kind: str
    error: str  # the renderer failed
    failures: list[tuple[str, str]]  # (feature, detail)


def _network_data(vm: dict[str, Any], objs: list[dict[str, Any]]) -> str:
    vol = [v["cloudInitNoCloud"] for v in vm["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v][0]
    if "networkData" in vol:
        return vol["networkData"]
    name = vol["networkDataSecretRef"]["name"]
    secret = [o for o in objs if o["kind"] == "Secret" and o["metadata"]["name"] == name
              and o["metadata"].get("namespace") == vm["metadata"].get("namespace")][0]
    return base64.b64decode(secret["data"]["networkdata"]).decode()


def _plans(tmp: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    plans: dict[str, tuple[Path, dict[str, Any]]] = {}
    for d in example_dirs():
        plans[f"example/{d.name}"] = (d, yaml.safe_load((d / "kvnet.yaml").read_text()))
    for name, text in matrix_plans().items():
        text = text.replace("metadata: {name: m, namespace: vms}", f"metadata: {{name: {name}, namespace: {name}}}")
        d = tmp / "plans" / name
        d.mkdir(parents=True)
        (d / "kvnet.yaml").write_text(text)
        if "allocate:" in text:
            locked = run_kvnet("lock", str(d))
            assert locked.code == 0, locked.err
        plans[name] = (d, yaml.safe_load(text))
    return plans


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    built_all = build_plans(tmp_path_factory, "guest", _plans)
    found, tmp, plans, objs = built_all.found, built_all.tmp, built_all.plans, built_all.objs
    vms_of: dict[tuple[str | None, str], dict[str, dict[str, Any]]] = {}
    for o in objs:
        if o["kind"] == "VirtualMachine":
            key = (o["metadata"].get("namespace"), o["metadata"]["labels"]["kvnet.dev/plan"])
            vms_of.setdefault(key, {})[o["metadata"]["name"]] = o
    work: list[tuple[VmIntent, Path]] = []
    for label, (plan_dir, raw) in plans.items():
        built = vms_of[(raw["metadata"].get("namespace"), raw["metadata"]["name"])]
        for intent in intents(label, raw, built, plan_lock(plan_dir)):
            nd = tmp / "nd" / label.replace("/", "_") / f"{intent.vm}.yaml"
            nd.parent.mkdir(parents=True, exist_ok=True)
            nd.write_text(_network_data(built[intent.vm], objs))
            work.append((intent, nd))
    items = [(intent, nd, kind) for intent, nd in work for kind in KINDS]
    jobs = {v: [{"input": str(nd), "distro": KINDS[k], "kind": k, "out": str(_out(tmp, v.name, k, i, nd))}
                for i, nd, k in items] for v in found}
    procs = {v: render_all(v, j) for v, j in jobs.items()}
    results = {v: finish(p) for v, p in procs.items()}
    outcomes: list[Outcome] = []
    for v in found:
        for (intent, _nd, kind), job, result in zip(items, jobs[v], results[v], strict=True):
            outcomes.append(_judge(intent, v.name, kind, Path(job["out"]), str(result["error"])))
    netplan = netplan_binary()
    if netplan is not None:
        plan_files = {v: [(i, Path(j["out"]) / "etc/netplan/50-cloud-init.yaml")
                          for (i, _nd, k), j in zip(items, jobs[v], strict=True) if k == "netplan"] for v in found}
        generated = netplan_generate(netplan, [f for pf in plan_files.values() for _i, f in pf if f.exists()],
                                     tmp / "netplan")
        for v in found:
            for intent, f in plan_files[v]:
                root, err = generated.get(f, (tmp, "cloud-init wrote no netplan file"))
                outcomes.append(_judge(intent, v.name, "netplan-generate", root, err))
    return outcomes


def _out(tmp: Path, version: str, kind: str, intent: VmIntent, nd: Path) -> Path:
    return tmp / "out" / version / nd.parent.name / intent.vm / kind


def _judge(intent: VmIntent, version: str, kind: str, root: Path, error: str) -> Outcome:
    if error:
        return Outcome(intent, version, kind, error, [])
    return Outcome(intent, version, kind, "", check_guest(intent, PARSERS[kind](root)))


def check_guest(intent: VmIntent, guest: Guest) -> list[tuple[str, str]]:
    """Every way ``guest`` differs from ``intent``, as (feature, detail)."""
    fails: list[tuple[str, str]] = []
    for want in intent.nics:
        nic = guest.by_mac(want.mac)
        if nic is None:
            fails.append(("mac", f"{want.ifname}: no single NIC with MAC {want.mac}"))
            continue
        if nic.name != want.ifname:
            fails.append(("mac", f"MAC {want.mac} is named {nic.name}, not {want.ifname}"))
        if not want.addresses <= nic.addresses:
            fails.append(("address", f"{want.ifname}: {sorted(want.addresses)} not in {sorted(nic.addresses)}"))
        for fam in sorted(want.dhcp):
            if fam == 4 and not nic.dhcp4 or fam == 6 and not nic.dhcp6:
                fails.append(("address", f"{want.ifname}: DHCPv{fam} not enabled"))
        missing_dns = [d for d in want.dns if d not in nic.dns | guest.dns]
        if missing_dns:
            fails.append(("dhcp-dns" if want.dhcp else "dns", f"{want.ifname}: nameservers {missing_dns} missing"))
        missing_search = [d for d in want.search if d not in nic.search | guest.search]
        if missing_search:
            fails.append(("dhcp-dns" if want.dhcp else "dns", f"{want.ifname}: search {missing_search} missing"))
        for to, via, metric in want.routes:
            got = [r for r in nic.routes if r.to == to and r.via == via]
            if not got:
                fails.append(("routes", f"{want.ifname}: route {to} via {via} missing"))
            elif metric is not None and all(r.metric != metric for r in got):
                fails.append(("route-metric", f"{want.ifname}: route {to} via {via} lost metric {metric}"))
    fails += _default_route(intent, guest)
    return fails


def _default_route(intent: VmIntent, guest: Guest) -> list[tuple[str, str]]:
    """Per family: the carrier alone at the lowest default-route metric of that family; no static
    default route of that family anywhere else."""
    fails: list[tuple[str, str]] = []
    for family in (4, 6):
        fails += _family_default(intent, guest, family, intent.carriers.get(family))
    return fails


def _family_default(intent: VmIntent, guest: Guest, family: int, carrier: str | None) -> list[tuple[str, str]]:
    fails: list[tuple[str, str]] = []
    candidates: list[tuple[int, str, str]] = []  # (metric, ifname, how)
    for want in intent.nics:
        nic = guest.by_mac(want.mac)
        if nic is None:
            continue
        for r in nic.routes:
            if r.to != "default" or r.family != family:
                continue
            if want.ifname != carrier:
                fails.append(("extra-default", f"{want.ifname}: static default route via {r.via}"))
            metric = r.metric if r.metric is not None else guest.static_default_metric[r.family]
            candidates.append((metric, want.ifname, f"static via {r.via}"))
        if family == 4 and want.router_offered and nic.dhcp4 and nic.dhcp_takes_router:
            metric = nic.dhcp_metric if nic.dhcp_metric is not None else guest.dhcp_default_metric
            candidates.append((metric, want.ifname, "DHCP router"))
    if carrier is None:
        return fails
    best = min((m for m, n, _ in candidates if n == carrier), default=None)
    if best is None:
        dhcp = any(w.ifname == carrier and w.router_offered for w in intent.nics)
        what = "ipv6-default" if family == 6 else "dhcp-default" if dhcp else "default-route"
        fails.append((what, f"{carrier} gets no IPv{family} default route"))
        return fails
    rivals = [(m, n, how) for m, n, how in candidates if n != carrier and m <= best]
    if rivals:
        what = "dhcp-no-default" if all(how == "DHCP router" for _m, _n, how in rivals) else "default-route"
        fails.append((what, f"{carrier} (metric {best}) ties with or loses to {rivals}"))
    return fails


def _label(o: Outcome) -> str:
    return f"{o.intent.plan}/{o.intent.vm} cloud-init {o.version} {o.kind}"


def test_every_plan_renders_without_error(rendered: list[Outcome]) -> None:
    broken = [f"{_label(o)}: {o.error.strip().splitlines()[-1] if o.error.strip() else o.error}"
              for o in rendered if o.error]
    assert not broken, "\n".join(broken)


def test_guest_gets_what_the_plan_says(rendered: list[Outcome]) -> None:
    unexpected = [f"{_label(o)}: [{feat}] {detail}" for o in rendered for feat, detail in o.failures
                  if feat not in LIMITS.get((o.version, o.kind), set())]
    kinds = sorted({(o.version, o.kind, feat) for o in rendered for feat, _ in o.failures
                    if feat not in LIMITS.get((o.version, o.kind), set())})
    assert not unexpected, "\n".join(unexpected + ["unexpected (version, kind, feature):"] + [str(k) for k in kinds])


def test_every_listed_limit_is_still_observed(rendered: list[Outcome]) -> None:
    """A listed limit of a cloud-init version that ran must still show (a version that is not on
    this machine, e.g. 26.2 without ../shared/upstream, says nothing about its limits)."""
    ran = {o.version for o in rendered}
    seen = {(o.version, o.kind, feat) for o in rendered for feat, _ in o.failures}
    stale = [(v, k, f) for (v, k), feats in LIMITS.items() for f in feats if v in ran and (v, k, f) not in seen]
    assert not stale, f"LIMITS (and the README's guest table) list limits no longer observed: {stale}"
    absent = sorted({v for v, _k in LIMITS} - ran)
    if absent:
        pytest.skip(f"cloud-init {', '.join(absent)} not run here ({'; '.join(versions()[1])}): its limits unchecked")


def test_matrix_is_covered(rendered: list[Outcome], capsys: pytest.CaptureFixture[str]) -> None:
    plans = {o.intent.plan for o in rendered}
    assert set(matrix_plans()) <= plans and {f"example/{d.name}" for d in example_dirs()} <= plans
    kinds = {o.kind for o in rendered}
    assert set(KINDS) <= kinds
    clean = sum(1 for o in rendered if not o.error and not o.failures)
    with capsys.disabled():
        print(f"\nguest: {len(rendered)} (plan VM, cloud-init version, renderer) renders, {clean} with no "
              f"difference at all, {len(rendered) - clean} only with the listed limits")


def test_the_old_default_route_spelling_fails_where_the_issue_says(tmp_path: Path) -> None:
    """The harness sees a renderer failure: `to: default` (kvnet's old output) breaks cloud-init
    22.4.2 outside netplan ("Address default is not a valid ip address"), and 26.2 accepts it."""
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    nd = tmp_path / "nd.yaml"
    nd.write_text('version: 2\nethernets:\n  eth1:\n    match: {macaddress: "02:00:00:00:00:02"}\n'
                  '    addresses: [192.168.1.20/24]\n    routes: [{to: default, via: 192.168.1.1}]\n')
    for v in found:
        jobs = [{"input": str(nd), "distro": KINDS[k], "kind": k, "out": str(tmp_path / v.name / k)} for k in KINDS]
        results = dict(zip(KINDS, finish(render_all(v, jobs)), strict=True))
        assert results["netplan"]["ok"], results["netplan"]
        if v.name.startswith("22."):
            assert not results["eni"]["ok"] and "default" in str(results["eni"]["error"])
        else:
            assert all(r["ok"] for r in results.values()), results


def test_batch_renders_what_the_command_line_renders(tmp_path: Path) -> None:
    """render_batch.py (one interpreter for many jobs) writes the same files as one run of
    `cloud-init devel net-convert` per job: /usr/bin/cloud-init for 22.4.2, the module for 26.2."""
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    nd = tmp_path / "nd.yaml"
    nd.write_text('version: 2\nethernets:\n  eth0:\n    match: {macaddress: "02:00:00:00:00:01"}\n    dhcp4: true\n'
                  '    dhcp4-overrides: {use-routes: false, route-metric: 200}\n  eth1:\n'
                  '    match: {macaddress: "02:00:00:00:00:02"}\n    addresses: [192.168.1.20/24]\n'
                  '    routes: [{to: 0.0.0.0/0, via: 192.168.1.1}, {to: 10.0.0.0/8, via: 192.168.1.254}]\n')
    for v in found:
        kinds = ["netplan", "netplan", "sysconfig", "eni"]  # netplan twice: the batch must not leak state
        jobs = [{"input": str(nd), "distro": KINDS[k], "kind": k, "out": str(tmp_path / "batch" / v.name / f"{n}{k}")}
                for n, k in enumerate(kinds)]
        assert all(r["ok"] for r in finish(render_all(v, jobs)))
        env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        cmd = [str(SYSTEM_PYTHON), "-m", "cloudinit.cmd.main"] if v.pythonpath else ["/usr/bin/cloud-init"]
        if v.pythonpath:
            env["PYTHONPATH"] = v.pythonpath
        for job in jobs:
            out = tmp_path / "cli" / v.name / Path(job["out"]).name
            subprocess.run([*cmd, "devel", "net-convert", "--network-data", str(nd), "--kind", "yaml", "--distro",
                            job["distro"], "--output-kind", job["kind"], "--directory", str(out)],
                           check=True, capture_output=True, env=env, timeout=120)
            batch = {p.relative_to(job["out"]): p.read_bytes() for p in Path(job["out"]).rglob("*") if p.is_file()}
            cli = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
            assert batch and batch == cli, (v.name, job["kind"])
