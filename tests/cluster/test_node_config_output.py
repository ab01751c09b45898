"""Node side, as the last acceptance check found it: the node-network DaemonSet runs where the
plan's NodeNetworkConfigurationPolicies apply (spec.cluster.nodeSelector, else every node, taints
tolerated as kubernetes-nmstate's handler does); ``node-config -o DIR`` writes its files as one
set (a SIGKILL in the commit leaves the old set), keeps the other files of DIR; ``node-config``
reports diagnostics in every format validate has (``--format`` given twice)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from testlib import run_kvnet

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  cluster:
    distribution: k3s
    nodeNetwork: {node_network}{selector}
  networks:
    - {{name: prod, type: bridge, bridge: br-vms, uplink: eno2, vlan: 10}}
    - {{name: storage, type: bridge, bridge: {storage}, uplink: eno3}}
"""
SELECTOR = "\n    nodeSelector: {node-role.kubernetes.io/worker: \"true\"}"


def plan(tmp_path: Path, node_network: str = "networkd", selector: str = "", storage: str = "br-storage") -> Path:
    path = tmp_path / "kvnet.yaml"
    path.write_text(PLAN.format(node_network=node_network, selector=selector, storage=storage))
    return path


def objects(path: Path) -> list[dict]:
    run = run_kvnet("build", str(path))
    assert run.code == 0, run.err
    return [o for o in yaml.safe_load_all(run.out) if o]


@pytest.mark.parametrize("selector", ["", SELECTOR], ids=["no-selector", "selector"])
def test_the_daemonset_runs_where_the_nncp_applies(tmp_path: Path, selector: str) -> None:
    nncps = [o for o in objects(plan(tmp_path, "nmstate", selector)) if o["kind"] == "NodeNetworkConfigurationPolicy"]
    daemonset = next(o for o in objects(plan(tmp_path, "networkd", selector))
                     if o["kind"] == "DaemonSet" and o["metadata"]["name"] == "kvnet-node-network-lab")
    pod = daemonset["spec"]["template"]["spec"]
    assert nncps and all(p["spec"].get("nodeSelector") == pod.get("nodeSelector") for p in nncps)
    assert (pod.get("nodeSelector") is None) == (selector == "")
    # every NoSchedule/NoExecute taint (control-plane included) is tolerated, as the nmstate handler does
    assert {(t["operator"], t["effect"]) for t in pod["tolerations"]} == {("Exists", "NoSchedule"),
                                                                         ("Exists", "NoExecute")}


def _tree(root: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(root)): (p.read_text(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file() and ".kvnet-" not in str(p)}


def test_node_config_writes_one_set_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "node"
    (out / "etc" / "hosts.d").mkdir(parents=True)
    (out / "etc" / "hosts.d" / "mine").write_text("the user's\n")
    first = run_kvnet("node-config", str(plan(tmp_path)), "-o", str(out))
    assert first.code == 0, first.err
    old = _tree(out)
    assert old["etc/hosts.d/mine"][0] == "the user's\n"
    assert old["etc/systemd/network/10-kvnet-br-storage.netdev"][1] == 0o644
    inode = out.stat().st_ino
    plan(tmp_path, storage="br-data")
    for point in ("staged", "carried"):  # SIGKILL inside the commit: the old set, whole
        killed = run_kvnet("node-config", str(tmp_path / "kvnet.yaml"), "-o", str(out),
                           env={"KVNET_TEST_CRASH_AT": point})
        assert killed.code == -9, (point, killed.err)
        assert _tree(out) == old, point
    again = run_kvnet("node-config", str(tmp_path / "kvnet.yaml"), "-o", str(out))
    assert again.code == 0, again.err
    new = _tree(out)
    assert out.stat().st_ino != inode  # swapped in, not written file by file
    assert new["etc/systemd/network/10-kvnet-br-data.netdev"][0].startswith("# kvnet: node bridge br-data")
    assert new["etc/hosts.d/mine"] == old["etc/hosts.d/mine"]
    # the old bridge's files are not deleted (kvnet never deletes a node file: README, node side)
    assert "etc/systemd/network/10-kvnet-br-storage.netdev" in new
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".kvnet-")]  # no staging left
    netplan = run_kvnet("node-config", str(tmp_path / "kvnet.yaml"), "--format", "netplan", "-o", str(out))
    assert netplan.code == 0 and _tree(out)["etc/netplan/60-kvnet-lab.yaml"][1] == 0o600


def test_node_config_reports_in_every_format(tmp_path: Path) -> None:
    bad = plan(tmp_path)
    bad.write_text(bad.read_text().replace("vlan: 10", "vlan: 5000"))
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "vlan: 5000" in text)
    as_json = run_kvnet("node-config", str(bad), "--format", "json", "-o", str(tmp_path / "o"))
    assert (as_json.code, as_json.out) == (1, "")
    assert [(d["code"], d["line"]) for d in json.loads(as_json.err)] == [("KV104", line)]
    github = run_kvnet("node-config", str(bad), "--format", "networkd", "--format", "github", "-o", str(tmp_path / "o"))
    assert github.code == 1 and github.err.startswith(f"::error file={bad},line={line},")
    sarif = run_kvnet("node-config", str(bad), "--format", "sarif", "-o", str(tmp_path / "o"))
    assert json.loads(sarif.err)["runs"][0]["results"][0]["ruleId"] == "KV104"
    junit = run_kvnet("node-config", str(bad), "--format", "junit", "-o", str(tmp_path / "o"))
    assert junit.err.startswith("<?xml") and "KV104" in junit.err
    ok = run_kvnet("node-config", str(plan(tmp_path)), "--format", "json", "-o", str(tmp_path / "o"))
    assert ok.code == 0 and json.loads(ok.err) == []  # one document: no 'wrote' lines beside it
    two = run_kvnet("node-config", str(bad), "--format", "json", "--format", "text", "-o", str(tmp_path / "o"))
    assert two.code == 2 and "one diagnostics format, not json and text" in two.err

