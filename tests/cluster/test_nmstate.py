"""spec.cluster.nodeNetwork: nmstate (SPEC §9): one NodeNetworkConfigurationPolicy per node
bridge, its uplink as the port, VLAN filtering only when a network on it uses a VLAN, the
nodeSelector, the sync wave before the NADs, and the schema kvnet checks it against."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  cluster:
    distribution: k3s
    nodeNetwork: nmstate
{extra}  networks:
    - {{name: lan, type: bridge, bridge: br-lan, uplink: eth1}}
    - {{name: v10, type: bridge, bridge: br-trunk, uplink: eth2, vlan: 10}}
    - {{name: v20, type: bridge, bridge: br-trunk, vlan: 20}}
{more}  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces: [{{network: default}}, {{network: lan}}, {{network: v10}}]
"""


def build(tmp_path: Path, kvnet: Any, extra: str = "", more: str = "") -> tuple[Path, Any]:
    path = tmp_path / "kvnet.yaml"
    path.write_text(PLAN.format(extra=extra, more=more))
    return path, kvnet("build", str(path))


def policies(out: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(out)
            if d["kind"] == "NodeNetworkConfigurationPolicy"}


def test_one_policy_per_bridge_with_its_uplink(tmp_path: Path, kvnet) -> None:
    _, res = build(tmp_path, kvnet, extra="    nodeSelector: {node-role.kubernetes.io/worker: ''}\n")
    assert res.code == 0, res.err
    pols = policies(res.out)
    assert sorted(pols) == ["br-lan", "br-trunk"]
    lan = pols["br-lan"]
    assert lan["apiVersion"] == "nmstate.io/v1" and "namespace" not in lan["metadata"]  # cluster-scoped
    assert lan["spec"]["nodeSelector"] == {"node-role.kubernetes.io/worker": ""}
    (iface,) = lan["spec"]["desiredState"]["interfaces"]
    assert (iface["name"], iface["type"], iface["state"]) == ("br-lan", "linux-bridge", "up")
    # no VLAN on br-lan: 'vlan: {}' keeps kubernetes-nmstate from adding its default trunk (filtering off)
    assert iface["bridge"]["port"] == [{"name": "eth1", "vlan": {}}]
    trunk = pols["br-trunk"]["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"]
    assert trunk == [{"name": "eth2", "vlan": {"mode": "trunk", "trunk-tags": [{"id": 10}, {"id": 20}]}}]


def test_policies_come_before_the_nads(tmp_path: Path, kvnet) -> None:
    _, res = build(tmp_path, kvnet)
    docs = list(yaml.safe_load_all(res.out))
    kinds = [d["kind"] for d in docs]
    assert max(i for i, k in enumerate(kinds) if k == "NodeNetworkConfigurationPolicy") < kinds.index(
        "NetworkAttachmentDefinition")
    waves = {d["kind"]: int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for d in docs}
    assert waves["NodeNetworkConfigurationPolicy"] < waves["NetworkAttachmentDefinition"]


def test_without_nmstate_no_policies(tmp_path: Path, kvnet) -> None:
    path = tmp_path / "kvnet.yaml"
    path.write_text(PLAN.format(extra="", more="").replace("    nodeNetwork: nmstate\n", ""))
    res = kvnet("build", str(path))
    assert res.code == 0 and policies(res.out) == {}


def test_bridge_without_uplink_is_an_error_with_nmstate(tmp_path: Path, kvnet) -> None:
    path, res = build(tmp_path, kvnet, more="    - {name: iso, type: bridge, bridge: br-iso}\n")
    assert res.code == 1 and res.out == ""
    line = PLAN.format(extra="", more="    - {name: iso, type: bridge, bridge: br-iso}\n").splitlines()
    row = next(i for i, text in enumerate(line) if "br-iso" in text)
    assert f"{path}:{row + 1}:{line[row].index('br-iso') + 1}: error[KV268]" in res.err
    assert "'br-iso' has no 'uplink'" in res.err


def test_two_uplinks_for_one_bridge(tmp_path: Path, kvnet) -> None:
    more = "    - {name: v30, type: bridge, bridge: br-trunk, uplink: eth3, vlan: 30}\n"
    path, res = build(tmp_path, kvnet, more=more)
    assert res.code == 1
    text = PLAN.format(extra="", more=more).splitlines()
    row = next(i for i, t in enumerate(text) if "eth3" in t)
    assert f"{path}:{row + 1}:{text[row].index('eth3') + 1}: error[KV269]" in res.err


def _validator() -> Any:
    from kvnet.outputcheck.checker import OutputChecker

    return OutputChecker()


def test_emitted_policies_pass_the_schema_and_bad_ones_fail(tmp_path: Path, kvnet) -> None:
    _, res = build(tmp_path, kvnet)
    checker = _validator()
    for pol in policies(res.out).values():
        assert checker.problems(pol) == []
    pol = json.loads(json.dumps(policies(res.out)["br-trunk"]))
    pol["metadata"]["namespace"] = "vms"  # a namespaced policy does not exist
    pol["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["vlan"]["trunk-tags"] = [{"id": 4095}]
    pol["spec"]["desiredState"]["interfaces"][0]["type"] = "linux_bridge"
    problems = checker.problems(pol)
    assert any("trunk-tags" in p for p in problems), problems
    assert any(".type" in p for p in problems), problems
    assert any(p.startswith("metadata") for p in problems), problems


@pytest.mark.parametrize("name", ["br_LAN", "Br0"])
def test_policy_names_are_dns_subdomains(name: str) -> None:
    from kvnet.expand.cluster.nmstate import policy_name

    got = policy_name(name)
    assert got != name and got.islower() and "_" not in got
    assert policy_name(name) == got  # stable
    assert policy_name("br-lan") == "br-lan"


def test_nmstate_example_builds(kvnet) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "nmstate-bridge"
    res = kvnet("build", str(example))
    assert res.code == 0, res.err
    pols = policies(res.out)
    assert pols, textwrap.shorten(res.out, 200)
