"""What the compiler writes for each kind of network and VM (SPEC §3)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml
from kvnet.expand.userdata import UPDATES_BLOCK
from testlib import UPSTREAM, write

HEAD = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: lab
{ns}spec:
"""


def build(tmp_path: Path, kvnet, body: str, ns: str | None = "vms") -> list[dict[str, Any]]:
    text = HEAD.format(ns=f"  namespace: {ns}\n" if ns else "") + body
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    return list(yaml.safe_load_all(res.out))


def by_kind(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind]


def config(nad: dict[str, Any]) -> dict[str, Any]:
    return json.loads(nad["spec"]["config"])


def tspec(vm: dict[str, Any]) -> dict[str, Any]:
    return vm["spec"]["template"]["spec"]


def network_data(vm: dict[str, Any]) -> dict[str, Any]:
    ci = [v["cloudInitNoCloud"] for v in tspec(vm)["volumes"] if "cloudInitNoCloud" in v][0]
    return yaml.safe_load(ci["networkData"])


STATIC = """\
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.1.0/24
      gateway: 192.168.1.1
      dns: {nameservers: [192.168.1.53], search: [lab.local]}
      ipam: static
  vms:
    - name: web-1
      image: img
      interfaces:
        - network: default
        - network: lan
          address: 192.168.1.20
    - name: web-2
      image: img
      interfaces:
        - network: lan
          address: 192.168.1.21/24
"""


def test_static_ipam_one_nad_per_vm_and_network(tmp_path: Path, kvnet) -> None:
    objs = build(tmp_path, kvnet, STATIC)
    nads = by_kind(objs, "NetworkAttachmentDefinition")
    assert [n["metadata"]["name"] for n in nads] == ["web-1-lan", "web-2-lan"]
    cfg = config(nads[0])
    assert cfg["ipam"] == {"type": "static", "addresses": [{"address": "192.168.1.20/24", "gateway": "192.168.1.1"}],
                           "dns": {"nameservers": ["192.168.1.53"], "search": ["lab.local"]}}
    vms = by_kind(objs, "VirtualMachine")
    assert tspec(vms[0])["networks"][1] == {"name": "lan", "multus": {"networkName": "vms/web-1-lan"}}
    eth1 = network_data(vms[0])["ethernets"]["eth1"]
    assert eth1["addresses"] == ["192.168.1.20/24"]
    assert eth1["nameservers"] == {"addresses": ["192.168.1.53"], "search": ["lab.local"]}
    assert "routes" not in eth1  # the pod NIC carries web-1's one default route (SPEC §3)
    # web-2 has no pod network: its LAN NIC carries the default route, as gateway4 on a static NIC
    # (issue 20 G2: eni renders it as its own 'gateway' line), never written "default"
    assert network_data(vms[1])["ethernets"]["eth0"]["gateway4"] == "192.168.1.1"
    assert "routes" not in network_data(vms[1])["ethernets"]["eth0"]


def test_long_static_nad_name_gets_stable_hash(tmp_path: Path, kvnet) -> None:
    body = STATIC.replace("web-1", "w" * 40).replace("- name: lan", "- name: " + "n" * 30).replace(
        "network: lan", "network: " + "n" * 30)
    objs = build(tmp_path, kvnet, body)
    names = [n["metadata"]["name"] for n in by_kind(objs, "NetworkAttachmentDefinition")]
    long = [n for n in names if n.startswith("w" * 40)]
    assert len(long) == 1 and len(long[0]) == 63
    prefix, suffix = long[0].rsplit("-", 1)
    assert ("w" * 40 + "-" + "n" * 30).startswith(prefix) and len(suffix) == 8
    assert names == [n["metadata"]["name"] for n in by_kind(build(tmp_path, kvnet, body), "NetworkAttachmentDefinition")]
    vm = [o for o in objs if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == "w" * 40][0]
    assert tspec(vm)["networks"][1]["multus"]["networkName"] == "vms/" + long[0]


def test_no_namespace_gives_bare_nad_reference(tmp_path: Path, kvnet) -> None:
    objs = build(tmp_path, kvnet, STATIC, ns=None)
    assert all("namespace" not in o["metadata"] for o in objs)
    vm = by_kind(objs, "VirtualMachine")[0]
    assert tspec(vm)["networks"][1]["multus"]["networkName"] == "web-1-lan"


