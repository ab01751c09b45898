"""Hot-plug that works or says why not (KV239, KV270-KV274, spec.cluster.multus.hotplug).

What KubeVirt does with a NIC added to a running VM (kubevirt/kubevirt): LiveUpdate rollout
strategy only; bridge and SR-IOV bindings only (pkg/network/controllers/vm.go); in place with thick
Multus + multus-dynamic-networks-controller, else by live migration (pkg/network/migration).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kvnet.expand.cluster.multus import daemon_config, thick_host_paths
from kvnet.profiles import DYNAMIC_NETWORKS_IMAGE, PROFILES
from testlib import write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
{cluster}  networks:
    - {{name: lan, type: bridge, bridge: br-lan}}
    - {{name: wan, type: bridge, bridge: br-wan}}
    - {{name: vf, type: sriov, resourceName: intel.com/sriov}}
    - {{name: tap, type: macvtap, master: eth1}}
  vms:
    - name: web-1
      image: quay.io/containerdisks/debian:12
      interfaces:
        - network: default
{interfaces}"""
K3S_HOTPLUG = "  cluster:\n    distribution: k3s\n    multus: {hotplug: true}\n"


def _run(tmp: Path, kvnet, interfaces: str, cluster: str = "") -> tuple[int, list[dict[str, Any]], str]:
    res = kvnet("build", str(write(tmp / "kvnet.yaml", PLAN.format(cluster=cluster, interfaces=interfaces))))
    return res.code, [o for o in yaml.safe_load_all(res.out) if o] if res.code == 0 else [], res.err


def _codes(err: str) -> set[str]:
    return {line.split("[", 1)[1].split("]", 1)[0] for line in err.splitlines() if "[KV" in line and "]: " in line}


def test_no_hotplug_no_day2_cluster_findings(tmp_path: Path, kvnet) -> None:
    code, _, err = _run(tmp_path, kvnet, "        - network: lan\n")
    assert code == 0 and not _codes(err) & {"KV270", "KV271"}, err


def test_a_hotplugged_bridge_nic_says_what_the_cluster_needs(tmp_path: Path, kvnet) -> None:
    code, objs, err = _run(tmp_path, kvnet, "        - network: lan\n        - {network: wan, hotplug: true}\n")
    assert code == 0, err
    assert {"KV270", "KV271"} <= _codes(err), err
    assert "vmRolloutStrategy: LiveUpdate" in err and "multus: {hotplug: true}" in err  # the fixes, in the hints
    vm = [o for o in objs if o["kind"] == "VirtualMachine"][0]
    assert "hotplug" not in json.dumps(vm)  # a plan marker only: nothing of it reaches the VM


def test_with_multus_hotplug_only_the_rollout_reminder_stays(tmp_path: Path, kvnet) -> None:
    code, objs, err = _run(tmp_path, kvnet, "        - {network: wan, hotplug: true}\n", K3S_HOTPLUG)
    assert code == 0, err
    assert "KV270" in _codes(err) and "KV271" not in _codes(err), err
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objs}
    assert ("DaemonSet", "dynamic-networks-controller-ds") in kinds and ("ConfigMap", "multus-daemon-config") in kinds


def test_unplug_is_a_hot_plug_change_too(tmp_path: Path, kvnet) -> None:
    code, _, err = _run(tmp_path, kvnet, "        - {network: lan, state: absent}\n")
    assert code == 0 and {"KV270", "KV271"} <= _codes(err), err


@pytest.mark.parametrize("iface,binding", [("{network: tap, hotplug: true}", "macvtap"),
                                           ("{network: default, hotplug: true}", "masquerade"),
                                           ("{network: lan, hotplug: true, model: e1000}", "e1000")])
def test_a_binding_kubevirt_does_not_hotplug_is_an_error(tmp_path: Path, kvnet, iface: str, binding: str) -> None:
    interfaces = f"        - {iface}\n" if "default" not in iface else ""
    text = PLAN.format(cluster="", interfaces=interfaces)
    if "default" in iface:
        text = text.replace("        - network: default\n", f"        - {iface}\n")
    res = kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 1 and "error[KV239]" in res.err and repr(binding) in res.err, res.err


def test_sriov_hotplug_migrates_and_order_matters(tmp_path: Path, kvnet) -> None:
    interfaces = "        - {network: vf, hotplug: true}\n        - network: lan\n"
    code, _, err = _run(tmp_path, kvnet, interfaces, K3S_HOTPLUG)
    assert code == 0 and {"KV273", "KV274"} <= _codes(err), err


def test_multus_hotplug_with_thin_is_an_error(tmp_path: Path, kvnet) -> None:
    cluster = "  cluster:\n    distribution: k3s\n    multus: {hotplug: true, flavor: thin}\n"
    code, _, err = _run(tmp_path, kvnet, "        - network: lan\n", cluster)
    assert code == 1 and "error[KV272]" in err, err


def test_unpinned_controller_image_is_refused(tmp_path: Path, kvnet) -> None:
    cluster = ("  cluster:\n    distribution: k3s\n    multus: {hotplug: true, dynamicNetworksImage: "
               "'ghcr.io/k8snetworkplumbingwg/multus-dynamic-networks-controller:latest'}\n")
    code, _, err = _run(tmp_path, kvnet, "        - network: lan\n", cluster)
    assert code == 1 and "error[KV263]" in err and "dynamicNetworksImage" in err, err


@pytest.mark.parametrize("dist,socket", [("k3s", "/run/k3s/containerd/containerd.sock"),
                                         ("rke2", "/run/k3s/containerd/containerd.sock"),
                                         ("k0s", "/run/k0s/containerd.sock"),
                                         ("microk8s", "/var/snap/microk8s/common/run/containerd.sock"),
                                         ("kubeadm", "/run/containerd/containerd.sock")])
def test_the_controller_uses_the_distributions_paths(tmp_path: Path, kvnet, dist: str, socket: str) -> None:
    cluster = f"  cluster:\n    distribution: {dist}\n    multus: {{hotplug: true}}\n"
    code, objs, err = _run(tmp_path, kvnet, "        - network: lan\n", cluster)
    assert code == 0, err
    ds = [o for o in objs if o["metadata"]["name"] == "dynamic-networks-controller-ds"][0]
    pod = ds["spec"]["template"]["spec"]
    host = {v["name"]: v.get("hostPath", {}).get("path") for v in pod["volumes"]}
    assert host["cri-socket"] == socket and host["multus-server-socket"] == "/run/multus/multus.sock"
    assert pod["containers"][0]["image"] == DYNAMIC_NETWORKS_IMAGE and DYNAMIC_NETWORKS_IMAGE.endswith(":v0.3.7")
    cm = [o for o in objs if o["metadata"]["name"] == "dynamic-networks-controller-config"][0]
    conf = json.loads(cm["data"]["dynamic-networks-config.json"])
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert conf == {"criSocketPath": mounts["cri-socket"], "multusSocketPath": mounts["multus-server-socket"]}
    multus = [o for o in objs if o["metadata"]["name"] == "kube-multus-ds"][0]
    assert multus["spec"]["template"]["spec"]["containers"][0]["image"].endswith("-thick")


def test_the_controller_finds_the_thick_daemons_socket() -> None:
    """The thick daemon's socketDir (in its container) is the host's /run/multus, where the
    controller's hostPath points."""
    profile = PROFILES["k3s"]
    socket_dir = daemon_config(profile)["socketDir"]
    assert socket_dir == "/host/run/multus/" and thick_host_paths(profile)["host-run"] == "/run"
