"""ConfigDrive guests (issue 25 part 4): kvnet's OpenStack ``network_data.json``, read by the real
cloud-init 22.4.2 (Debian 12) and 26.2 (``devel net-convert --kind network_data.json``, i.e.
cloudinit/sources/helpers/openstack.py ``convert_net_json``) into every output kind, gives every
guest of the guest matrix what the plan says: the same intent (guest_matrix) and the same
judge (test_guest_render.check_guest) as the NoCloud netplan, on the renderers' own files.

What network_data.json cannot carry is listed in LIMITS (the README's ConfigDrive table): the
format has no way to make a DHCP NIC refuse its server's router (netplan's ``use-routes: false``),
so a pod NIC that is not the IPv4 carrier competes with it (rule KV626 warns), and cloud-init's
netplan renderer drops a DHCP NIC's routes and DNS.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from guest_matrix import intents, matrix_plans
from guest_build import Plans, build_plans, plan_lock
from guest_tools import KINDS, finish, render_all
from test_guest_render import PARSERS, check_guest
from testlib import EXAMPLES, run_kvnet

pytestmark = pytest.mark.slow

# (cloud-init version, output kind) -> what it cannot express from network_data.json (the README's
# ConfigDrive table). dhcp-no-default: the format cannot make a DHCP NIC refuse its server's router
# (netplan's use-routes: false), so a pod NIC or L2 DHCP NIC beside the carrier competes with it (KV626).
# netplan: _extract_addresses (cloudinit/net/netplan.py, 22.4.2 and 26.2) reads routes and DNS of
# static subnets only, so a DHCP NIC's routes, default route ('default-route', 'ipv6-default') and
# DNS ('dhcp-dns') are dropped. dhcp-default: as for NoCloud, sysconfig turns DHCP default routes off
# once any NIC has a static one. route-metric: network-manager 22.4.2 drops route metrics.
# No 'ipv6-default' outside netplan: OpenStack routes are network/netmask pairs, read right by 22.4.2.
_EVERY = {"dhcp-no-default"}
_NETPLAN = _EVERY | {"default-route", "ipv6-default", "dhcp-dns", "routes"}
LIMITS: dict[tuple[str, str], set[str]] = {
    **{(v, k): set(_EVERY) for v in ("22.4.2", "26.2") for k in ("eni", "networkd", "network-manager")},
    **{(v, "netplan"): set(_NETPLAN) for v in ("22.4.2", "26.2")},
    **{(v, "sysconfig"): _EVERY | {"dhcp-default"} for v in ("22.4.2", "26.2")},
}
LIMITS[("22.4.2", "network-manager")].add("route-metric")


def configdrive(text: str, guest: str = "") -> str:
    """``text`` (a NetworkPlan) with every VM on the ConfigDrive datasource (and ``guest``, a VM
    field such as ``guest: {renderer: cloudbase-init}``, when given)."""
    extra = f"\\n\\1{guest}" if guest else ""
    return re.sub(r"^( +)image: (.*)$", rf"\1image: \2\n\1cloudInit: {{datasource: configDrive}}{extra}", text,
                  flags=re.M)


def configdrive_plans(tmp: Path, guest: str = "") -> Plans:
    """The guest matrix and examples/dual-stack, every VM on ConfigDrive (and ``guest``);
    ``allocate:`` plans locked first (kvnet.lock addresses are static ones, in both families)."""
    texts = {name: text.replace("metadata: {name: m, namespace: vms}", f"metadata: {{name: {name}, namespace: {name}}}")
             for name, text in matrix_plans().items()}
    texts["example/dual-stack"] = (EXAMPLES / "dual-stack" / "kvnet.yaml").read_text()
    plans: Plans = {}
    for name, text in texts.items():
        d = tmp / "plans" / name.replace("/", "_")
        d.mkdir(parents=True)
        (d / "kvnet.yaml").write_text(configdrive(text, guest))
        if name.startswith("example/"):
            (d / "kvnet.lock").write_text((EXAMPLES / name.split("/")[1] / "kvnet.lock").read_text())
        if "allocate:" in text:
            locked = run_kvnet("lock", str(d))
            assert locked.code == 0, locked.err
        plans[name] = (d, yaml.safe_load(text))
    return plans


def built_vms(raw: dict[str, Any], objs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The VirtualMachines `kvnet build` wrote for the plan ``raw``, by name."""
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == "VirtualMachine"
            and o["metadata"]["namespace"] == raw["metadata"]["namespace"]}


