"""Issue 24: VLAN trunks on Linux bridges. A ``bridge`` network's ``trunk`` becomes the bridge
plugin's ``vlanTrunk`` (containernetworking/plugins v1.3.0+, PR #829), the nmstate uplink trunks
its VLANs, lint/import read it back, the plugin-version requirement is KV328, and ``verify``
judges what ADD did (tests/verify for the real plugin; here its pure parts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from testlib import write

from kvnet.verify.trunk import LACKS, judge, port_vlans, trunk_vlans

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: lab}
spec:
  cluster: {distribution: CLUSTER, nodeNetwork: nmstate}
  networks:
    - {name: trunk, type: bridge, bridge: br0, uplink: eno2, trunk: [{id: 42}, {minID: 100, maxID: 110}, {id: 105}]}
    - {name: lan, type: bridge, bridge: br0, uplink: eno2, vlan: 30, subnet: 10.30.0.0/24}
  vms:
    - name: router
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces: [{network: default}, {network: trunk}, {network: lan, address: 10.30.0.5}]
"""


def build(kvnet: Any, path: Path) -> tuple[list[dict[str, Any]], str]:
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    return [d for d in yaml.safe_load_all(res.out) if d], res.err


def test_trunk_to_vlan_trunk_nmstate_and_back(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", PLAN.replace("CLUSTER", "k3s"))
    objs, err = build(kvnet, path)
    nad = next(o for o in objs if o["kind"] == "NetworkAttachmentDefinition" and o["metadata"]["name"] == "trunk")
    config = json.loads(nad["spec"]["config"])
    assert config["vlanTrunk"] == [{"id": 42}, {"maxID": 110, "minID": 100}, {"id": 105}] and "vlan" not in config
    nncp = next(o for o in objs if o["kind"] == "NodeNetworkConfigurationPolicy")
    port = nncp["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]
    tags = [{"id": 30}, {"id": 42}, {"id-range": {"min": 100, "max": 110}}]
    assert port["vlan"] == {"mode": "trunk", "trunk-tags": tags}
    assert "warning[KV328]" in err  # k3s ships its own bridge plugin: kvnet cannot vouch for its version
    out = tmp_path / "out.yaml"
    out.write_text(kvnet("build", str(path)).out)
    assert kvnet("lint", str(out)).code == 0
    imported = kvnet("import", str(out))
    assert imported.code == 0, imported.out + imported.err
    plan = yaml.safe_load(imported.out)
    trunk = next(n for n in plan["spec"]["networks"] if n["name"] == "trunk")
    assert trunk["type"] == "bridge" and trunk["trunk"] == [{"id": 42}, {"maxID": 110, "minID": 100}, {"id": 105}]
    again = tmp_path / "again"
    again.mkdir()
    write(again / "kvnet.yaml", imported.out)
    objs2, _ = build(kvnet, again / "kvnet.yaml")
    nad2 = next(o for o in objs2 if o["kind"] == "NetworkAttachmentDefinition" and o["metadata"]["name"] == "trunk")
    assert nad2["spec"]["config"] == nad["spec"]["config"]


def test_vlan_with_trunk_and_bad_items_are_kv231(tmp_path: Path, kvnet) -> None:
    text = PLAN.replace("CLUSTER", "k3s").replace("trunk: [{id: 42}", "vlan: 7, trunk: [{minID: 9, maxID: 3}, {id: 42}")
    res = kvnet("validate", "--format", "json", str(write(tmp_path / "kvnet.yaml", text)))
    assert sorted(d["code"] for d in json.loads(res.out) if d["severity"] == "error") == ["KV231", "KV231"]


def test_no_kv328_where_kvnet_installs_the_bridge_plugin(tmp_path: Path, kvnet) -> None:
    """kubeadm ships no plugins: kvnet's installer (pinned v1.9.x) puts bridge there."""
    _, err = build(kvnet, write(tmp_path / "kvnet.yaml", PLAN.replace("CLUSTER", "kubeadm")))
    assert "KV328" not in err


def test_verify_judges_the_trunk_by_the_port_vlans() -> None:
    plugins = [{"type": "bridge", "vlanTrunk": [{"id": 42}, {"minID": 100, "maxID": 102}]}]
    want = trunk_vlans(plugins)
    assert want == {42, 100, 101, 102}
    shown = json.dumps([{"ifname": "veth1", "vlans": [{"vlan": 42}, {"vlan": 100, "vlanEnd": 102}]},
                        {"ifname": "br0", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]}]}])
    assert judge(want, port_vlans(shown))[1] is None and "exercised" in str(judge(want, port_vlans(shown))[0])
    old = json.dumps([{"ifname": "veth1", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]}]}])
    assert judge(want, port_vlans(old)) == (LACKS, None)  # Debian 12's 1.1.1 ignores vlanTrunk
    partial = json.dumps([{"ifname": "veth1", "vlans": [{"vlan": 42}]}])
    assert judge(want, port_vlans(partial))[1] is not None
    assert trunk_vlans([{"type": "bridge", "vlan": 5}]) == set() and judge(set(), set()) == (None, None)
