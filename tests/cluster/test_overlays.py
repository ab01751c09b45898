"""overlays/<dist>/: equal to what `kvnet overlay` writes, render with the real kubectl kustomize
over upstream Multus v4.3.0, and give the same DaemonSet as `kvnet build` (SPEC §3 Overlays)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import upstream
from cluster_helpers import (
    EXPECTED,
    MANIFEST_URL,
    MULTUS_IMAGE,
    OVERLAYS,
    REPO,
    UPSTREAM,
    cluster_for,
    container,
    docs,
    find,
    host_paths,
    images,
    one,
    plan,
    write_plan,
)

OVERLAY_DIR = REPO / "overlays"
UPSTREAM_THIN = UPSTREAM / "multus" / "multus-daemonset.yml"


def test_checked_in_overlays_are_exactly_the_expected_set() -> None:
    assert sorted(p.name for p in OVERLAY_DIR.iterdir() if p.is_dir()) == sorted(OVERLAYS)


@pytest.mark.parametrize("dist", OVERLAYS)
def test_checked_in_overlay_equals_command_output(kvnet, tmp_path: Path, dist: str) -> None:
    out = tmp_path / dist
    res = kvnet("overlay", dist, "-o", str(out))
    assert res.code == 0, res.err
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(p.name for p in (OVERLAY_DIR / dist).iterdir())
    for name in written:
        assert (out / name).read_bytes() == (OVERLAY_DIR / dist / name).read_bytes(), name


def test_overlay_refuses_openshift_and_unknown(kvnet, tmp_path: Path) -> None:
    res = kvnet("overlay", "openshift", "-o", str(tmp_path / "o"))
    assert res.code == 2 and "operator" in res.err
    assert not (tmp_path / "o").exists()
    res = kvnet("overlay", "nomad", "-o", str(tmp_path / "n"))
    assert res.code == 2 and "k3s-legacy" in res.err


@pytest.mark.parametrize("dist", OVERLAYS)
def test_overlay_references_pinned_upstream_release(dist: str) -> None:
    kust = yaml.safe_load((OVERLAY_DIR / dist / "kustomization.yaml").read_text())
    assert kust["resources"] == [MANIFEST_URL]
    text = "".join(p.read_text() for p in (OVERLAY_DIR / dist).iterdir())
    assert "snapshot" not in text
    assert "multus-daemonset.yml" in text and not (OVERLAY_DIR / dist / "multus-daemonset.yml").exists()


def render(dist: str, tmp_path: Path) -> list[dict[str, Any]]:
    """kubectl kustomize of the overlay with its remote base swapped for the local upstream copy."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not on PATH")
    upstream("multus/multus-daemonset.yml")
    work = tmp_path / "overlay"
    shutil.copytree(OVERLAY_DIR / dist, work)
    shutil.copyfile(UPSTREAM_THIN, work / "multus-daemonset.yml")
    kust_path = work / "kustomization.yaml"
    kust = kust_path.read_text()
    assert kust.count(MANIFEST_URL) == 1
    kust_path.write_text(kust.replace(MANIFEST_URL, "multus-daemonset.yml"))
    proc = subprocess.run([kubectl, "kustomize", str(work)], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return docs(proc.stdout)


@pytest.mark.parametrize("dist", OVERLAYS)
def test_overlay_renders_with_profile_patches(dist: str, tmp_path: Path) -> None:
    bin_dir, conf_dir = EXPECTED[dist]
    objs = render(dist, tmp_path)
    ds = one(objs, "DaemonSet", "kube-multus-ds")
    assert ds["metadata"]["namespace"] == "kube-system"
    assert host_paths(ds) == {"cni": conf_dir, "cnibin": bin_dir}
    args = container(ds, "kube-multus")["args"]
    assert f"--multus-kubeconfig-file-host={conf_dir}/multus.d/multus.kubeconfig" in args
    assert "--cleanup-config-on-exit=true" in args and "--multus-conf-file=auto" in args
    assert not any(a.startswith("--cni-version") for a in args)
    assert set(images(objs)) == {MULTUS_IMAGE}
    assert ds["spec"]["template"]["spec"]["priorityClassName"] == "system-node-critical"
    # the unused upstream ConfigMap (flannel delegate, /etc/cni/net.d kubeconfig) and its mount are gone
    assert find(objs, "ConfigMap") == []
    assert all(v["name"] != "multus-cfg" for v in ds["spec"]["template"]["spec"]["volumes"])
    assert all(m["name"] != "multus-cfg" for m in container(ds, "kube-multus")["volumeMounts"])
    one(objs, "CustomResourceDefinition", "network-attachment-definitions.k8s.cni.cncf.io")
    for kind in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding"):
        one(objs, kind, "multus")


@pytest.mark.parametrize("dist", OVERLAYS)
def test_build_equals_overlay(kvnet, dist: str, tmp_path: Path) -> None:
    rendered = render(dist, tmp_path)
    res = kvnet("build", str(write_plan(tmp_path / "plan", plan(cluster_for(dist)))))
    assert res.code == 0, res.err
    objs = docs(res.out)
    ours = one(objs, "DaemonSet", "kube-multus-ds")
    theirs = one(rendered, "DaemonSet", "kube-multus-ds")
    assert host_paths(ours) == host_paths(theirs) == dict(zip(("cnibin", "cni"), EXPECTED[dist], strict=False))
    assert container(ours, "kube-multus")["args"] == container(theirs, "kube-multus")["args"]
    assert ours["spec"] == theirs["spec"]  # the whole pod spec, not only the patched fields
    for kind, name in (("CustomResourceDefinition", "network-attachment-definitions.k8s.cni.cncf.io"),
                       ("ClusterRole", "multus"), ("ClusterRoleBinding", "multus")):
        a, b = one(objs, kind, name), one(rendered, kind, name)
        assert {k: v for k, v in a.items() if k != "metadata"} == {k: v for k, v in b.items() if k != "metadata"}
