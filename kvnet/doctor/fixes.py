"""The commands ``kvnet doctor`` proposes."""

from __future__ import annotations

import platform
import shlex

from kvnet.doctor.needs import Needs
from kvnet.profiles import CNI_PLUGINS_VERSION, Profile

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
         "s390x": "s390x", "ppc64le": "ppc64le", "riscv64": "riscv64"}


def q(path: str) -> str:
    return shlex.quote(path)


def deploy_multus(profile: Profile, needs: Needs) -> str:
    """Redeploy Multus with the profile's paths."""
    if not profile.deploy_multus:
        return "oc -n openshift-multus rollout restart daemonset/multus"
    if needs.plan_path and needs.cluster is not None:
        return f"kvnet build {q(needs.plan_path)} | kubectl apply -f -"
    from kvnet.overlays import overlay_names, overlay_profile

    for name in overlay_names():
        if overlay_profile(name) == profile:
            return f"kvnet overlay {name} -o multus-{name} && kubectl apply -k multus-{name}"
    return (f"kvnet build kvnet.yaml | kubectl apply -f -   # with spec.cluster: {{distribution: "
            f"{profile.distribution}, cniBinDir: {profile.bin_dir}, cniConfDir: {profile.conf_dir}}}")


def restart_multus(profile: Profile) -> str:
    if not profile.deploy_multus:
        return "oc -n openshift-multus rollout restart daemonset/multus"
    return "kubectl -n kube-system rollout restart daemonset/kube-multus-ds"


def copy_plugin(src: str, profile: Profile, plugin: str) -> str:
    return f"install -m 0755 {q(src)} {q(profile.bin_dir + '/' + plugin)}"


def install_plugin(profile: Profile, plugin: str, needs: Needs) -> str:
    """A reference plugin missing everywhere: kvnet's installer if the plan deploys it, else the release tarball."""
    cluster = needs.cluster
    if needs.plan_path and cluster is not None and (cluster.get("plugins") or {}).get("install", "auto") != "never":
        return f"kvnet build {q(needs.plan_path)} | kubectl apply -f -"
    arch = _ARCH.get(platform.machine().lower(), "amd64")
    ver = CNI_PLUGINS_VERSION
    url = (f"https://github.com/containernetworking/plugins/releases/download/{ver}/"
           f"cni-plugins-linux-{arch}-{ver}.tgz")
    return f"curl -fsSL {url} | tar -xz -C {q(profile.bin_dir)} ./{plugin}"


def make_bridge(name: str) -> str:
    return f"ip link add name {q(name)} type bridge && ip link set {q(name)} up"


# How the plugins kvnet cannot install arrive (their upstream install instructions).
OPERATOR_INSTALL: dict[str, str] = {
    "whereabouts": ("kubectl apply -f https://raw.githubusercontent.com/k8snetworkplumbingwg/whereabouts/master/doc/crds/"
                    "daemonset-install.yaml -f https://raw.githubusercontent.com/k8snetworkplumbingwg/whereabouts/"
                    "master/doc/crds/whereabouts.cni.cncf.io_ippools.yaml -f https://raw.githubusercontent.com/"
                    "k8snetworkplumbingwg/whereabouts/master/doc/crds/"
                    "whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml"),
    "macvtap": "kubectl apply -k https://github.com/kubevirt/macvtap-cni/config/default",
    "sriov": ("helm install -n sriov-network-operator --create-namespace sriov-network-operator "
              "oci://ghcr.io/k8snetworkplumbingwg/sriov-network-operator-chart"),
}
