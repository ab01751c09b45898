"""`kvnet doctor` on node trees built in tmp_path (SPEC §5)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_helpers import (
    BRIDGE_NET,
    MACVLAN_NET,
    MULTUS_THICK_IMAGE,
    STATIC_NET,
    STATIC_VM,
    cluster_for,
    docs,
    host_paths,
    one,
    plan,
    write_plan,
)

K3S = "var/lib/rancher/k3s"
BIN = f"{K3S}/data/cni"
CONF = f"{K3S}/agent/etc/cni/net.d"
HASH_BIN = f"/{K3S}/data/0123abcd/bin"  # k3s's real plugin dir (the symlink targets)
FLANNEL = '{"cniVersion":"1.0.0","name":"cbr0","plugins":[{"type":"flannel"},{"type":"portmap"}]}\n'


def exe(path: Path, text: str = "#!/bin/true\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def text_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def k3s_base(root: Path) -> None:
    """A k3s node: plugins are absolute symlinks into <dataDir>/data/<hash>/bin; flannel's conflist."""
    exe(root / HASH_BIN.lstrip("/") / "cni")
    for p in ("bandwidth", "bridge", "firewall", "flannel", "host-local", "loopback", "portmap"):
        link(root / BIN / p, f"{HASH_BIN}/cni")
    text_file(root / CONF / "10-flannel.conflist", FLANNEL)


def multus_conf(kubeconfig: str) -> str:
    return json.dumps({"cniVersion": "1.0.0", "name": "multus-cni-network", "plugins": [
        {"type": "multus", "kubeconfig": kubeconfig, "delegates": [{"name": "cbr0"}]}]})


def healthy_k3s(root: Path) -> None:
    k3s_base(root)
    exe(root / HASH_BIN.lstrip("/") / "static")
    link(root / BIN / "static", f"{HASH_BIN}/static")
    exe(root / HASH_BIN.lstrip("/") / "multus-real")
    link(root / BIN / "multus", f"{HASH_BIN}/multus-real")  # absolute, resolvable only under --root
    text_file(root / CONF / "00-multus.conflist", multus_conf(f"/{CONF}/multus.d/multus.kubeconfig"))
    text_file(root / CONF / "multus.d" / "multus.kubeconfig", "apiVersion: v1\nkind: Config\n")
    (root / "sys/class/net/br-lan/bridge").mkdir(parents=True)
    (root / "sys/class/net/br-lan/brif/eth1").mkdir(parents=True)  # its uplink port




def doctor(kvnet, root: Path, *args: str) -> tuple[int, dict]:
    res = kvnet("doctor", "--root", str(root), "--format", "json", *args)
    return res.code, json.loads(res.out)


def errors(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["check"], f["subject"]): f for f in report["findings"] if f["severity"] == "error"}


