"""spec.cluster.plugins deploys whereabouts and macvtap-cni when the plan uses them (SPEC §9):
pinned images, the profile's paths, kubernetes-validate (the build's output check) on every
object, and ``kubectl kustomize`` rendering them inside an overlay."""

from __future__ import annotations

import json
import shutil
import subprocess
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
    distribution: {dist}
{cluster}  networks:
{networks}  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces: [{{network: default}}, {{network: {net}}}]
"""
POOL = "    - {name: pool, type: bridge, bridge: br0, ipam: whereabouts, subnet: 10.1.0.0/24}\n"
MACVTAP = ("    - {name: mv, type: macvtap, master: eth1}\n"
           "    - {name: mv2, type: macvtap, master: eth2, mode: vepa, "
           "resourceName: macvtap.network.kubevirt.io/dataplane}\n")


def build(tmp_path: Path, kvnet: Any, networks: str, net: str, dist: str = "k3s",
          cluster: str = "") -> tuple[Any, list[dict[str, Any]]]:
    path = tmp_path / "kvnet.yaml"
    path.write_text(PLAN.format(dist=dist, cluster=cluster, networks=networks, net=net))
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    return res, list(yaml.safe_load_all(res.out))


def named(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def test_whereabouts_on_k3s_uses_k3s_paths(tmp_path: Path, kvnet) -> None:
    res, objs = build(tmp_path, kvnet, POOL, "pool")
    assert "KV261" not in res.err  # kvnet deploys it: no "go and find an operator" warning
    crds = sorted(o["metadata"]["name"] for o in objs if o["kind"] == "CustomResourceDefinition")
    assert crds == ["ippools.whereabouts.cni.cncf.io", "network-attachment-definitions.k8s.cni.cncf.io",
                    "nodeslicepools.whereabouts.cni.cncf.io", "overlappingrangeipreservations.whereabouts.cni.cncf.io"]
    ds = named(objs, "DaemonSet", "whereabouts")
    pod = ds["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert c["image"] == "ghcr.io/k8snetworkplumbingwg/whereabouts:v0.9.4"
    env = {e["name"]: e.get("value") for e in c["env"]}
    conf = "/var/lib/rancher/k3s/agent/etc/cni/net.d"
    # install-cni.sh writes <CNI_CONF_DIR>/whereabouts.d/whereabouts.kubeconfig and names it with '/host' removed
    assert env["CNI_CONF_DIR"] == "/host" + conf and env["CNI_BIN_DIR"] == "/host/var/lib/rancher/k3s/data/cni/"
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
    assert paths == {"cnibin": "/var/lib/rancher/k3s/data/cni", "cni-net-dir": conf}
    assert mounts == {k: "/host" + v for k, v in paths.items()}
    nad = named(objs, "NetworkAttachmentDefinition", "pool")
    ipam = json.loads(nad["spec"]["config"])["ipam"]
    assert ipam["configuration_path"] == f"{conf}/whereabouts.d/whereabouts.conf"
    role = named(objs, "ClusterRole", "whereabouts-cni")
    assert {"ippools", "overlappingrangeipreservations", "nodeslicepools"} <= set(role["rules"][0]["resources"])
    binding = named(objs, "ClusterRoleBinding", "whereabouts")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "whereabouts", "namespace": "kube-system"}]


def test_macvtap_device_plugin_config_from_the_masters(tmp_path: Path, kvnet) -> None:
    res, objs = build(tmp_path, kvnet, MACVTAP, "mv", dist="k0s")
    cm = named(objs, "ConfigMap", "macvtap-deviceplugin-config")
    conf = json.loads(cm["data"]["DP_MACVTAP_CONF"])
    assert conf == [{"capacity": 100, "lowerDevice": "eth2", "mode": "vepa", "name": "dataplane"},
                    {"capacity": 100, "lowerDevice": "eth1", "mode": "bridge", "name": "eth1"}]
    # every macvtap NAD asks for a resource the device plugin offers
    offered = {"macvtap.network.kubevirt.io/" + e["name"] for e in conf}
    for nad in (o for o in objs if o["kind"] == "NetworkAttachmentDefinition"):
        assert nad["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] in offered
    pod = named(objs, "DaemonSet", "macvtap-cni")["spec"]["template"]["spec"]
    paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
    assert paths == {"deviceplugin": "/var/lib/k0s/kubelet/device-plugins", "cnibin": "/opt/cni/bin"}
    assert {c["image"] for c in pod["containers"] + pod["initContainers"]} == {"quay.io/kubevirt/macvtap-cni:v0.13.1"}
    assert pod["initContainers"][0]["command"] == ["cp", "/macvtap-cni", "/host/opt/cni/bin/macvtap"]
    assert "KV261" not in res.err and "KV267" in res.err


def test_install_never_deploys_nothing_and_warns(tmp_path: Path, kvnet) -> None:
    res, objs = build(tmp_path, kvnet, POOL, "pool", cluster="    plugins: {install: never}\n")
    assert not [o for o in objs if "whereabouts" in o["metadata"]["name"]]
    assert "warning[KV261]" in res.err and "whereabouts" in res.err


def test_openshift_deploys_nothing(tmp_path: Path, kvnet) -> None:
    _, objs = build(tmp_path, kvnet, POOL + MACVTAP, "pool", dist="openshift")
    assert {o["kind"] for o in objs} == {"NetworkAttachmentDefinition", "VirtualMachine"}


def test_plan_without_them_gets_neither(tmp_path: Path, kvnet) -> None:
    _, objs = build(tmp_path, kvnet, "    - {name: lan, type: bridge, bridge: br0}\n", "lan")
    names = {o["metadata"]["name"] for o in objs}
    assert not names & {"whereabouts", "macvtap-cni", "macvtap-deviceplugin-config"}


def test_unpinned_plugin_image_is_an_error(tmp_path: Path, kvnet) -> None:
    cluster = "    plugins: {whereaboutsImage: 'ghcr.io/k8snetworkplumbingwg/whereabouts:latest'}\n"
    path = tmp_path / "kvnet.yaml"
    text = PLAN.format(dist="k3s", cluster=cluster, networks=POOL, net="pool")
    path.write_text(text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    row = next(i for i, line in enumerate(text.splitlines()) if "whereaboutsImage" in line)
    col = text.splitlines()[row].index("'ghcr.io") + 1  # a quoted scalar starts at its quote
    assert f"{path}:{row + 1}:{col}: error[KV263]" in res.err, res.err


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) is not installed")
def test_kubectl_kustomize_renders_them_in_an_overlay(tmp_path: Path, kvnet) -> None:
    res, objs = build(tmp_path, kvnet, POOL + MACVTAP, "pool")
    base = tmp_path / "base"
    base.mkdir()
    (base / "all.yaml").write_text(res.out)
    (base / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        "resources: [../base]\n"
        "labels: [{pairs: {env: lab}}]\n"
        "patches:\n"
        "  - target: {kind: DaemonSet, name: whereabouts}\n"
        "    patch: |-\n"
        "      - op: add\n"
        "        path: /spec/template/spec/nodeSelector\n"
        "        value: {kubernetes.io/os: linux}\n")
    out = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rendered = list(yaml.safe_load_all(out.stdout))
    want = {(o["kind"], o["metadata"]["name"]) for o in objs}
    assert {(o["kind"], o["metadata"]["name"]) for o in rendered} == want
    ds = named(rendered, "DaemonSet", "whereabouts")
    assert ds["spec"]["template"]["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert named(rendered, "ConfigMap", "macvtap-deviceplugin-config")["metadata"]["labels"]["env"] == "lab"


def _doctor_plan(tmp_path: Path, cluster: str) -> Path:
    plan = tmp_path / "plan" / "kvnet.yaml"
    plan.parent.mkdir()
    plan.write_text(PLAN.format(dist="k3s", cluster=cluster, networks=POOL, net="pool"))
    return plan


@pytest.mark.parametrize("cluster,want", [
    ("", "kvnet build {plan} | kubectl apply -f -"),
    ("    plugins: {install: never}\n",
     "set spec.cluster.plugins.install: auto in {plan}, then: kvnet build {plan} | kubectl apply -f -"),
])
def test_doctor_fix_for_whereabouts_is_kvnets_pinned_deployment(tmp_path: Path, kvnet, cluster: str,
                                                                 want: str) -> None:
    plan = _doctor_plan(tmp_path, cluster)
    root = tmp_path / "node"
    (root / "var/lib/rancher/k3s/data/cni").mkdir(parents=True)
    res = kvnet("doctor", "--root", str(root), "--plan", str(plan), "--format", "json")
    found = {f["subject"]: f for f in json.loads(res.out)["findings"] if f["check"] == "plugin"}
    assert found["whereabouts"]["fix"] == want.format(plan=plan)
