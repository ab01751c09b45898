"""What a plan change touches in the output, which decides what KubeVirt does to a running VM
(README "Day 2" table): a VM object that does not change is left alone; a changed VM template is
applied live only for what KubeVirt hot-plugs (interfaces added or set absent/down), the rest
marks the VM RestartRequired and takes effect at its next restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from testlib import write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  networks:
    - {{name: lan, type: bridge, bridge: br-lan, vlan: {vlan}, mtu: {mtu}, subnet: 192.168.1.0/24,
       gateway: 192.168.1.1, dns: {{nameservers: [{dns}]}}}}
    - {{name: wan, type: bridge, bridge: br-wan}}
  vms:
    - name: web-1
      image: quay.io/containerdisks/debian:12
      interfaces:
        - network: default
        - {{network: lan, address: 192.168.1.20{mac}}}
{extra}"""
BASE = {"vlan": "10", "mtu": "1500", "dns": "192.168.1.1", "mac": "", "extra": ""}


def _objects(tmp: Path, kvnet, name: str, **change: str) -> dict[tuple[str, str], dict[str, Any]]:
    res = kvnet("build", str(write(tmp / name / "kvnet.yaml", PLAN.format(**{**BASE, **change}))))
    assert res.code == 0, res.err
    return {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(res.out) if o}


def _changed(before: dict[tuple[str, str], Any], after: dict[tuple[str, str], Any]) -> set[tuple[str, str]]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def _vm_spec(objs: dict[tuple[str, str], Any]) -> dict[str, Any]:
    return objs[("VirtualMachine", "web-1")]["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def test_a_nad_only_change_leaves_the_vm_object_alone(tmp_path: Path, kvnet) -> None:
    """VLAN or MTU of a network: only the NAD changes. KubeVirt sees no VM change (no restart, no
    migration); the running virt-launcher pod keeps its attachment until the VM restarts or migrates.
    The MTU also reaches the guest through networkData, which is a VM change."""
    base = _objects(tmp_path, kvnet, "a")
    assert _changed(base, _objects(tmp_path, kvnet, "b", vlan="20")) == {("NetworkAttachmentDefinition", "lan")}
    mtu = _objects(tmp_path, kvnet, "c", mtu="9000")
    assert _changed(base, mtu) == {("NetworkAttachmentDefinition", "lan"), ("VirtualMachine", "web-1")}
    assert _vm_spec(mtu)["domain"] == _vm_spec(base)["domain"]  # only the cloud-init volume differs


def test_guest_config_changes_touch_only_the_cloud_init_volume(tmp_path: Path, kvnet) -> None:
    """DNS, routes, addresses: the cloudInitNoCloud volume changes (RestartRequired), nothing else;
    at the restart cloud-init applies it (tests/guest/test_update_events.py)."""
    base, dns = _objects(tmp_path, kvnet, "a"), _objects(tmp_path, kvnet, "b", dns="192.168.1.53")
    assert _changed(base, dns) == {("VirtualMachine", "web-1")}
    assert _vm_spec(dns)["domain"] == _vm_spec(base)["domain"]
    assert _vm_spec(dns)["networks"] == _vm_spec(base)["networks"]
    assert _vm_spec(dns)["volumes"] != _vm_spec(base)["volumes"]


def test_a_mac_change_is_a_restart(tmp_path: Path, kvnet) -> None:
    """A new MAC changes the interface (not live-updatable: RestartRequired) and the networkData that
    matches the NIC by MAC, together, so the guest configures the NIC after the restart."""
    base, mac = _objects(tmp_path, kvnet, "a"), _objects(tmp_path, kvnet, "b", mac=", mac: 02:5e:10:00:00:99")
    assert _vm_spec(mac)["domain"]["devices"]["interfaces"][1]["macAddress"] == "02:5e:10:00:00:99"
    nd = [v for v in _vm_spec(mac)["volumes"] if "cloudInitNoCloud" in v][0]["cloudInitNoCloud"]["networkData"]
    assert "02:5e:10:00:00:99" in nd and _vm_spec(mac)["volumes"] != _vm_spec(base)["volumes"]


def test_removing_an_interface_is_not_an_unplug(tmp_path: Path, kvnet) -> None:
    """An interface dropped from the plan leaves the VM's networks and interfaces: KubeVirt unplugs
    only an interface set to 'state: absent', so the NIC stays until the next restart. Set it absent
    first, drop it in a later revision."""
    two = _objects(tmp_path, kvnet, "a", extra="        - network: wan\n")
    absent = _objects(tmp_path, kvnet, "b", extra="        - {network: wan, state: absent}\n")
    one = _objects(tmp_path, kvnet, "c")
    assert [i["name"] for i in _vm_spec(one)["networks"]] == ["default", "lan"]
    assert [i.get("state") for i in _vm_spec(absent)["domain"]["devices"]["interfaces"]] == [None, None, "absent"]
    assert _changed(two, absent) == {("VirtualMachine", "web-1")}
    assert ("NetworkAttachmentDefinition", "wan") in absent  # the absent interface's network still names it
