"""Shared pieces of the cluster tests: plans with spec.cluster, the expected profile
table restated from SPEC §3 (independently of kvnet/profiles.py), object lookups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Not imported from the top-level conftest: other test folders have their own ``conftest`` module.
REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO.parent / "shared" / "upstream"
EXAMPLES = REPO / "examples"

K3S_CONF = "/var/lib/rancher/k3s/agent/etc/cni/net.d"
# distribution (or overlay variant) -> (CNI bin dir, CNI conf dir), per SPEC §3 "Profiles".
EXPECTED: dict[str, tuple[str, str]] = {
    "k3s": ("/var/lib/rancher/k3s/data/cni", K3S_CONF),
    "k3s-legacy": ("/var/lib/rancher/k3s/data/current/bin", K3S_CONF),
    "rke2": ("/opt/cni/bin", "/etc/cni/net.d"),
    "k0s": ("/opt/cni/bin", "/etc/cni/net.d"),
    "talos": ("/opt/cni/bin", "/etc/cni/net.d"),
    "kubeadm": ("/opt/cni/bin", "/etc/cni/net.d"),
    "generic": ("/opt/cni/bin", "/etc/cni/net.d"),
    "kind": ("/opt/cni/bin", "/etc/cni/net.d"),
    "microk8s": ("/var/snap/microk8s/current/opt/cni/bin", "/var/snap/microk8s/current/args/cni-network"),
}
OVERLAYS = ("k0s", "k3s", "k3s-legacy", "microk8s", "rke2", "talos")
MULTUS_IMAGE = "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0"
MULTUS_THICK_IMAGE = "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick"
PLUGINS_IMAGE = "rancher/hardened-cni-plugins:v1.9.1-build20260819"
MANIFEST_URL = ("https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/v4.3.0/deployments/"
                "multus-daemonset.yml")

BRIDGE_NET = """\
    - name: lan
      type: bridge
      bridge: br-lan
"""
MACVLAN_NET = """\
    - name: m1
      type: macvlan
      master: eth0
"""
VM = """\
  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - network: default
        - network: lan
"""
STATIC_NET = BRIDGE_NET + """\
      subnet: 192.168.1.0/24
      ipam: static
"""
STATIC_VM = VM + "          address: 192.168.1.20/24\n"


def cluster_for(variant: str, extra: str = "") -> str:
    """A spec.cluster block (indented for spec:) for a distribution or overlay variant."""
    if variant == "k3s-legacy":
        text = "    distribution: k3s\n    k3s: {legacyBinDir: true}\n"
    else:
        text = f"    distribution: {variant}\n"
    return "  cluster:\n" + text + extra


def plan(cluster: str | None, networks: str = BRIDGE_NET, name: str = "lab", vms: str = VM) -> str:
    return ("apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\n"
            f"metadata:\n  name: {name}\n  namespace: vms\n"
            "spec:\n" + (cluster or "") + "  networks:\n" + networks + vms)


def write_plan(directory: Path, text: str, name: str = "kvnet.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def find(objs: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


def one(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = find(objs, kind, name)
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def host_paths(ds: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["hostPath"]["path"] for v in ds["spec"]["template"]["spec"]["volumes"] if "hostPath" in v}


def container(ds: dict[str, Any], name: str, init: bool = False) -> dict[str, Any]:
    key = "initContainers" if init else "containers"
    return next(c for c in ds["spec"]["template"]["spec"][key] if c["name"] == name)


def mounts(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in c.get("volumeMounts", [])}


def images(objs: list[dict[str, Any]]) -> list[str]:
    out = []
    for o in objs:
        if o["kind"] == "DaemonSet":
            pod = o["spec"]["template"]["spec"]
            out.extend(c["image"] for c in pod.get("containers", []) + pod.get("initContainers", []))
    return out