def test_field_case_reports_all_three_with_fixes(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    k3s_base(root)
    exe(root / "opt/cni/bin/multus")  # upstream's default path: k3s never looks there
    plan_file = write_plan(tmp_path / "plan", plan(cluster_for("k3s", "    plugins: {install: never}\n"),
                                                   BRIDGE_NET + MACVLAN_NET))
    (root / "sys/class/net/br-lan/bridge").mkdir(parents=True)
    (root / "sys/class/net/br-lan/brif/eth1").mkdir(parents=True)  # its uplink port
    code, rep = doctor(kvnet, root, "--plan", str(plan_file))
    assert code == 1
    assert rep["distribution"] == "k3s" and rep["distributionFrom"] == "plan" and not rep["healthy"]
    errs = errors(rep)
    assert set(errs) == {("multus-binary", "multus"), ("multus-conf", "00-multus.conf"), ("plugin", "macvlan")}
    multus = errs[("multus-binary", "multus")]
    assert "/var/lib/rancher/k3s/data/cni" in multus["message"] and "/opt/cni/bin" in multus["message"]
    assert multus["fix"] == f"kvnet build {plan_file} | kubectl apply -f -"
    conf = errs[("multus-conf", "00-multus.conf")]
    assert "/var/lib/rancher/k3s/agent/etc/cni/net.d" in conf["message"] and "10-flannel.conflist" in conf["message"]
    assert conf["fix"]
    macvlan = errs[("plugin", "macvlan")]
    assert "m1" in macvlan["message"]
    # plugins.install: never, so the fix cannot be kvnet's installer: the release tarball into the k3s bin dir
    assert macvlan["fix"].startswith("curl -fsSL https://github.com/containernetworking/plugins/releases/")
    assert macvlan["fix"].endswith("| tar -xz -C /var/lib/rancher/k3s/data/cni ./macvlan")


def test_field_case_text_output_and_overlay_fix_without_plan(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    k3s_base(root)
    exe(root / "opt/cni/bin/multus")
    res = kvnet("doctor", "--root", str(root))
    assert res.code == 1
    assert "k3s (detected)" in res.out
    assert "error[KV501]" in res.out and "error[KV504]" in res.out
    assert res.out.count("  fix: kvnet overlay k3s -o multus-k3s && kubectl apply -k multus-k3s") == 2
    assert res.out.rstrip().endswith("2 errors, 0 warnings")


def test_healthy_k3s_tree_exits_zero(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    assert not Path(HASH_BIN).exists()  # the symlinks only resolve under --root
    plan_file = write_plan(tmp_path / "plan", plan(cluster_for("k3s"), STATIC_NET, vms=STATIC_VM))
    code, rep = doctor(kvnet, root, "--plan", str(plan_file))
    assert code == 0, errors(rep)
    assert rep["healthy"] and errors(rep) == {}
    oks = {(f["check"], f["subject"]) for f in rep["findings"] if f["severity"] == "ok"}
    assert {("multus-binary", "multus"), ("plugin", "bridge"), ("plugin", "static"),
            ("multus-conf", "00-multus.conflist"), ("bridge", "br-lan"),
            ("kubeconfig", f"/{CONF}/multus.d/multus.kubeconfig")} <= oks
    res = kvnet("doctor", "--root", str(root), "--plan", str(plan_file))
    assert res.code == 0 and res.out.rstrip().endswith("healthy")


def test_missing_bridge_and_missing_plugin_found_elsewhere(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    shutil.rmtree(root / "sys/class/net/br-lan")
    exe(root / "opt/cni/bin/macvlan")
    plan_file = write_plan(tmp_path / "plan", plan(cluster_for("k3s"), BRIDGE_NET + MACVLAN_NET))
    code, rep = doctor(kvnet, root, "--plan", str(plan_file))
    assert code == 1
    errs = errors(rep)
    assert set(errs) == {("bridge", "br-lan"), ("plugin", "macvlan")}
    assert errs[("bridge", "br-lan")]["fix"].startswith(
        "ip link add name br-lan type bridge && ip link set br-lan up && ip link set <UPLINK> master br-lan")
    assert errs[("plugin", "macvlan")]["fix"] == "install -m 0755 /opt/cni/bin/macvlan /var/lib/rancher/k3s/data/cni/macvlan"


def test_conf_sorting_before_multus(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    text_file(root / CONF / "00-aaa.conf", '{"cniVersion":"1.0.0","name":"x","type":"bridge"}')
    code, rep = doctor(kvnet, root)
    assert code == 1
    err = errors(rep)[("multus-conf", "00-multus.conflist")]
    assert "00-aaa.conf sorts before 00-multus.conflist" in err["message"]
    assert err["fix"] == f"mv /{CONF}/00-aaa.conf /{CONF}/99-00-aaa.conf"


def test_kubeconfig_outside_conf_dir_is_field_failure_8(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    (root / CONF / "00-multus.conflist").write_text(multus_conf("/etc/cni/net.d/multus.d/multus.kubeconfig"))
    code, rep = doctor(kvnet, root)
    assert code == 1
    err = errors(rep)[("kubeconfig", "/etc/cni/net.d/multus.d/multus.kubeconfig")]
    assert f"--multus-kubeconfig-file-host=/{CONF}/multus.d/multus.kubeconfig" in err["message"]
    assert err["fix"].startswith("kvnet overlay k3s")


def test_invalidated_multus_conf_and_missing_kubeconfig(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    (root / CONF / "00-multus.conflist").write_text(
        "{Multus configuration intentionally invalidated to prevent pods from being scheduled.}\n")
    code, rep = doctor(kvnet, root)
    assert code == 1
    err = errors(rep)[("multus-conf", "00-multus.conflist")]
    assert "not a CNI config" in err["message"]
    assert err["fix"] == "kubectl -n kube-system rollout restart daemonset/kube-multus-ds"
    (root / CONF / "00-multus.conflist").write_text(multus_conf(f"/{CONF}/multus.d/multus.kubeconfig"))
    (root / CONF / "multus.d" / "multus.kubeconfig").unlink()
    code, rep = doctor(kvnet, root)
    assert code == 1
    assert set(errors(rep)) == {("kubeconfig", f"/{CONF}/multus.d/multus.kubeconfig")}


def test_dangling_and_non_executable_binaries(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    (root / HASH_BIN.lstrip("/") / "multus-real").unlink()
    code, rep = doctor(kvnet, root)
    assert code == 1
    assert "dangling symlink" in errors(rep)[("multus-binary", "multus")]["message"]
    exe(root / HASH_BIN.lstrip("/") / "multus-real")
    (root / HASH_BIN.lstrip("/") / "multus-real").chmod(0o644)
    code, rep = doctor(kvnet, root)
    assert errors(rep)[("multus-binary", "multus")]["fix"] == f"chmod 0755 {HASH_BIN}/multus-real"


def test_thick_needs_multus_shim(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    code, rep = doctor(kvnet, root, "--flavor", "thick")
    assert code == 1 and rep["flavor"] == "thick"
    assert ("multus-binary", "multus-shim") in errors(rep)
    exe(root / BIN / "multus-shim")
    code, rep = doctor(kvnet, root, "--flavor", "thick")
    assert code == 0, errors(rep)


def run_fix(fix: str, tmp_path: Path) -> tuple[list[dict], str]:
    """Run a suggested fix in bash, exactly as printed, with ``kvnet`` this checkout and a fake
    ``kubectl`` that records its arguments and stdin: (the objects it was given, its arguments)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    exe(bin_dir / "kvnet", f'#!/bin/sh\nexec {sys.executable} -m kvnet "$@"\n')
    exe(bin_dir / "kubectl", f'#!/bin/sh\necho "$@" > {tmp_path}/kubectl.args\ncat > {tmp_path}/kubectl.in\n')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(tmp_path)}
    done = subprocess.run(["bash", "-o", "pipefail", "-c", fix], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return docs((tmp_path / "kubectl.in").read_text()), (tmp_path / "kubectl.args").read_text().strip()


def assert_thick_multus(objs: list[dict], bin_dir: str, conf_dir: str) -> None:
    ds = one(objs, "DaemonSet", "kube-multus-ds")
    images = {c["image"] for c in ds["spec"]["template"]["spec"]["containers"]}
    assert images == {MULTUS_THICK_IMAGE}
    assert {bin_dir, conf_dir} <= set(host_paths(ds).values())
    daemon_config = json.loads(one(objs, "ConfigMap", "multus-daemon-config")["data"]["daemon-config.json"])
    assert daemon_config["binDir"] == bin_dir


@pytest.mark.parametrize("legacy", [False, True])
def test_thick_fix_without_plan_deploys_thick_multus(kvnet, tmp_path: Path, legacy: bool) -> None:
    """The overlays are thin only: the thick fix builds a minimal thick plan for the node's paths."""
    root = tmp_path / "node"
    bin_dir = f"/{K3S}/data/current/bin" if legacy else f"/{BIN}"
    (root / bin_dir.lstrip("/")).mkdir(parents=True)
    text_file(root / CONF / "10-flannel.conflist", FLANNEL)
    code, rep = doctor(kvnet, root, "--flavor", "thick")
    assert code == 1 and rep["binDir"] == bin_dir
    errs = errors(rep)
    fix = errs[("multus-binary", "multus-shim")]["fix"]
    assert errs[("multus-conf", "00-multus.conf")]["fix"] == fix
    assert "overlay" not in fix and fix.endswith("| kubectl apply -f -")
    objs, args = run_fix(fix, tmp_path)
    assert args == "apply -f -"
    assert_thick_multus(objs, bin_dir, f"/{CONF}")
    # thin is unchanged: the overlay
    _, rep = doctor(kvnet, root)
    overlay = "k3s-legacy" if legacy else "k3s"
    assert errors(rep)[("multus-binary", "multus")]["fix"] == (
        f"kvnet overlay {overlay} -o multus-{overlay} && kubectl apply -k multus-{overlay}")


def test_thick_fix_with_plan_references_it(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    healthy_k3s(root)
    plan_file = write_plan(tmp_path / "plan", plan(cluster_for("k3s"), STATIC_NET, vms=STATIC_VM))
    # the plan deploys thin Multus: the fix says what to set in it, then builds it
    code, rep = doctor(kvnet, root, "--plan", str(plan_file), "--flavor", "thick")
    assert code == 1
    fix = errors(rep)[("multus-binary", "multus-shim")]["fix"]
    build = f"kvnet build {plan_file} | kubectl apply -f -"
    assert fix == f"set spec.cluster.multus: {{flavor: thick}} in {plan_file}, then: {build}"
    # following it (the edit, then the command) deploys thick Multus with the k3s paths
    plan_file.write_text(plan(cluster_for("k3s", "    multus: {flavor: thick}\n"), STATIC_NET, vms=STATIC_VM))
    objs, _ = run_fix(build, tmp_path)
    assert_thick_multus(objs, f"/{BIN}", f"/{CONF}")
    code, rep = doctor(kvnet, root, "--plan", str(plan_file))
    assert code == 1 and rep["flavor"] == "thick"
    assert errors(rep)[("multus-binary", "multus-shim")]["fix"] == build
    # a plan without spec.cluster: the whole spec.cluster to add
    bare = write_plan(tmp_path / "bare", plan(None, STATIC_NET, vms=STATIC_VM))
    _, rep = doctor(kvnet, root, "--plan", str(bare), "--flavor", "thick")
    assert errors(rep)[("multus-binary", "multus-shim")]["fix"] == (
        f"set spec.cluster: {{distribution: k3s, multus: {{flavor: thick}}}} in {bare}, "
        f"then: kvnet build {bare} | kubectl apply -f -")
    # thin with the same plan is unchanged
    _, rep = doctor(kvnet, root, "--plan", str(plan_file), "--flavor", "thin")
    assert errors(rep) == {}


@pytest.mark.parametrize("marker,dist,bin_dir", [
    ("var/lib/rancher/rke2", "rke2", "/opt/cni/bin"),
    ("var/snap/microk8s", "microk8s", "/var/snap/microk8s/current/opt/cni/bin"),
    ("var/lib/k0s", "k0s", "/opt/cni/bin"),
])
def test_distribution_detected_under_root(kvnet, tmp_path: Path, marker: str, dist: str, bin_dir: str) -> None:
    (tmp_path / marker).mkdir(parents=True)
    code, rep = doctor(kvnet, tmp_path)
    assert code == 1  # an empty node is not healthy
    assert (rep["distribution"], rep["distributionFrom"], rep["binDir"]) == (dist, "detected", bin_dir)
    assert ("bin-dir", bin_dir) in errors(rep)


def test_k3s_legacy_bin_dir_detected(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    exe(root / K3S / "data/0123abcd/bin/multus")
    link(root / K3S / "data/current", f"/{K3S}/data/0123abcd")
    text_file(root / CONF / "00-multus.conf", json.dumps({"type": "multus", "name": "m", "cniVersion": "1.0.0"}))
    code, rep = doctor(kvnet, root, "--distribution", "k3s")
    assert rep["binDir"] == f"/{K3S}/data/current/bin"
    assert code == 0, errors(rep)


def test_option_wins_and_bad_root_is_usage(kvnet, tmp_path: Path) -> None:
    (tmp_path / "var/lib/rancher/k3s").mkdir(parents=True)
    _, rep = doctor(kvnet, tmp_path, "--distribution", "kind")
    assert (rep["distribution"], rep["distributionFrom"]) == ("kind", "option")
    res = kvnet("doctor", "--root", str(tmp_path / "nope"))
    assert res.code == 2


def test_unreadable_plan_is_reported(kvnet, tmp_path: Path) -> None:
    bad = write_plan(tmp_path / "plan", "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: x}\n"
                                        "spec: {networks: [{name: a, type: vxlan}]}\n")
    res = kvnet("doctor", "--root", str(tmp_path), "--plan", str(bad))
    assert res.code == 1 and res.out == "" and "KV104" in res.err


def test_symlink_loop_is_not_found(tmp_path: Path) -> None:
    from kvnet.doctor.rootfs import RootFS

    link(tmp_path / "a", "/b")
    link(tmp_path / "b", "/a")
    look = RootFS(str(tmp_path)).lookup("/a")
    assert not look.exists and "too many levels" in (look.problem or "")
    link(tmp_path / "x/rel", "../y/file")
    text_file(tmp_path / "y/file", "ok")
    assert RootFS(str(tmp_path)).lookup("/x/rel").resolved == "/y/file"
