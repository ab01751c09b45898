"""Dual-stack plans (issue 25 item 1): per-family values, kvnet.lock in both families, the
pod NIC's masquerade IPv6, lint/import/explain reading both families back, and bad input."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import yaml
from testlib import run_kvnet, write

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dual-stack"

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: ds, namespace: vms}
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: [192.168.10.0/24, "fd00:10::/64"]
      gateway: [192.168.10.1, "fd00:10::1"]
      allocate: [192.168.10.20-192.168.10.29, "fd00:10::20-fd00:10::29"]
  vms:
    - name: a
      image: quay.io/containerdisks/debian:12
      interfaces:
        - {network: lan, defaultRoute: true}
    - name: b
      image: quay.io/containerdisks/debian:12
      interfaces:
        - {network: lan, address: [192.168.10.5]}
"""


def _objects(text: str) -> list[dict]:
    return [o for o in yaml.safe_load_all(text) if o]


def _network_data(objs: list[dict], vm: str) -> dict:
    obj = next(o for o in objs if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == vm)
    vol = next(v for v in obj["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v)
    return yaml.safe_load(vol["cloudInitNoCloud"]["networkData"])


def test_lock_allocates_each_family_and_build_uses_both(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN)
    locked = run_kvnet("lock", str(tmp_path))
    assert locked.code == 0, locked.err
    lock = yaml.safe_load((tmp_path / "kvnet.lock").read_text())
    entries = lock["plans"]["vms/ds"]["lan"]
    assert entries["a"] == ["192.168.10.20", "fd00:10::20"]  # both families, IPv4 first
    assert entries["b"] == "fd00:10::20" or entries["b"] == "fd00:10::21"  # IPv4 is written: IPv6 only
    assert ipaddress.ip_address(entries["b"]).version == 6
    again = run_kvnet("lock", "--check", str(tmp_path))
    assert again.code == 0, again.err  # stable
    built = run_kvnet("build", str(tmp_path))
    assert built.code == 0, built.err
    objs = _objects(built.out)
    eth = _network_data(objs, "a")["ethernets"]["eth0"]
    assert eth["addresses"] == ["192.168.10.20/24", "fd00:10::20/64"]
    assert (eth["gateway4"], eth["gateway6"]) == ("192.168.10.1", "fd00:10::1")  # one default route per family
    eth_b = _network_data(objs, "b")["ethernets"]["eth0"]
    assert eth_b["addresses"] == ["192.168.10.5/24", f"{entries['b']}/64"]


def test_lock_entry_of_the_wrong_family_count_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN)
    assert run_kvnet("lock", str(tmp_path)).code == 0
    text = (tmp_path / "kvnet.lock").read_text().replace('a: [192.168.10.20, "fd00:10::20"]', "a: 192.168.10.20")
    (tmp_path / "kvnet.lock").write_text(text)
    r = run_kvnet("build", str(tmp_path))
    assert r.code != 0 and r.out == ""
    assert "error[KV280]: VM 'a' has no IPv6 address on network 'lan' in kvnet.lock" in r.err


def test_two_values_of_one_family_is_kv600(tmp_path: Path) -> None:
    text = PLAN.replace('"fd00:10::/64"]', "10.0.0.0/24]", 1)
    write(tmp_path / "kvnet.yaml", text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "10.0.0.0/24]" in t)
    col = text.splitlines()[line - 1].index("10.0.0.0/24") + 1
    r = run_kvnet("build", str(tmp_path))
    assert r.code != 0 and r.out == ""
    assert f"{tmp_path / 'kvnet.yaml'}:{line}:{col}: error[KV600]" in r.err, r.err
    assert "Traceback" not in r.err
    write(tmp_path / "kvnet.yaml", PLAN.replace("address: [192.168.10.5]", "address: [192.168.10.5, 192.168.10.6]"))
    r = run_kvnet("validate", str(tmp_path))
    assert r.code != 0 and "error[KV600]: VM 'b': address 192.168.10.6 is a second IPv4 value" in r.out


def test_pod_nic_gets_masquerade_ipv6_on_a_dual_stack_cluster() -> None:
    built = run_kvnet("build", str(EXAMPLE))
    assert built.code == 0, built.err
    eth0 = _network_data(_objects(built.out), "web")["ethernets"]["eth0"]
    # KubeVirt's masquerade: DHCPv4, and the default vmIPv6NetworkCIDR's VM address + gateway
    assert eth0["dhcp4"] is True
    assert eth0["addresses"] == ["fd10:0:2::2/120"] and eth0["gateway6"] == "fd10:0:2::1"


def test_lint_and_import_read_both_families_back(tmp_path: Path) -> None:
    built = run_kvnet("build", str(EXAMPLE))
    out = tmp_path / "built.yaml"
    out.write_text(built.out)
    lint = run_kvnet("lint", str(out))
    assert lint.code == 0 and "0 errors" in lint.out, lint.out
    imp = run_kvnet("import", str(out))
    assert imp.code == 0, imp.err
    plan = yaml.safe_load(imp.out)
    nets = {n["name"]: n for n in plan["spec"]["networks"]}
    assert nets["lan"]["subnet"] == ["192.168.30.0/24", "fd00:30::/64"]
    assert nets["lan"]["gateway"] == ["192.168.30.1", "fd00:30::1"]
    assert nets["storage"]["subnet"] == ["10.40.0.0/24", "fd00:40::/64"]
    vms = {v["name"]: v for v in plan["spec"]["vms"]}
    assert vms["db"]["interfaces"][0]["address"] == ["192.168.30.100/24", "fd00:30::100/64"]
    # round trip: the imported plan builds the same NADs and the same secondary-NIC networkData
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "kvnet.yaml").write_text(imp.out)
    again = run_kvnet("build", str(tmp_path / "imported"))
    assert again.code == 0, again.err
    first, second = _objects(built.out), _objects(again.out)
    nads = [sorted(json.dumps(o["spec"]) for o in objs if o["kind"] == "NetworkAttachmentDefinition")
            for objs in (first, second)]
    assert nads[0] == nads[1]
    assert _network_data(first, "db") == _network_data(second, "db")