def test_pool_networks(tmp_path: Path, kvnet) -> None:
    body = """\
  cluster:
    distribution: k3s
    plugins: {install: always}
  networks:
    - name: hl
      type: bridge
      bridge: br-a
      subnet: 10.0.0.0/24
      ipam: host-local
    - name: wa
      type: bridge
      bridge: br-b
      subnet: 10.1.0.0/24
      gateway: 10.1.0.1
      ipam: whereabouts
      range: 10.1.0.10-10.1.0.50
      exclude: [10.1.0.16/30]
  vms:
    - name: a
      image: img
      interfaces: [{network: default}, {network: hl}, {network: wa}]
"""
    try:
        objs = build(tmp_path, kvnet, body)
    except AssertionError:
        # without the cluster half (a separate module), build the same plan without spec.cluster
        objs = build(tmp_path, kvnet, body.split("  networks:", 1)[1].join(["  networks:", ""]))
    nads = {n["metadata"]["name"]: config(n) for n in by_kind(objs, "NetworkAttachmentDefinition")}
    assert nads["hl"]["ipam"] == {"type": "host-local", "ranges": [[{"subnet": "10.0.0.0/24"}]]}
    wa = nads["wa"]["ipam"]
    assert wa["range"] == "10.1.0.0/24" and wa["range_start"] == "10.1.0.10" and wa["range_end"] == "10.1.0.50"
    assert wa["exclude"] == ["10.1.0.16/30"] and wa["gateway"] == "10.1.0.1"
    vm = by_kind(objs, "VirtualMachine")[0]
    eth = network_data(vm)["ethernets"]
    assert eth["eth1"]["dhcp4"] is True and eth["eth2"]["dhcp4"] is True


def test_whereabouts_on_k3s_gets_configuration_path_and_kubeconfig(tmp_path: Path, kvnet) -> None:
    body = """\
  networks:
    - name: wa
      type: bridge
      bridge: br-b
      subnet: 10.1.0.0/24
      ipam: whereabouts
  vms:
    - name: a
      image: img
      interfaces: [{network: wa}]
"""
    write(tmp_path / "kvnet.yaml", HEAD.format(ns="") + body)
    res = kvnet("build", "--distribution", "k3s", str(tmp_path))
    assert res.code == 0, res.err
    nad = list(yaml.safe_load_all(res.out))[0]
    ipam = config(nad)["ipam"]
    assert ipam["configuration_path"] == "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf"
    # whereabouts doc/extended-configuration.md: the Kubernetes datastore's kubeconfig under "kubernetes"
    assert ipam["kubernetes"] == {"kubeconfig": "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/"
                                                "whereabouts.kubeconfig"}
    res = kvnet("build", "--distribution", "kubeadm", str(tmp_path))
    ipam = config(list(yaml.safe_load_all(res.out))[0])["ipam"]
    assert "kubernetes" not in ipam and "configuration_path" not in ipam


