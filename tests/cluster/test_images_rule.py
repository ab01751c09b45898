"""Node-side images must be pinned and match the Multus flavor."""

from __future__ import annotations

from pathlib import Path

import pytest

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  cluster:
    distribution: {dist}
{extra}  networks:
    - {{name: lan, type: bridge, bridge: br0}}
  vms:
    - {{name: a, image: img, interfaces: [{{network: lan}}]}}
"""


def build(tmp_path: Path, kvnet, extra: str, dist: str = "k3s"):
    (tmp_path / "kvnet.yaml").write_text(PLAN.format(dist=dist, extra=extra))
    return kvnet("build", str(tmp_path / "kvnet.yaml"))


@pytest.mark.parametrize("image,why", [
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot", "floating tag :snapshot"),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick", "floating tag :snapshot-thick"),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:latest", "floating tag :latest"),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni", "has no tag"),
    ("localhost:5000/multus-cni", "has no tag"),
])
def test_unpinned_multus_image_fails(tmp_path: Path, kvnet, image: str, why: str) -> None:
    res = build(tmp_path, kvnet, f"    multus: {{image: '{image}'}}\n")
    assert res.code == 1 and res.out == ""
    assert f"{tmp_path / 'kvnet.yaml'}:7:21: error[KV263]" in res.err and why in res.err


def test_unpinned_plugins_image_fails(tmp_path: Path, kvnet) -> None:
    res = build(tmp_path, kvnet, "    plugins: {install: always, image: rancher/hardened-cni-plugins:snapshot}\n")
    assert res.code == 1 and "error[KV263]: spec.cluster.plugins.image" in res.err


@pytest.mark.parametrize("image", ["ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0",
                                   "localhost:5000/multus-cni:v4.3.0",
                                   "ghcr.io/k8snetworkplumbingwg/multus-cni@sha256:" + "a" * 64])
def test_pinned_images_pass(tmp_path: Path, kvnet, image: str) -> None:
    res = build(tmp_path, kvnet, f"    multus: {{image: '{image}'}}\n")
    assert res.code == 0, res.err
    assert f"image: {image}" in res.out


def test_thick_flavor_with_thin_image_warns(tmp_path: Path, kvnet) -> None:
    res = build(tmp_path, kvnet, "    multus: {flavor: thick, image: 'ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0'}\n")
    assert res.code == 0 and "warning[KV264]" in res.err and res.out


def test_openshift_deploy_true_warns(tmp_path: Path, kvnet) -> None:
    res = build(tmp_path, kvnet, "    multus: {deploy: true}\n", dist="openshift")
    assert res.code == 0 and "warning[KV262]: multus.deploy: true is ignored on openshift" in res.err
    assert "kube-multus-ds" not in res.out