def test_explain_and_graph_show_both_families() -> None:
    r = run_kvnet("explain", str(EXAMPLE))
    assert r.code == 0, r.err
    row = next(line for line in r.out.splitlines() if line.startswith("db ") and " lan " in line)
    assert "192.168.30.100/24, fd00:30::100/64" in row and "kvnet.lock" in row
    assert "yes (via 192.168.30.1, fd00:30::1)" in row
    g = run_kvnet("graph", str(EXAMPLE))
    assert "192.168.30.0/24, fd00:30::/64" in g.out


def _pod_row(app: Path) -> dict:
    r = run_kvnet("explain", "--output", "json", str(app))
    assert r.code == 0, r.err
    return next(row for row in json.loads(r.out) if row["vm"] == "web" and row["network"] == "default")


def test_explain_pod_nic_names_each_family_source(tmp_path: Path) -> None:
    """The pod NIC of a dual-stack cluster: the IPv4 default route comes by KubeVirt's DHCP (the
    networkData has dhcp4 and no IPv4 gateway), the IPv6 one via the masquerade gateway; on an
    IPv6-only cluster there is no DHCP and explain does not name it."""
    for families, dhcp in (("[IPv4, IPv6]", True), ("[IPv6]", False)):
        app = tmp_path / families.strip("[]").replace(", ", "-")
        app.mkdir()
        (app / "kvnet.lock").write_text((EXAMPLE / "kvnet.lock").read_text())
        (app / "kvnet.yaml").write_text((EXAMPLE / "kvnet.yaml").read_text().replace(
            "ipFamilies: [IPv4, IPv6]", f"ipFamilies: {families}"))
        built = run_kvnet("build", str(app))
        assert built.code == 0, built.err
        eth0 = _network_data(_objects(built.out), "web")["ethernets"]["eth0"]
        assert bool(eth0.get("dhcp4")) is dhcp and "gateway4" not in eth0 and eth0["gateway6"] == "fd10:0:2::1"
        row = _pod_row(app)
        if dhcp:
            assert row["source"] == "pod network: KubeVirt's DHCP (IPv4), masquerade IPv6 (static)"
            assert row["default_route"] == "yes (IPv4 by KubeVirt's DHCP, IPv6 via fd10:0:2::1)"
        else:
            assert row["source"] == "pod network: masquerade IPv6 (static)"
            assert row["default_route"] == "yes (via fd10:0:2::1)"
            assert "DHCP" not in row["address"]