def network_data_json(vm: dict[str, Any], objs: list[dict[str, Any]]) -> str:
    """The networkData of ``vm``'s cloudInitConfigDrive volume (inline, or from its Secret)."""
    vol = [v["cloudInitConfigDrive"] for v in vm["spec"]["template"]["spec"]["volumes"]
           if "cloudInitConfigDrive" in v][0]
    if "networkData" in vol:
        return str(vol["networkData"])
    name = vol["networkDataSecretRef"]["name"]
    secret = [o for o in objs if o["kind"] == "Secret" and o["metadata"]["name"] == name][0]
    return base64.b64decode(secret["data"]["networkdata"]).decode()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str, str, list[tuple[str, str]]]]:
    """(label, version, kind, renderer error, failures) per matrix VM, cloud-init version and kind."""
    built_all = build_plans(tmp_path_factory, "configdrive", configdrive_plans)
    found, tmp, plans, objs = built_all.found, built_all.tmp, built_all.plans, built_all.objs
    work = []
    for label, (plan_dir, raw) in plans.items():
        built = built_vms(raw, objs)
        for intent in intents(label, raw, built, plan_lock(plan_dir)):
            nd = tmp / "nd" / label.replace("/", "_") / f"{intent.vm}.json"
            nd.parent.mkdir(parents=True, exist_ok=True)
            nd.write_text(network_data_json(built[intent.vm], objs))
            work.append((intent, nd))
    items = [(intent, nd, kind) for intent, nd in work for kind in KINDS]
    jobs = {v: [{"input": str(nd), "input_kind": "network_data.json", "distro": KINDS[k], "kind": k,
                 "out": str(tmp / "out" / v.name / nd.parent.name / i.vm / k)} for i, nd, k in items] for v in found}
    results = {v: finish(p) for v, p in {v: render_all(v, j) for v, j in jobs.items()}.items()}
    out = []
    for v in found:
        for (intent, _nd, kind), job, result in zip(items, jobs[v], results[v], strict=True):
            fails = [] if result["error"] else check_guest(intent, PARSERS[kind](Path(job["out"])))
            out.append((f"{intent.plan}/{intent.vm}", v.name, kind, str(result["error"]), fails))
    return out


def test_every_configdrive_plan_renders_without_error(rendered: list[tuple[str, str, str, str, list[Any]]]) -> None:
    broken = [f"{label} {version} {kind}: {err.strip().splitlines()[-1]}"
              for label, version, kind, err, _f in rendered if err.strip()]
    assert not broken, "\n".join(broken)


def test_configdrive_guest_gets_what_the_plan_says(rendered: list[tuple[str, str, str, str, list[Any]]]) -> None:
    unexpected = [f"{label} cloud-init {version} {kind}: [{feat}] {detail}"
                  for label, version, kind, _e, fails in rendered for feat, detail in fails
                  if feat not in LIMITS.get((version, kind), set())]
    kinds = sorted({(version, kind, feat) for _l, version, kind, _e, fails in rendered for feat, _d in fails
                    if feat not in LIMITS.get((version, kind), set())})
    assert not unexpected, "\n".join(unexpected + ["unexpected (version, kind, feature):"] + [str(k) for k in kinds])


def test_every_configdrive_limit_is_still_observed(rendered: list[tuple[str, str, str, str, list[Any]]]) -> None:
    ran = {version for _l, version, _k, _e, _f in rendered}
    seen = {(version, kind, feat) for _l, version, kind, _e, fails in rendered for feat, _d in fails}
    stale = [(v, k, f) for (v, k), feats in LIMITS.items() for f in feats if v in ran and (v, k, f) not in seen]
    assert not stale, f"LIMITS (and the README's ConfigDrive table) list limits no longer observed: {stale}"



def test_configdrive_covers_the_matrix_and_the_dual_stack_example(
        rendered: list[tuple[str, str, str, str, list[Any]]], capsys: pytest.CaptureFixture[str]) -> None:
    """Every matrix plan (the dual-stack and `allocate:` ones included) and examples/dual-stack ran."""
    plans = {label.rsplit("/", 1)[0] for label, _v, _k, _e, _f in rendered}
    assert set(matrix_plans()) | {"example/dual-stack"} <= plans, sorted(plans)
    clean = sum(1 for *_x, err, fails in rendered if not err and not fails)
    with capsys.disabled():
        print(f"\nconfigdrive: {len(rendered)} (plan VM, cloud-init version, renderer) renders, {clean} with no "
              f"difference at all")
