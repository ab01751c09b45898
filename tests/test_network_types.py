"""SPEC §9 network types: ovs, ovn-layer2, ovn-localnet, external, and sriov's VF fields.

Good cases build and their NAD configs pass kvnet's CNI schemas (the build's output check) and
carry the keys ovs-cni / OVN-Kubernetes / sriov-cni read; bad cases fail with a positioned
diagnostic. ovs-cni and OVN-Kubernetes are not installed here, so ``kvnet verify`` cannot run
their configs (tests/verify skips them with that reason); their shape is tested against the
schemas instead (test_cni_schemas-style checks at the end).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import write

HEAD = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: lab
  namespace: vms
spec:
  networks:
"""


def plan(networks: str, ifaces: str, head: str = HEAD) -> str:
    return (head + networks.rstrip("\n") + "\n  vms:\n    - name: web-1\n"
            "      image: quay.io/containerdisks/ubuntu:22.04\n      interfaces:\n"
            "        - network: default\n" + ifaces.rstrip("\n") + "\n")


def build(kvnet: Any, tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    return list(yaml.safe_load_all(res.out))


def nad_config(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    nad = next(o for o in objs if o["kind"] == "NetworkAttachmentDefinition" and o["metadata"]["name"] == name)
    return json.loads(nad["spec"]["config"])


def vm_networks(objs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    vm = next(o for o in objs if o["kind"] == "VirtualMachine")
    spec = vm["spec"]["template"]["spec"]
    return spec["networks"], spec["domain"]["devices"]["interfaces"]


def test_ovs_access_and_trunk_ports(tmp_path: Path, kvnet) -> None:
    objs = build(kvnet, tmp_path, plan(
        "    - {name: access, type: ovs, bridge: br1, vlan: 100, mtu: 9000}\n"
        "    - {name: trunk, type: ovs, bridge: br1, trunk: [{id: 42}, {maxID: 1010, minID: 1000}]}\n",
        "        - network: access\n        - network: trunk\n"))
    assert nad_config(objs, "access") == {"bridge": "br1", "cniVersion": "1.0.0", "mtu": 9000, "name": "access",
                                          "type": "ovs", "vlan": 100}
    assert nad_config(objs, "trunk")["trunk"] == [{"id": 42}, {"maxID": 1010, "minID": 1000}]
    nad = next(o for o in objs if o["metadata"]["name"] == "access" and o["kind"] != "VirtualMachine")
    # ovs-cni's marker exposes each node bridge as a resource: the VM lands where br1 exists
    assert nad["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] == "ovs-cni.network.kubevirt.io/br1"
    _, ifaces = vm_networks(objs)
    assert [("bridge" in i) for i in ifaces[1:]] == [True, True]  # KubeVirt's bridge binding


def test_ovn_layer2_with_subnets_and_persistent_ips(tmp_path: Path, kvnet) -> None:
    objs = build(kvnet, tmp_path, plan(
        "    - name: l2\n      type: ovn-layer2\n      subnet: 10.100.200.0/24\n"
        "      exclude: [10.100.200.0/29, 10.100.200.100/32]\n      allowPersistentIPs: true\n      mtu: 1300\n",
        "        - network: l2\n"))
    assert nad_config(objs, "l2") == {
        "allowPersistentIPs": True, "cniVersion": "1.0.0", "excludeSubnets": "10.100.200.0/29,10.100.200.100/32",
        "mtu": 1300, "name": "l2", "netAttachDefName": "vms/l2", "subnets": "10.100.200.0/24",
        "topology": "layer2", "type": "ovn-k8s-cni-overlay"}
    networks, ifaces = vm_networks(objs)
    assert networks[1] == {"name": "l2", "multus": {"networkName": "vms/l2"}}
    assert "bridge" in ifaces[1]
    vm = next(o for o in objs if o["kind"] == "VirtualMachine")
    volume = vm["spec"]["template"]["spec"]["volumes"][-1]["cloudInitNoCloud"]
    # OVN-Kubernetes assigns the address; KubeVirt's DHCP hands it on: the guest asks by DHCP
    assert yaml.safe_load(volume["networkData"])["ethernets"]["eth1"]["dhcp4"] is True


def test_ovn_localnet_without_subnet_takes_plan_addresses(tmp_path: Path, kvnet) -> None:
    objs = build(kvnet, tmp_path, plan(
        "    - {name: phys, type: ovn-localnet, vlan: 33, subnet: 192.0.2.0/28}\n"
        "    - {name: bare, type: ovn-localnet}\n",
        "        - network: phys\n        - {network: bare, address: 198.51.100.7/24}\n"))
    assert nad_config(objs, "phys") == {"cniVersion": "1.0.0", "name": "phys", "netAttachDefName": "vms/phys",
                                        "subnets": "192.0.2.0/28", "topology": "localnet",
                                        "type": "ovn-k8s-cni-overlay", "vlanID": 33}
    assert "subnets" not in nad_config(objs, "bare")


def test_external_network_emits_no_nad_and_keeps_the_reference(tmp_path: Path, kvnet) -> None:
    objs = build(kvnet, tmp_path, plan(
        "    - {name: shared, type: external, nad: team-net/shared-lan, subnet: 10.9.0.0/24}\n",
        "        - {network: shared, address: 10.9.0.20, binding: sriov}\n"))
    assert [o["kind"] for o in objs] == ["VirtualMachine"]
    networks, ifaces = vm_networks(objs)
    assert networks[1] == {"name": "shared", "multus": {"networkName": "team-net/shared-lan"}}
    assert "sriov" in ifaces[1]  # the given binding stands: the NAD's plugin is unknown


def test_two_external_networks_on_one_nad_share_its_addresses_and_macs(tmp_path: Path, kvnet) -> None:
    """Addresses and MACs are unique on the NAD an external network attaches to, not per name."""
    path = write(tmp_path / "kvnet.yaml", """
        apiVersion: kvnet.dev/v1alpha1
        kind: NetworkPlan
        metadata: {name: p, namespace: lab}
        spec:
          networks:
          - {name: a, type: external, nad: prod/x, subnet: 10.1.0.0/24}
          - {name: b, type: external, nad: prod/x, subnet: 10.1.0.0/24}
          - {name: c, type: external, nad: prod/y, subnet: 10.1.0.0/24}
          vms:
          - {name: v1, image: img, interfaces: [{network: a, address: 10.1.0.5/24, mac: "02:00:00:00:00:01"}]}
          - {name: v2, image: img, interfaces: [{network: b, address: 10.1.0.5/24, mac: "02:00:00:00:00:01"}]}
          - {name: v3, image: img, interfaces: [{network: c, address: 10.1.0.5/24, mac: "02:00:00:00:00:01"}]}
        """)
    res = kvnet("validate", str(path))
    assert res.code == 1
    found = sorted(line.split(": error[")[1][:5] for line in res.out.splitlines() if ": error[" in line)
    assert found == ["KV216", "KV217"] and "VM 'v2'" in res.out and "VM 'v3'" not in res.out


def test_sriov_vlan_spoofchk_trust(tmp_path: Path, kvnet) -> None:
    objs = build(kvnet, tmp_path, plan(
        "    - {name: vf, type: sriov, resourceName: intel.com/sriov_netdevice, vlan: 200, spoofchk: false, "
        "trust: true}\n", "        - network: vf\n"))
    assert nad_config(objs, "vf") == {"cniVersion": "1.0.0", "name": "vf", "spoofchk": "off", "trust": "on",
                                      "type": "sriov", "vlan": 200}


NO_NS = HEAD.replace("  namespace: vms\n", "")
BAD = [
    ("ovs-vlan-and-trunk", plan("    - {name: o, type: ovs, bridge: br1, vlan: 5, trunk: [{id: 6}]}\n",
                                "        - network: o\n"), "KV231", "trunk: [", "trunk"),
    ("ovs-trunk-half-range", plan("    - {name: o, type: ovs, bridge: br1, trunk: [{minID: 6}]}\n",
                                  "        - network: o\n"), "KV231", "trunk: [", "{minID"),
    ("ovs-trunk-reversed", plan("    - {name: o, type: ovs, bridge: br1, trunk: [{minID: 9, maxID: 6}]}\n",
                                "        - network: o\n"), "KV231", "trunk: [", "{minID"),
    ("ovs-trunk-out-of-range", plan("    - {name: o, type: ovs, bridge: br1, trunk: [{id: 4095}]}\n",
                                    "        - network: o\n"), "KV104", "trunk: [", "4095"),
    ("ovs-without-bridge", plan("    - {name: o, type: ovs}\n", "        - network: o\n"), "KV209", "type: ovs",
     "ovs"),
    ("ovs-sriov-binding", plan("    - {name: o, type: ovs, bridge: br1}\n",
                               "        - {network: o, binding: sriov}\n"), "KV230", "binding: sriov", "sriov"),
    ("ovn-without-namespace", plan("    - {name: l2, type: ovn-layer2}\n", "        - network: l2\n", NO_NS),
     "KV232", "type: ovn-layer2", "ovn-layer2"),
    ("ovn-persistent-without-subnet", plan("    - {name: l2, type: ovn-layer2, allowPersistentIPs: true}\n",
                                           "        - network: l2\n"), "KV233", "allowPersistentIPs", "true"),
    ("ovn-layer2-vlan", plan("    - {name: l2, type: ovn-layer2, vlan: 5}\n", "        - network: l2\n"),
     "KV208", "vlan: 5", "vlan"),
    ("ovn-ipam", plan("    - {name: l2, type: ovn-layer2, subnet: 10.0.0.0/24, ipam: whereabouts}\n",
                      "        - network: l2\n"), "KV208", "ipam: whereabouts", "whereabouts"),
    ("ovn-address-with-subnet", plan("    - {name: l2, type: ovn-layer2, subnet: 10.0.0.0/24}\n",
                                     "        - {network: l2, address: 10.0.0.5}\n"), "KV219", "address: 10",
     "10.0.0.5"),
    ("ovn-masquerade", plan("    - {name: l2, type: ovn-localnet}\n",
                            "        - {network: l2, binding: masquerade}\n"), "KV230", "binding: masq",
     "masquerade"),
    ("external-without-nad", plan("    - {name: x, type: external}\n", "        - network: x\n"), "KV209",
     "type: external", "external"),
    ("external-bad-nad", plan("    - {name: x, type: external, nad: shared-lan}\n", "        - network: x\n"),
     "KV105", "nad: shared", "shared-lan"),
    ("external-ipam", plan("    - {name: x, type: external, nad: a/b, subnet: 10.0.0.0/24, ipam: static}\n",
                           "        - network: x\n"), "KV208", "ipam: static", "static"),
    ("external-passt", plan("    - {name: x, type: external, nad: a/b}\n",
                            "        - {network: x, binding: passt}\n"), "KV230", "binding: passt", "passt"),
    ("nad-in-other-namespace", plan("    - {name: x, type: bridge, bridge: br0}\n",
                                    "        - network: team-b/shared-lan\n"), "KV290", "team-b/", "team-b"),
    ("sriov-mtu", plan("    - {name: vf, type: sriov, resourceName: a.b/c, mtu: 9000}\n",
                       "        - network: vf\n"), "KV208", "mtu: 9000", "mtu"),
    ("macvtap-resource-two-masters",
     plan("    - {name: a, type: macvtap, master: eth1, resourceName: macvtap.network.kubevirt.io/dp}\n"
          "    - {name: b, type: macvtap, master: eth2, resourceName: macvtap.network.kubevirt.io/dp}\n",
          "        - network: a\n"), "KV291", "master: eth2", "eth2"),
    ("macvtap-resource-two-modes",
     plan("    - {name: a, type: macvtap, master: eth1}\n    - {name: b, type: macvtap, master: eth1, mode: vepa}\n",
          "        - network: a\n"), "KV291", "mode: vepa", "vepa"),
    ("spoofchk-on-bridge", plan("    - {name: b, type: bridge, bridge: br0, spoofchk: true}\n",
                                "        - network: b\n"), "KV208", "spoofchk", "spoofchk"),
]


@pytest.mark.parametrize("text,code,line_has,col_of", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_new_type_input(tmp_path: Path, kvnet, text: str, code: str, line_has: str, col_of: str) -> None:
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == "", res.err
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line_has in line)
    col = lines[row].index(col_of) + 1
    assert f"{path}:{row + 1}:{col}: error[{code}]" in res.err, res.err
    assert "Traceback" not in res.err


def test_foreign_nad_hint_spells_the_external_network(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan("    - {name: x, type: bridge, bridge: br0}\n",
                                                "        - network: team-b/shared-lan\n"))
    res = kvnet("build", str(path))
    assert "DNS-1123" not in res.err
    assert "'- {name: shared-lan, type: external, nad: team-b/shared-lan}'" in res.err


# ---------------------------------------------------------------- config shapes (no ovs/OVN binaries here)

def _problems(cfg: dict[str, Any]) -> list[str]:
    from kvnet.outputcheck.cni_schemas import validate_cni_config

    return validate_cni_config(cfg)


OVS = {"cniVersion": "1.0.0", "name": "o", "type": "ovs", "bridge": "br1"}
OVN = {"cniVersion": "1.0.0", "name": "l2", "type": "ovn-k8s-cni-overlay", "topology": "layer2",
       "netAttachDefName": "vms/l2"}


@pytest.mark.parametrize("cfg,ok", [
    (OVS, True),
    ({**OVS, "vlan": 4094}, True),
    ({**OVS, "trunk": [{"id": 1}, {"minID": 2, "maxID": 3}]}, True),
    ({**OVS, "vlan": 5, "trunk": [{"id": 1}]}, False),
    ({**OVS, "trunk": [{"minID": 2}]}, False),
    ({**OVS, "trunk": []}, False),
    ({k: v for k, v in OVS.items() if k != "bridge"}, False),
    ({**OVS, "ofport_request": 3}, False),
    (OVN, True),
    ({**OVN, "subnets": "10.0.0.0/24,fd00::/64", "excludeSubnets": "10.0.0.0/29", "allowPersistentIPs": True},
     True),
    ({**OVN, "topology": "localnet", "vlanID": 33}, True),
    ({**OVN, "vlanID": 33}, False),
    ({**OVN, "allowPersistentIPs": True}, False),
    ({**OVN, "topology": "layer3"}, False),
    ({**OVN, "netAttachDefName": "l2"}, False),
    ({k: v for k, v in OVN.items() if k != "netAttachDefName"}, False),
    ({"cniVersion": "1.0.0", "name": "vf", "type": "sriov", "spoofchk": "on", "trust": "off", "vlan": 0}, True),
    ({"cniVersion": "1.0.0", "name": "vf", "type": "sriov", "spoofchk": True}, False),
])
def test_new_cni_config_shapes(cfg: dict[str, Any], ok: bool) -> None:
    problems = _problems(cfg)
    assert (problems == []) is ok, problems


def test_macvtap_network_reminds_to_register_the_binding_plugin(tmp_path: Path, kvnet) -> None:
    text = plan("    - {name: mv, type: macvtap, master: eth0}\n", "        - network: mv\n")
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0 and res.out
    row = next(i for i, line in enumerate(text.splitlines()) if "type: macvtap" in line)
    col = text.splitlines()[row].index("macvtap") + 1
    assert f"{path}:{row + 1}:{col}: warning[KV267]" in res.err
    # the exact registration from KubeVirt's user guide (macvtap binding plugin), as a merge patch
    snippet = res.err.split("register it once per cluster: ", 1)[1].split(" (KubeVirt < v1.5", 1)[0]
    patch = json.loads(snippet.split("-p '", 1)[1].rstrip("'"))
    assert patch == {"spec": {"configuration": {"network": {"binding": {"macvtap": {"domainAttachmentType": "tap"}}}}}}


CLUSTER_HEAD = HEAD.replace("spec:\n", "spec:\n  cluster: {distribution: DIST}\n")


@pytest.mark.parametrize("dist,networks,code,absent", [
    ("k3s", "    - {name: o, type: ovs, bridge: br1}\n", "KV265", None),
    ("kubeadm", "    - {name: l2, type: ovn-layer2}\n", "KV266", None),
    ("openshift", "    - {name: l2, type: ovn-layer2}\n", None, "KV266"),  # OVN-Kubernetes is OpenShift's CNI
])
def test_node_side_warnings_for_ovs_and_ovn(tmp_path: Path, kvnet, dist: str, networks: str, code: str | None,
                                            absent: str | None) -> None:
    net = networks.split("name: ", 1)[1].split(",", 1)[0]
    text = plan(networks, f"        - network: {net}\n", CLUSTER_HEAD.replace("DIST", dist))
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    if code is not None:
        row = next(i for i, line in enumerate(text.splitlines()) if "cluster:" in line)
        col = text.splitlines()[row].index("{distribution") + 1
        assert f"{path}:{row + 1}:{col}: warning[{code}]" in res.err, res.err
    if code == "KV265":
        assert "openvswitch-switch" in res.err and "/var/lib/rancher/k3s/data/cni" in res.err
    if absent is not None:
        assert absent not in res.err
