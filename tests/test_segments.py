"""Issue 24: one L2 segment is one address space. Networks of a plan on one node bridge and
VLAN (one OVS bridge and VLAN, one OVN-Kubernetes network) share their addresses and MACs
(KV216/KV217 across networks, at the second use), warn when their subnets disagree (KV292), and
``kvnet lock`` allocates on them as on one network. Hand-written NADs: tests/lint/corpus/segment-*."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from testlib import write

IMG = "quay.io/containerdisks/ubuntu:22.04"


def plan(networks: list[dict[str, Any]], vms: list[tuple[str, list[dict[str, Any]]]]) -> str:
    doc = {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "metadata": {"name": "lab", "namespace": "lab"},
           "spec": {"networks": networks,
                    "vms": [{"name": n, "image": IMG, "interfaces": ifaces} for n, ifaces in vms]}}
    return yaml.safe_dump(doc, sort_keys=False)


def findings(kvnet: Any, path: Path) -> list[dict[str, Any]]:
    res = kvnet("validate", "--format", "json", str(path))
    out: list[dict[str, Any]] = json.loads(res.out)
    assert res.code == (1 if any(d["severity"] == "error" for d in out) else 0), res.err
    return out


def bridge(name: str, vlan: int | None = 30, subnet: str = "10.30.0.0/24", **more: Any) -> dict[str, Any]:
    net = {"name": name, "type": "bridge", "bridge": "br0", "subnet": subnet, **more}
    return net | ({"vlan": vlan} if vlan is not None else {})


def test_one_address_on_two_networks_of_one_bridge_and_vlan(tmp_path: Path, kvnet) -> None:
    """The issue's case: VMs on lan-a and lan-b (both br0 VLAN 30) with the same IP; a third
    network on VLAN 31 and one untagged are other segments."""
    path = write(tmp_path / "kvnet.yaml", plan(
        [bridge("lan-a"), bridge("lan-b"), bridge("lan-c", 31), bridge("lan-d", None)],
        [("a", [{"network": "lan-a", "address": "10.30.0.20", "mac": "02:00:00:00:00:01"}]),
         ("b", [{"network": "lan-b", "address": "10.30.0.20", "mac": "02:00:00:00:00:01"}]),
         ("c", [{"network": "lan-c", "address": "10.30.0.20", "mac": "02:00:00:00:00:01"}]),
         ("d", [{"network": "lan-d", "address": "10.30.0.20", "mac": "02:00:00:00:00:01"}])]))
    got = findings(kvnet, path)
    lines = path.read_text().splitlines()
    second = [n for n, line in enumerate(lines, 1) if "address: 10.30.0.20" in line][1]  # VM b's
    assert "mac:" in lines[second]
    assert sorted((d["code"], d["line"]) for d in got) == [("KV216", second), ("KV217", second + 1)], got
    assert "VM 'b'" in got[0]["message"] and "network 'lan-a'" in got[0]["message"]
    assert "Linux bridge 'br0' VLAN 30" in got[0]["message"]


def test_subnets_that_disagree_on_one_segment_warn(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(
        [bridge("lan-a"), bridge("lan-b", subnet="10.30.0.0/16"), bridge("lan-c", 31, subnet="10.31.0.0/24"),
         bridge("v6", subnet="fd00:30::/64")],
        [("a", [{"network": "lan-a", "address": "10.30.0.20"}])]))
    got = findings(kvnet, path)
    assert [(d["code"], d["severity"]) for d in got] == [("KV292", "warning")], got
    lines = path.read_text().splitlines()
    assert "10.30.0.0/16" in lines[got[0]["line"] - 1]
    assert "lan-b" in got[0]["message"] and "10.30.0.0/24" in got[0]["message"]


def test_ovs_bridge_and_vlan_and_ovn_network_name_are_segments(tmp_path: Path, kvnet) -> None:
    """Two ovs access ports on br1 VLAN 100 share addresses; a trunk port is no one segment;
    an OVN-Kubernetes network is its own (a plan's networks have distinct names)."""
    ovs = [{"name": n, "type": "ovs", "bridge": "br1", "vlan": 100, "subnet": "10.100.0.0/24"} for n in ("o1", "o2")]
    trunk = {"name": "t", "type": "ovs", "bridge": "br1", "trunk": [{"id": 100}], "subnet": "10.100.0.0/24"}
    path = write(tmp_path / "kvnet.yaml", plan(
        [*ovs, trunk],
        [("a", [{"network": "o1", "address": "10.100.0.5"}]), ("b", [{"network": "o2", "address": "10.100.0.5"}]),
         ("c", [{"network": "t", "address": "10.100.0.5"}])]))
    got = findings(kvnet, path)
    assert [(d["code"]) for d in got if d["severity"] == "error"] == ["KV216"], got
    assert "OVS bridge 'br1' VLAN 100" in got[0]["message"] and "VM 'b'" in got[0]["message"]


def test_lock_allocates_on_a_segment_as_on_one_network(tmp_path: Path, kvnet) -> None:
    """Two allocating networks on one segment never hand out the same address, nor one that a
    third network there gives explicitly; the result validates."""
    rng = "10.30.0.20-10.30.0.29"
    path = write(tmp_path / "kvnet.yaml", plan(
        [bridge("lan-a", allocate=rng), bridge("lan-b", allocate=rng), bridge("lan-c"), bridge("x", 31, allocate=rng)],
        [("a", [{"network": "lan-a"}]), ("b", [{"network": "lan-b"}]),
         ("c", [{"network": "lan-c", "address": "10.30.0.20"}]), ("d", [{"network": "x"}])]))
    res = kvnet("lock", str(tmp_path))
    assert res.code == 0, res.err
    lock = yaml.safe_load((tmp_path / "kvnet.lock").read_text())["plans"]["lab/lab"]
    assert lock == {"lan-a": {"a": "10.30.0.21"}, "lan-b": {"b": "10.30.0.22"}, "x": {"d": "10.30.0.20"}}
    assert findings(kvnet, path) == []