def test_bindings_per_type(tmp_path: Path, kvnet) -> None:
    body = """\
  networks:
    - name: tap
      type: macvtap
      master: eth1
    - name: vf
      type: sriov
      resourceName: intel.com/sriov
    - name: br
      type: bridge
      bridge: br0
  vms:
    - name: a
      image: img
      interfaces:
        - network: default
          binding: passt
        - network: tap
        - network: vf
        - network: br
          model: e1000e
"""
    objs = build(tmp_path, kvnet, body)
    nads = {n["metadata"]["name"]: n for n in by_kind(objs, "NetworkAttachmentDefinition")}
    assert nads["tap"]["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] == \
        "macvtap.network.kubevirt.io/eth1"
    assert nads["vf"]["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] == "intel.com/sriov"
    assert "k8s.v1.cni.cncf.io/resourceName" not in nads["br"]["metadata"]["annotations"]
    ifaces = tspec(by_kind(objs, "VirtualMachine")[0])["domain"]["devices"]["interfaces"]
    assert [{k: v for k, v in i.items() if k not in ("macAddress",)} for i in ifaces] == [
        {"name": "default", "binding": {"name": "passt"}},
        {"name": "tap", "binding": {"name": "macvtap"}},
        {"name": "vf", "sriov": {}},
        {"name": "br", "bridge": {}, "model": "e1000e"},
    ]


def test_macs_stable_unique_and_locally_administered(tmp_path: Path, kvnet) -> None:
    objs = build(tmp_path, kvnet, STATIC)
    macs = [i["macAddress"] for vm in by_kind(objs, "VirtualMachine")
            for i in tspec(vm)["domain"]["devices"]["interfaces"]]
    assert len(set(macs)) == len(macs) == 3
    for mac in macs:
        first = int(mac[:2], 16)
        assert first & 0b10 and not first & 0b01 and mac != "02:00:00:00:00:00"
    # editing another VM does not move these MACs; the namespace does
    again = build(tmp_path, kvnet, STATIC.replace("web-2", "web-9"))
    assert tspec(by_kind(again, "VirtualMachine")[0])["domain"]["devices"]["interfaces"][0]["macAddress"] == macs[0]
    other_ns = build(tmp_path, kvnet, STATIC, ns="prod")
    assert tspec(by_kind(other_ns, "VirtualMachine")[0])["domain"]["devices"]["interfaces"][0]["macAddress"] != macs[0]


def test_given_mac_is_kept_normalised(tmp_path: Path, kvnet) -> None:
    objs = build(tmp_path, kvnet, STATIC.replace("address: 192.168.1.20\n",
                                                 "address: 192.168.1.20\n          mac: 02-5E-10-00-00-01\n"))
    ifaces = tspec(by_kind(objs, "VirtualMachine")[0])["domain"]["devices"]["interfaces"]
    assert ifaces[1]["macAddress"] == "02:5e:10:00:00:01"


def test_large_cloud_init_goes_to_a_secret(tmp_path: Path, kvnet) -> None:
    user = "#cloud-config\n" + "".join(f"# line {i:04d} padding padding padding\n" for i in range(80))
    body = STATIC.replace("      image: img\n      interfaces:\n        - network: default",
                          "      image: img\n      cloudInit:\n        userData: |\n"
                          + "".join("          " + line + "\n" for line in user.splitlines())
                          + "      interfaces:\n        - network: default", 1)
    objs = build(tmp_path, kvnet, body)
    assert [o["kind"] for o in objs][:1] == ["Secret"]
    secret = objs[0]
    assert secret["metadata"]["name"] == "web-1-cloudinit"
    # the user's text, byte for byte, then cloud-init's network update events (kvnet.expand.userdata)
    assert base64.b64decode(secret["data"]["userdata"]).decode() == user + UPDATES_BLOCK
    ci = [v["cloudInitNoCloud"] for v in tspec(by_kind(objs, "VirtualMachine")[0])["volumes"]
          if "cloudInitNoCloud" in v][0]
    assert ci["secretRef"] == {"name": "web-1-cloudinit"} and "networkData" in ci
    # the field names are KubeVirt's: the VM passes the upstream schemas
    for schema in ("virtualmachine_v1.json", "virtualmachine_v1.kubevirt-v1.9.0.json"):
        path = UPSTREAM / "schemas" / schema
        if path.is_file():
            from jsonschema import Draft7Validator

            vm = by_kind(objs, "VirtualMachine")[0]
            assert [e.message for e in Draft7Validator(json.loads(path.read_text())).iter_errors(vm)] == []
    big_net = body.replace("        - network: lan\n          address: 192.168.1.20\n",
                           "".join(f"        - network: n{i}\n" for i in range(14)), 1)
    big_net = big_net.replace("  vms:\n", "".join(f"    - {{name: n{i}, type: bridge, bridge: br{i}}}\n"
                                                  for i in range(14)) + "  vms:\n", 1)
    objs = build(tmp_path, kvnet, big_net)
    secret = by_kind(objs, "Secret")[0]
    assert sorted(secret["data"]) == ["networkdata", "userdata"]
    ci = [v["cloudInitNoCloud"] for v in tspec(by_kind(objs, "VirtualMachine")[0])["volumes"]
          if "cloudInitNoCloud" in v][0]
    assert ci == {"secretRef": {"name": "web-1-cloudinit"}, "networkDataSecretRef": {"name": "web-1-cloudinit"}}


def test_network_data_none_and_no_user_data_means_no_cloud_init(tmp_path: Path, kvnet) -> None:
    body = """\
  networks: []
  vms:
    - name: a
      rootDisk: {pvc: a-root}
      cloudInit: {networkData: none}
"""
    vm = build(tmp_path, kvnet, body)[0]
    assert tspec(vm)["volumes"] == [{"name": "rootdisk", "persistentVolumeClaim": {"claimName": "a-root"}}]
    # interfaces omitted: the pod network, with a stable MAC
    assert tspec(vm)["networks"] == [{"name": "default", "pod": {}}]
    assert tspec(vm)["domain"]["resources"] == {"requests": {"memory": "1Gi"}}


def test_template_is_deep_merged(tmp_path: Path, kvnet) -> None:
    body = """\
  networks: []
  vms:
    - name: a
      image: img
      labels: {tier: web}
      annotations: {team: blue}
      template:
        nodeSelector: {kubernetes.io/hostname: node-1}
        domain:
          devices:
            disks:
              - name: rootdisk
                disk: {bus: sata}
              - name: data
                disk: {bus: virtio}
        volumes:
          - name: data
            persistentVolumeClaim: {claimName: a-data}
"""
    vm = build(tmp_path, kvnet, body)[0]
    spec = tspec(vm)
    assert spec["nodeSelector"] == {"kubernetes.io/hostname": "node-1"}
    assert spec["domain"]["devices"]["disks"][0] == {"name": "rootdisk", "disk": {"bus": "sata"}}
    assert [d["name"] for d in spec["domain"]["devices"]["disks"]] == ["rootdisk", "cloudinitdisk", "data"]
    assert [v["name"] for v in spec["volumes"]] == ["rootdisk", "cloudinitdisk", "data"]
    assert vm["metadata"]["labels"]["tier"] == "web" and vm["metadata"]["annotations"]["team"] == "blue"


def test_template_that_breaks_the_vm_points_at_the_template(tmp_path: Path, kvnet) -> None:
    text = HEAD.format(ns="") + """\
  vms:
    - name: a
      image: img
      template:
        volumes:
          - name: cloudinitdisk
            cloudInitNoCloud: {bogus: 1}
"""
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:10:9: error[KV901]")  # template.volumes


def test_template_admission_problem_points_at_its_list(tmp_path: Path, kvnet) -> None:
    text = HEAD.format(ns="") + """\
  vms:
    - name: a
      image: img
      template:
        domain:
          devices:
            disks:
              - name: extra
                disk: {bus: virtio}
"""
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    # KubeVirt's admission rule, located by the problem's path: template.domain.devices.disks
    assert res.err.startswith(f"{path}:12:13: error[KV901]: VM 'a': the template fragment makes an invalid "
                              "VirtualMachine: disk 'extra' has no volume of the same name"), res.err


def test_ipv6_static(tmp_path: Path, kvnet) -> None:
    body = """\
  networks:
    - name: v6
      type: bridge
      bridge: br6
      subnet: fd00:10::/64
      gateway: fd00:10::1
  vms:
    - name: a
      image: img
      interfaces:
        - network: v6
          address: fd00:10::20
"""
    vm = build(tmp_path, kvnet, body)[-1]
    eth0 = network_data(vm)["ethernets"]["eth0"]
    assert eth0["addresses"] == ["fd00:10::20/64"]
    # a static IPv6 default route is gateway6: cloud-init 22.4 reads "to: ::/0" as ::/64 (tests/guest)
    assert eth0["gateway6"] == "fd00:10::1" and "routes" not in eth0


def test_output_order(tmp_path: Path, kvnet) -> None:
    objs = build(tmp_path, kvnet, STATIC)
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("NetworkAttachmentDefinition", "web-1-lan"), ("NetworkAttachmentDefinition", "web-2-lan"),
        ("VirtualMachine", "web-1"), ("VirtualMachine", "web-2")]
    assert objs[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"
    assert objs[2]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "0"


def test_output_dir_one_file_per_object(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "plan" / "kvnet.yaml", HEAD.format(ns="  namespace: vms\n") + STATIC)
    res = kvnet("build", str(tmp_path / "plan"), "-o", str(tmp_path / "out"))
    assert res.code == 0 and res.out == ""
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["vms_networkattachmentdefinition_web-1-lan.yaml", "vms_networkattachmentdefinition_web-2-lan.yaml",
                     "vms_virtualmachine_web-1.yaml", "vms_virtualmachine_web-2.yaml"]


def test_plan_metadata_annotations_are_accepted_and_ignored(tmp_path: Path, kvnet) -> None:
    body = STATIC.replace("  networks:", "  networks:", 1)
    text = HEAD.format(ns="  namespace: vms\n  annotations:\n    config.kubernetes.io/function: 'exec: {path: ./f}'\n"
                       "  labels: {team: net}\n") + body
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    assert "config.kubernetes.io/function" not in res.out and "team: net" not in res.out


def test_exactly_one_default_route_among_several_gateways(tmp_path: Path, kvnet) -> None:
    nets = "".join(f"    - {{name: n{i}, type: bridge, bridge: br{i}, subnet: 10.{i}.0.0/24, gateway: 10.{i}.0.1}}\n"
                   for i in range(3))
    ifaces = "".join(f"        - {{network: n{i}, address: 10.{i}.0.5}}\n" for i in range(3))
    with_pod = build(tmp_path, kvnet, "  networks:\n" + nets + "  vms:\n    - name: a\n      image: img\n"
                     "      interfaces:\n        - network: default\n" + ifaces)
    eth = network_data(by_kind(with_pod, "VirtualMachine")[0])["ethernets"]
    assert eth["eth0"]["dhcp4"] is True and "dhcp4-overrides" not in eth["eth0"]
    assert not any("routes" in eth[f"eth{i}"] for i in (1, 2, 3))
    no_pod = build(tmp_path, kvnet, "  networks:\n" + nets + "  vms:\n    - name: a\n      image: img\n"
                   "      interfaces:\n" + ifaces)
    eth = network_data(by_kind(no_pod, "VirtualMachine")[0])["ethernets"]
    assert eth["eth0"]["gateway4"] == "10.0.0.1"  # a static NIC's default route (issue 20 G2)
    assert not any("routes" in eth[f"eth{i}"] for i in (1, 2))
    chosen = build(tmp_path, kvnet, "  networks:\n" + nets + "  vms:\n    - name: a\n      image: img\n"
                   "      interfaces:\n        - network: default\n" + ifaces.replace(
                       "address: 10.2.0.5}", "address: 10.2.0.5, defaultRoute: true}"))
    eth = network_data(by_kind(chosen, "VirtualMachine")[0])["ethernets"]
    assert eth["eth0"]["dhcp4-overrides"] == {"use-routes": False, "route-metric": 200}
    assert eth["eth3"]["gateway4"] == "10.2.0.1" and "routes" not in eth["eth3"]
    assert not any("routes" in eth[f"eth{i}"] for i in (1, 2))


def test_output_dir_prune_removes_only_stale_kvnet_files(tmp_path: Path, kvnet) -> None:
    plan_dir = tmp_path / "plan"
    write(plan_dir / "kvnet.yaml", HEAD.format(ns="  namespace: vms\n") + STATIC)
    out = tmp_path / "out"
    assert kvnet("build", str(plan_dir), "-o", str(out)).code == 0
    (out / "notes.yaml").write_text("hand: written\n")
    write(plan_dir / "kvnet.yaml", HEAD.format(ns="  namespace: vms\n") + STATIC.split("    - name: web-2")[0])
    warn = kvnet("build", str(plan_dir), "-o", str(out))
    assert warn.code == 0 and "2 file(s) in" in warn.err and (out / "vms_virtualmachine_web-2.yaml").exists()
    pruned = kvnet("build", str(plan_dir), "-o", str(out), "--prune")
    assert pruned.code == 0 and pruned.err == f"kvnet: wrote 2 files to {out}, pruned 2\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "notes.yaml", "vms_networkattachmentdefinition_web-1-lan.yaml", "vms_virtualmachine_web-1.yaml"]
