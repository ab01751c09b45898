"""Issue 24: MultiNetworkPolicy from a network's ``policy``. The objects pass the upstream CRD's
schema (kvnet/schemas/multinetworkpolicy.json, checked on every build), name the NADs that
really carry the network for every IPAM mode (per-VM static NADs included), and a policy nothing
enforces is a warning (KV322). Existing policies in lint: tests/lint/corpus/policy-*."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import write

from kvnet.resources import read_schema

IMG = "quay.io/containerdisks/ubuntu:22.04"
POLICY = {"ingress": [{"peers": [{"vm": "web-2"}, {"vmLabels": {"role": "db"}},
                                 {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}],
                       "ports": [{"port": 22}, {"port": 53, "protocol": "UDP"}]}],
          "egress": []}


def plan(networks: list[dict[str, Any]], ifaces: list[dict[str, Any]], cluster: dict[str, Any] | None = None) -> str:
    spec: dict[str, Any] = {"networks": networks, "vms": [
        {"name": name, "image": IMG, "labels": {"role": "db"} if name == "web-1" else {},
         "interfaces": [{"network": "default"}, *[{k: v.format(name[-1]) for k, v in i.items()} for i in ifaces]]}
        for name in ("web-1", "web-2")]}
    if cluster is not None:
        spec = {"cluster": cluster, **spec}
    return yaml.safe_dump({"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan",
                           "metadata": {"name": "lab", "namespace": "lab"}, "spec": spec}, sort_keys=False)


def build(kvnet: Any, tmp_path: Path, text: str) -> tuple[list[dict[str, Any]], str]:
    res = kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0, res.err
    return [d for d in yaml.safe_load_all(res.out) if d], res.err


def policies(objs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == "MultiNetworkPolicy"}


POLICY_FOR = "k8s.v1.cni.cncf.io/policy-for"
LAN = {"name": "lan", "type": "bridge", "bridge": "br0", "subnet": "10.30.0.0/24", "policy": POLICY}


@pytest.mark.parametrize("ipam, address, nads", [
    ("none", "10.30.0.1{}", "lan"),
    ("static", "10.30.0.1{}", "web-1-lan,web-2-lan"),
    ("host-local", None, "lan"),
    ("whereabouts", None, "lan"),
    ("dhcp", None, "lan"),
])
def test_policy_for_names_the_nads_vms_attach_to(tmp_path: Path, kvnet, ipam: str, address: str | None,
                                                 nads: str) -> None:
    net = {**LAN, "ipam": ipam} | ({"range": "10.30.0.100-10.30.0.199"} if ipam in ("host-local", "whereabouts")
                                    else {})
    iface = {"network": "lan"} | ({"address": address} if address else {})
    objs, _ = build(kvnet, tmp_path, plan([net], [iface]))
    mnp = policies(objs)["lan"]
    assert mnp["apiVersion"] == "k8s.cni.cncf.io/v1beta1" and mnp["metadata"]["namespace"] == "lab"
    assert mnp["metadata"]["annotations"][POLICY_FOR] == nads
    attached = sorted({n["multus"]["networkName"].split("/")[1] for o in objs if o["kind"] == "VirtualMachine"
                       for n in o["spec"]["template"]["spec"]["networks"] if "multus" in n})
    assert ",".join(attached) == nads  # exactly the NADs the VMs use
    assert mnp["spec"] == {
        "podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": [],
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"kubevirt.io/vm": "web-2"}}},
                              {"podSelector": {"matchLabels": {"role": "db"}}},
                              {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                     "ports": [{"port": 22, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}]}
    kinds = [o["kind"] for o in objs]
    assert kinds.index("MultiNetworkPolicy") < kinds.index("VirtualMachine")
    _valid(mnp)


def _valid(mnp: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(read_schema("multinetworkpolicy.json"))
    assert "f1873dc329c687c4a2cd236b55284a380b77c6b8" in schema["$comment"]  # provenance
    assert list(Draft202012Validator(schema).iter_errors(mnp)) == []


def test_the_shipped_schema_refuses_what_the_crd_refuses() -> None:
    from jsonschema import Draft202012Validator

    v = Draft202012Validator(json.loads(read_schema("multinetworkpolicy.json")))
    good = {"apiVersion": "k8s.cni.cncf.io/v1beta1", "kind": "MultiNetworkPolicy",
            "metadata": {"name": "p", "annotations": {POLICY_FOR: "lan"}},
            "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]}}
    assert list(v.iter_errors(good)) == []
    for bad in ({**good, "spec": {"ingress": []}},  # podSelector is required
                {**good, "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {}}]}]}},  # cidr required
                {**good, "spec": {"podSelector": {}, "ingres": []}},  # pruned silently by the API server
                {**good, "metadata": {"name": "p"}}):  # no policy-for: applies to nothing
        assert list(v.iter_errors(bad)) != [], bad


def _codes(kvnet: Any, tmp_path: Path, text: str) -> list[tuple[str, str]]:
    res = kvnet("validate", "--format", "json", str(write(tmp_path / "kvnet.yaml", text)))
    return [(d["code"], d["message"]) for d in json.loads(res.out)]


@pytest.mark.parametrize("net, enforcer, warned", [
    (LAN, None, "no policy enforcer is declared"),
    (LAN, "multi-networkpolicy", "'bridge' binding bypasses"),
    (LAN, "ovn-kubernetes", "only on its own networks"),
    ({"name": "lan", "type": "ovn-layer2", "subnet": "10.30.0.0/24", "policy": POLICY}, "ovn-kubernetes", None),
    ({"name": "lan", "type": "ovn-layer2", "policy": POLICY}, None, None),
    ({"name": "lan", "type": "ovn-layer2", "policy": POLICY}, "multi-networkpolicy", "only OVN-Kubernetes"),
    ({"name": "lan", "type": "external", "nad": "net/shared", "policy": POLICY}, None, "does not know"),
])
def test_a_policy_nothing_enforces_warns(tmp_path: Path, kvnet, net: dict[str, Any], enforcer: str | None,
                                         warned: str | None) -> None:
    cluster = {"distribution": "k3s", "policyEnforcer": enforcer} if enforcer else None
    found = [m for c, m in _codes(kvnet, tmp_path, plan([net], [{"network": "lan"}], cluster)) if c == "KV322"]
    assert (found == []) if warned is None else (len(found) == 1 and warned in found[0]), found


def test_policy_peers_are_checked(tmp_path: Path, kvnet) -> None:
    bad = {"ingress": [{"peers": [{"vm": "web-9"}, {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16"]},
                                  {"cidr": "10.0.0.1/8"}, {"vm": "web-1", "cidr": "10.0.0.0/8"},
                                  {"vmLabels": {"role": "none"}}]}]}
    got = sorted(c for c, _ in _codes(kvnet, tmp_path, plan([{**LAN, "policy": bad}], [{"network": "lan"}]))
                 if c != "KV322")
    assert got == ["KV320", "KV320", "KV321", "KV321", "KV323"], got


def test_external_network_policy_names_its_nad(tmp_path: Path, kvnet) -> None:
    net = {"name": "lan", "type": "external", "nad": "net/shared", "policy": {"ingress": []}}
    objs, _ = build(kvnet, tmp_path, plan([net], [{"network": "lan"}]))
    mnp = policies(objs)["lan"]
    assert mnp["metadata"]["annotations"][POLICY_FOR] == "net/shared"
    assert mnp["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []}
