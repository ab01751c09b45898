"""`kvnet build` of plans with spec.cluster: Multus, CRD, RBAC, installer, rule KV260 (SPEC §1, §3)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from testlib import upstream
from cluster_helpers import (
    BRIDGE_NET,
    EXAMPLES,
    EXPECTED,
    MACVLAN_NET,
    MULTUS_IMAGE,
    MULTUS_THICK_IMAGE,
    PLUGINS_IMAGE,
    STATIC_NET,
    STATIC_VM,
    cluster_for,
    container,
    docs,
    find,
    host_paths,
    images,
    mounts,
    one,
    plan,
    write_plan,
)


def build(kvnet, tmp_path: Path, text: str):
    write_plan(tmp_path, text)
    return kvnet("build", str(tmp_path))


def built(kvnet, tmp_path: Path, text: str) -> list[dict]:
    res = build(kvnet, tmp_path, text)
    assert res.code == 0, res.err
    return docs(res.out)


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_thin_daemonset_follows_profile(kvnet, tmp_path: Path, variant: str) -> None:
    bin_dir, conf_dir = EXPECTED[variant]
    objs = built(kvnet, tmp_path, plan(cluster_for(variant)))
    ds = one(objs, "DaemonSet", "kube-multus-ds")
    assert ds["metadata"]["namespace"] == "kube-system"
    assert host_paths(ds) == {"cni": conf_dir, "cnibin": bin_dir}
    main = container(ds, "kube-multus")
    assert main["args"] == [
        "--multus-conf-file=auto",
        "--multus-autoconfig-dir=/host/etc/cni/net.d",
        "--cni-conf-dir=/host/etc/cni/net.d",
        f"--multus-kubeconfig-file-host={conf_dir}/multus.d/multus.kubeconfig",
        "--cleanup-config-on-exit=true",
    ]
    assert not any(a.startswith("--cni-version") for a in main["args"])
    # upstream mount points in the container; the host side is the profile's
    assert mounts(main)["cni"]["mountPath"] == "/host/etc/cni/net.d"
    assert mounts(main)["cnibin"]["mountPath"] == "/host/opt/cni/bin"
    assert ds["spec"]["template"]["spec"]["priorityClassName"] == "system-node-critical"
    assert set(images([ds])) == {MULTUS_IMAGE}
    assert ds["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-2"
    assert ds["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kvnet"


@pytest.mark.parametrize("variant", ["k3s", "rke2", "kind"])
def test_cluster_objects_and_crd_names(kvnet, tmp_path: Path, variant: str) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for(variant)))
    crd = one(objs, "CustomResourceDefinition", "network-attachment-definitions.k8s.cni.cncf.io")
    spec = crd["spec"]
    assert spec["group"] == "k8s.cni.cncf.io"
    assert spec["names"]["plural"] == "network-attachment-definitions"
    assert spec["names"]["kind"] == "NetworkAttachmentDefinition"
    assert sorted(spec["names"]["shortNames"]) == ["nad", "net-attach-def"]
    assert [v["name"] for v in spec["versions"] if v["served"] and v["storage"]] == ["v1"]
    assert one(objs, "ServiceAccount", "multus")["metadata"]["namespace"] == "kube-system"
    one(objs, "ClusterRole", "multus")
    crb = one(objs, "ClusterRoleBinding", "multus")
    assert crb["subjects"] == [{"kind": "ServiceAccount", "name": "multus", "namespace": "kube-system"}]
    assert not any(":snapshot" in i for i in images(objs))
    kinds = [o["kind"] for o in objs]
    assert kinds.index("CustomResourceDefinition") < kinds.index("DaemonSet") < \
        kinds.index("NetworkAttachmentDefinition") < kinds.index("VirtualMachine")


def test_crd_and_rbac_equal_upstream(kvnet, tmp_path: Path) -> None:
    crd_file = upstream("multus/network-attachment-definitions.crd.yml")
    thin_file = upstream("multus/multus-daemonset.yml")
    objs = built(kvnet, tmp_path, plan(cluster_for("k3s")))
    upstream_crd = docs(crd_file.read_text())[0]
    assert one(objs, "CustomResourceDefinition", upstream_crd["metadata"]["name"])["spec"] == upstream_crd["spec"]
    thin = docs(thin_file.read_text())
    for kind in ("ClusterRole", "ClusterRoleBinding"):
        ours, theirs = one(objs, kind, "multus"), one(thin, kind, "multus")
        key = "rules" if kind == "ClusterRole" else "subjects"
        assert ours[key] == theirs[key]


def test_k3s_overrides_follow_data_dir_and_explicit_dirs(kvnet, tmp_path: Path) -> None:
    cl = "  cluster:\n    distribution: k3s\n    k3s: {dataDir: /srv/k3s}\n"
    ds = one(built(kvnet, tmp_path / "a", plan(cl)), "DaemonSet", "kube-multus-ds")
    assert host_paths(ds) == {"cni": "/srv/k3s/agent/etc/cni/net.d", "cnibin": "/srv/k3s/data/cni"}
    cl = "  cluster:\n    distribution: rke2\n    cniBinDir: /usr/libexec/cni/\n    cniConfDir: /etc/cni/custom\n"
    ds = one(built(kvnet, tmp_path / "b", plan(cl)), "DaemonSet", "kube-multus-ds")
    assert host_paths(ds) == {"cni": "/etc/cni/custom", "cnibin": "/usr/libexec/cni"}
    assert "--multus-kubeconfig-file-host=/etc/cni/custom/multus.d/multus.kubeconfig" in \
        container(ds, "kube-multus")["args"]


def test_k3s_macvlan_never_fails_naming_plugin_network_and_bin_dir(kvnet, tmp_path: Path) -> None:
    cl = cluster_for("k3s", "    plugins: {install: never}\n")
    res = build(kvnet, tmp_path, plan(cl, BRIDGE_NET + MACVLAN_NET))
    assert res.code == 1
    assert res.out == ""
    assert "error[KV260]" in res.err
    line = next(ln for ln in res.err.splitlines() if "KV260" in ln)
    assert "'macvlan'" in line and "'m1'" in line and "/var/lib/rancher/k3s/data/cni" in line
    assert "plugins.install" in res.err
    assert line.startswith(str(tmp_path / "kvnet.yaml") + ":")


def test_k3s_macvlan_auto_emits_installer(kvnet, tmp_path: Path) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for("k3s", "    plugins: {install: auto}\n"),
                                       BRIDGE_NET + MACVLAN_NET))
    ds = one(objs, "DaemonSet", "kvnet-cni-plugins")
    assert ds["metadata"]["namespace"] == "kube-system"
    assert host_paths(ds) == {"cnibin": "/var/lib/rancher/k3s/data/cni"}
    init = container(ds, "install-cni-plugins", init=True)
    assert init["image"] == PLUGINS_IMAGE
    env = {e["name"]: e["value"] for e in init["env"]}
    assert env["SKIP"].split() == ["flannel"]
    assert mounts(init)["cnibin"]["mountPath"] == env["DEST"]
    assert ds["spec"]["template"]["spec"]["priorityClassName"] == "system-node-critical"


def test_installer_only_when_needed_or_always(kvnet, tmp_path: Path) -> None:
    # k3s ships bridge: nothing to install under auto (the default)
    objs = built(kvnet, tmp_path / "a", plan(cluster_for("k3s")))
    assert find(objs, "DaemonSet", "kvnet-cni-plugins") == []
    # static IPAM is not on k3s: auto installs
    objs = built(kvnet, tmp_path / "b", plan(cluster_for("k3s"), STATIC_NET, vms=STATIC_VM))
    assert len(find(objs, "DaemonSet", "kvnet-cni-plugins")) == 1
    # always: even when nothing is missing
    objs = built(kvnet, tmp_path / "c", plan(cluster_for("microk8s", "    plugins: {install: always}\n")))
    assert host_paths(one(objs, "DaemonSet", "kvnet-cni-plugins")) == {
        "cnibin": "/var/snap/microk8s/current/opt/cni/bin"}
    # a custom plugins image is used as given
    objs = built(kvnet, tmp_path / "d", plan(cluster_for(
        "rke2", "    plugins: {install: always, image: registry.example/cni-plugins:v1.9.1}\n")))
    assert set(images(find(objs, "DaemonSet", "kvnet-cni-plugins"))) == {"registry.example/cni-plugins:v1.9.1"}


def test_openshift_gives_nads_and_vms_only(kvnet, tmp_path: Path) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for("openshift", "    multus: {deploy: true}\n"),
                                       BRIDGE_NET + MACVLAN_NET))
    assert sorted({o["kind"] for o in objs}) == ["NetworkAttachmentDefinition", "VirtualMachine"]


def test_multus_deploy_false_keeps_installer_rule(kvnet, tmp_path: Path) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for("k3s", "    multus: {deploy: false}\n"),
                                       BRIDGE_NET + MACVLAN_NET))
    assert find(objs, "DaemonSet", "kube-multus-ds") == []
    assert find(objs, "CustomResourceDefinition") == []
    assert len(find(objs, "DaemonSet", "kvnet-cni-plugins")) == 1


def test_operator_plugins_warn_with_operator_hint(kvnet, tmp_path: Path) -> None:
    sriov = "    - name: fast\n      type: sriov\n      resourceName: intel.com/sriov_netdevice\n"
    res = build(kvnet, tmp_path, plan(cluster_for("k3s"), BRIDGE_NET + sriov))
    assert res.code == 0, res.err
    assert "warning[KV261]" in res.err and "'sriov'" in res.err
    assert "SR-IOV Network Operator" in res.err
    assert find(docs(res.out), "DaemonSet", "kvnet-cni-plugins") == []


def test_thick_on_k3s_mounts_bin_dir_and_data_at_host_paths(kvnet, tmp_path: Path) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for("k3s", "    multus: {flavor: thick}\n")))
    ds = one(objs, "DaemonSet", "kube-multus-ds")
    paths = host_paths(ds)
    assert paths["cnibin"] == "/var/lib/rancher/k3s/data/cni"
    assert paths["cni"] == "/var/lib/rancher/k3s/agent/etc/cni/net.d"
    assert paths["k3s-data"] == "/var/lib/rancher/k3s/data"
    main = mounts(container(ds, "kube-multus"))
    assert main["cnibin"]["mountPath"] == "/var/lib/rancher/k3s/data/cni"
    assert main["k3s-data"]["mountPath"] == "/var/lib/rancher/k3s/data"
    assert main["k3s-data"]["readOnly"] is True
    assert not main["cnibin"].get("readOnly", False)
    init = container(ds, "install-multus-binary", init=True)
    assert init["command"][-2:] == ["-t", "thick"]
    assert init["command"][init["command"].index("-d") + 1] == mounts(init)["cnibin"]["mountPath"]
    assert set(images([ds])) == {MULTUS_THICK_IMAGE}
    assert ds["spec"]["template"]["spec"]["priorityClassName"] == "system-node-critical"
    cm = one(objs, "ConfigMap", "multus-daemon-config")
    cfg = json.loads(cm["data"]["daemon-config.json"])
    assert cfg["binDir"] == "/var/lib/rancher/k3s/data/cni"
    assert cfg["multusConfigFile"] == "auto"
    vols = {v["name"]: v for v in ds["spec"]["template"]["spec"]["volumes"]}
    assert vols["multus-daemon-config"]["configMap"]["name"] == "multus-daemon-config"
    pods = next(r for r in one(objs, "ClusterRole", "multus")["rules"] if "pods" in r["resources"])
    assert {"list", "watch"} <= set(pods["verbs"])


@pytest.mark.parametrize("variant,vol,path", [
    ("talos", "host-run-netns", "/var/run/netns"),
    ("k0s", "host-var-lib-kubelet", "/var/lib/k0s/kubelet"),
    ("rke2", "host-run-netns", "/run/netns"),
])
def test_thick_profile_paths(kvnet, tmp_path: Path, variant: str, vol: str, path: str) -> None:
    objs = built(kvnet, tmp_path, plan(cluster_for(variant, "    multus: {flavor: thick}\n")))
    ds = one(objs, "DaemonSet", "kube-multus-ds")
    assert host_paths(ds)[vol] == path
    assert "k3s-data" not in host_paths(ds)
    assert mounts(container(ds, "kube-multus"))["cnibin"]["mountPath"] == "/opt/cni/bin"


def test_two_plans_share_cluster_objects(kvnet, tmp_path: Path) -> None:
    write_plan(tmp_path, plan(cluster_for("k3s")), "a.yaml")
    other = plan(cluster_for("k3s"), BRIDGE_NET.replace("name: lan", "name: lan2"), name="other",
                 vms="  vms: []\n")
    write_plan(tmp_path, other, "b.yaml")
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err
    assert len(find(docs(res.out), "DaemonSet", "kube-multus-ds")) == 1


def test_two_thick_plans_share_daemon_config(kvnet, tmp_path: Path) -> None:
    thick = cluster_for("k3s", "    multus: {flavor: thick}\n")
    write_plan(tmp_path, plan(thick), "a.yaml")
    write_plan(tmp_path, plan(thick, BRIDGE_NET.replace("name: lan", "name: lan2"), name="other",
                              vms="  vms: []\n"), "b.yaml")
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err


def test_build_is_byte_identical(kvnet, tmp_path: Path) -> None:
    text = plan(cluster_for("k3s", "    multus: {flavor: thick}\n    plugins: {install: always}\n"))
    first = build(kvnet, tmp_path, text)
    second = build(kvnet, tmp_path, text)
    assert first.code == 0 and first.out == second.out


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_installer_script_copies_missing_and_keeps_existing(tmp_path: Path) -> None:
    from kvnet.expand.cluster.installer import INSTALL_SCRIPT

    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    dest.mkdir()
    for name in ("bridge", "macvlan", "flannel", "static"):
        (src / name).write_text(f"image {name}\n")
    # the distribution's own: a k3s-style absolute symlink that dangles inside the container
    os.symlink("/var/lib/rancher/k3s/data/0123abc/bin/cni", dest / "bridge")
    (dest / "static").write_text("node's own static\n")
    proc = subprocess.run(["sh", "-c", INSTALL_SCRIPT], check=False, env={"SRC": str(src), "DEST": str(dest), "SKIP": "flannel",
                                                             "PATH": os.environ["PATH"]},
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "macvlan").read_text() == "image macvlan\n"
    assert os.access(dest / "macvlan", os.X_OK)
    assert not (dest / "flannel").exists()
    assert os.readlink(dest / "bridge") == "/var/lib/rancher/k3s/data/0123abc/bin/cni"
    assert (dest / "static").read_text() == "node's own static\n"
    assert sorted(p.name for p in dest.iterdir()) == ["bridge", "macvlan", "static"]


def test_k3s_multus_example_emits_multus_and_installer(kvnet) -> None:
    res = kvnet("build", str(EXAMPLES / "k3s-multus"))
    assert res.code == 0 and res.err == "", res.err
    objs = docs(res.out)
    assert host_paths(one(objs, "DaemonSet", "kube-multus-ds"))["cnibin"] == EXPECTED["k3s"][0]
    assert host_paths(one(objs, "DaemonSet", "kvnet-cni-plugins")) == {"cnibin": EXPECTED["k3s"][0]}
