"""Issue 24: ``kvnet import`` reads MultiNetworkPolicies back into a network's ``policy`` (for
every IPAM mode, per-VM static NADs included): build -> import -> build gives the same policy
objects; a policy the plan cannot say (a namespaceSelector, a policy over NADs of two networks,
a subset of the pods) is KV311 and left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from test_policies import LAN, build, plan, policies
from testlib import write


def _import(kvnet: Any, tmp_path: Path, objs: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    res = kvnet("import", str(write(tmp_path / "in.yaml", yaml.safe_dump_all(objs, sort_keys=False))))
    assert res.code == 0, res.err
    return yaml.safe_load(res.out), res.err


@pytest.mark.parametrize("ipam, address", [("none", "10.30.0.1{}"), ("static", "10.30.0.1{}"), ("whereabouts", None)])
def test_policy_round_trip(tmp_path: Path, kvnet, ipam: str, address: str | None) -> None:
    net = {**LAN, "ipam": ipam} | ({"range": "10.30.0.100-10.30.0.199"} if ipam == "whereabouts" else {})
    objs, _ = build(kvnet, tmp_path / "a", plan([net], [{"network": "lan", **({"address": address} if address else {})}]))
    imported, notes = _import(kvnet, tmp_path, objs)
    lan = next(n for n in imported["spec"]["networks"] if n["name"] == "lan")
    assert lan["policy"]["ingress"][0]["peers"][0] == {"vm": "web-2"}, lan
    assert "KV311" not in notes, notes
    again, _ = build(kvnet, tmp_path / "b", yaml.safe_dump(imported, sort_keys=False))
    first, second = policies(objs)["lan"], policies(again)["lan"]
    assert second["spec"] == first["spec"]
    assert second["metadata"]["annotations"] == first["metadata"]["annotations"]


@pytest.mark.parametrize("change, why", [
    (lambda p: p["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}}), "namespaceSelector"),
    (lambda p: p["spec"].update(podSelector={"matchLabels": {"a": "b"}}), "selects some pods"),
    (lambda p: p["metadata"]["annotations"].update({"k8s.v1.cni.cncf.io/policy-for": "lan,other"}), "several networks"),
    (lambda p: p["spec"]["ingress"][0]["ports"].append({"port": "ssh"}), "named port"),
])
def test_a_policy_the_plan_cannot_say_is_left_out(tmp_path: Path, kvnet, change: Any, why: str) -> None:
    objs, _ = build(kvnet, tmp_path / "a", plan([LAN], [{"network": "lan", "address": "10.30.0.1{}"}]))
    change(policies(objs)["lan"])
    imported, notes = _import(kvnet, tmp_path, objs)
    assert "policy" not in next(n for n in imported["spec"]["networks"] if n["name"] == "lan")
    assert "warning[KV311]: MultiNetworkPolicy lab/lan is not imported" in notes and why in notes, notes
