"""Interface ``state`` (issue 21: up, down, absent) and hot-plug as KubeVirt treats them
(pkg/network/controllers/vm.go, pkg/network/vmliveupdate/restart.go), on VirtualMachine objects
shaped as kvnet emits them."""

from __future__ import annotations

import copy
from typing import Any

from kvnet.diff.compare import classify


def _vm(*ifaces: dict[str, Any]) -> dict[str, Any]:
    nets = [{"name": i["name"], "pod": {}} if i["name"] == "default" else
            {"name": i["name"], "multus": {"networkName": f"vms/{i['name']}"}} for i in ifaces]
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "web", "namespace": "vms"},
            "spec": {"runStrategy": "Always", "template": {"spec": {
                "domain": {"devices": {"interfaces": [copy.deepcopy(i) for i in ifaces]}}, "networks": nets}}}}


POD = {"name": "default", "masquerade": {}, "macAddress": "02:00:00:00:00:01"}
LAN = {"name": "lan", "bridge": {}, "macAddress": "02:00:00:00:00:02"}


def _classes(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return set(classify("VirtualMachine", before, after))


def test_link_state_and_unplug_are_live() -> None:
    assert _classes(_vm(POD, LAN), _vm(POD, {**LAN, "state": "down"})) == {"live"}
    assert _classes(_vm(POD, {**LAN, "state": "down"}), _vm(POD, {**LAN, "state": "up"})) == {"live"}
    assert _classes(_vm(POD, LAN), _vm(POD, {**LAN, "state": "absent"})) == {"live"}
    assert _classes(_vm(POD, {**LAN, "state": "absent"}), _vm(POD)) == {"live"}  # dropped after its unplug


def test_removal_without_absent_and_replug_need_a_restart() -> None:
    assert _classes(_vm(POD, LAN), _vm(POD)) == {"restart"}
    assert _classes(_vm(POD, {**LAN, "state": "absent"}), _vm(POD, LAN)) == {"restart"}
    assert _classes(_vm(POD, LAN), _vm(POD, {**LAN, "macAddress": "02:00:00:00:00:03"})) == {"restart"}


def test_hot_plug_only_for_bridge_and_sriov() -> None:
    assert _classes(_vm(POD), _vm(POD, LAN)) == {"live"}
    assert _classes(_vm(POD), _vm(POD, {"name": "lan", "sriov": {}})) == {"live"}
    assert _classes(_vm(LAN), _vm(LAN, POD)) == {"restart"}  # masquerade is never hot-plugged
    assert _classes(_vm(POD), _vm(POD, {**LAN, "state": "absent"})) == {"live"}


def test_another_nad_is_a_restart() -> None:
    after = _vm(POD, LAN)
    after["spec"]["template"]["spec"]["networks"][1]["multus"]["networkName"] = "vms/web-lan"
    assert _classes(_vm(POD, LAN), after) == {"restart"}


def test_hot_plug_needs_virtio() -> None:
    assert _classes(_vm(POD), _vm(POD, {**LAN, "model": "e1000"})) == {"restart"}
    assert _classes(_vm(POD), _vm(POD, {**LAN, "model": "virtio"})) == {"live"}
