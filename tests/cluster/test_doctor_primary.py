"""kvnet doctor names the primary CNI and what it does to Multus, by cause: Cilium's cni.exclusive
(multus-cni#972, #1132; talos#10468; rke2#9040), a distribution's own pod network left on beside
another, a Multus config delegating to a replaced primary CNI. Conf dirs as the CNIs write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CILIUM = {"cniVersion": "0.3.1", "name": "cilium", "plugins": [{"type": "cilium-cni", "enable-debug": False}]}
FLANNEL = {"cniVersion": "1.0.0", "name": "cbr0", "plugins": [{"type": "flannel"}, {"type": "portmap"}]}
CALICO = {"cniVersion": "0.3.1", "name": "k8s-pod-network", "plugins": [{"type": "calico"}, {"type": "portmap"}]}
K3S_CONF = "var/lib/rancher/k3s/agent/etc/cni/net.d"


def multus(delegate: dict) -> dict:
    return {"cniVersion": "1.0.0", "name": "multus-cni-network", "plugins": [
        {"type": "multus", "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig", "delegates": [delegate]}]}


def conf_dir(tmp_path: Path, files: dict[str, object], conf: str = "etc/cni/net.d") -> Path:
    root = tmp_path / "node"
    d = root / conf
    (d / "multus.d").mkdir(parents=True)
    (d / "multus.d/multus.kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    (root / "opt/cni/bin").mkdir(parents=True)
    for name, data in files.items():
        (d / name).write_text(json.dumps(data))
    return root


def findings(kvnet, root: Path, dist: str = "generic") -> tuple[int, list[dict]]:
    res = kvnet("doctor", "--root", str(root), "--distribution", dist, "--format", "json")
    return res.code, json.loads(res.out)["findings"]


def by_code(found: list[dict]) -> dict[str, dict]:
    return {f["code"]: f for f in found if f["code"]}


def test_cilium_exclusive_is_named_as_the_cause_not_a_missing_file(kvnet, tmp_path: Path) -> None:
    root = conf_dir(tmp_path, {"05-cilium.conflist": CILIUM, "00-multus.conf.cilium_bak": multus(CILIUM)})
    code, found = findings(kvnet, root)
    codes = by_code(found)
    assert code == 1 and "KV504" not in codes  # the symptom is not reported
    f = codes["KV530"]
    assert "cni.exclusive" in f["message"] and "00-multus.conf.cilium_bak" in f["message"]
    assert "--set cni.exclusive=false" in f["fix"] and "rollout restart daemonset/kube-multus-ds" in f["fix"]


def test_cilium_primary_with_multus_in_place_warns_of_the_next_restart(kvnet, tmp_path: Path) -> None:
    root = conf_dir(tmp_path, {"05-cilium.conflist": CILIUM, "00-multus.conflist": multus(CILIUM)})
    code, found = findings(kvnet, root)
    assert by_code(found)["KV531"]["severity"] == "warning"
    assert "KV532" not in by_code(found)
    ok = [f for f in found if f["check"] == "primary-cni" and f["severity"] == "ok"]
    assert ok and ok[0]["message"] == "primary CNI: cilium (05-cilium.conflist)"


def test_cilium_primary_without_multus_warns_that_the_install_fix_will_not_last(kvnet, tmp_path: Path) -> None:
    """Multus not (yet) installed beside Cilium: KV504's fix installs a 00-multus config that
    cni.exclusive renames at Cilium's next restart, so KV531 comes with it (once: not beside KV530)."""
    code, found = findings(kvnet, conf_dir(tmp_path, {"05-cilium.conflist": CILIUM}))
    codes = by_code(found)
    assert code == 1 and "KV504" in codes and "KV530" not in codes
    assert "00-multus.conf to 00-multus.conf.cilium_bak" in codes["KV531"]["message"]
    assert "--set cni.exclusive=false" in codes["KV531"]["fix"]
    renamed = conf_dir(tmp_path / "bak", {"05-cilium.conflist": CILIUM, "00-multus.conf.cilium_bak": multus(CILIUM)})
    assert "KV531" not in by_code(findings(kvnet, renamed)[1])


def test_multus_delegating_to_a_replaced_primary(kvnet, tmp_path: Path) -> None:
    root = conf_dir(tmp_path, {"10-calico.conflist": CALICO, "00-multus.conflist": multus(FLANNEL)})
    f = by_code(findings(kvnet, root)[1])["KV532"]
    assert "'cbr0'" in f["message"] and "10-calico.conflist (calico" in f["message"]
    assert f["fix"] == "kubectl -n kube-system rollout restart daemonset/kube-multus-ds"


@pytest.mark.parametrize("dist,conf,extra,shipped,how", [
    ("k3s", K3S_CONF, {"10-calico.conflist": CALICO}, "flannel", "--flannel-backend=none"),
    ("rke2", "etc/cni/net.d", {"05-cilium.conflist": CILIUM}, "canal", "/etc/rancher/rke2/config.yaml"),
    ("talos", "etc/cni/net.d", {"05-cilium.conflist": CILIUM}, "flannel", "cluster.network.cni.name"),
])
def test_the_distributions_own_cni_left_on(kvnet, tmp_path: Path, dist: str, conf: str, extra: dict,
                                           shipped: str, how: str) -> None:
    own = {"10-flannel.conflist": FLANNEL} if shipped == "flannel" else {
        "10-canal.conflist": {**CALICO, "name": "k8s-pod-network"}}
    root = conf_dir(tmp_path, {**own, **extra}, conf)
    f = by_code(findings(kvnet, root, dist)[1])["KV533"]
    assert f"{dist}'s own {shipped} is still on" in f["message"] and how in f["fix"]


def test_a_single_primary_is_only_reported_ok(kvnet, tmp_path: Path) -> None:
    root = conf_dir(tmp_path, {"10-flannel.conflist": FLANNEL, "00-multus.conflist": multus(FLANNEL)})
    found = findings(kvnet, root)[1]
    assert not [f for f in found if f["check"] == "primary-cni" and f["severity"] != "ok"]
