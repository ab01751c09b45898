"""Distribution profiles: where each Kubernetes distribution keeps CNI plugins and configs.

One table, read by the Multus/plugin expansion, the plugin-availability rule,
the overlays and ``kvnet doctor``. Values per SPEC §3 "Profiles".
"""

from __future__ import annotations

from kvnet.record import dataclass, replace
from typing import Any

from kvnet import about

REFERENCE_PLUGINS: tuple[str, ...] = (
    "bandwidth", "bridge", "dhcp", "dummy", "firewall", "host-device", "host-local", "ipvlan",
    "loopback", "macvlan", "portmap", "ptp", "sbr", "static", "tap", "tuning", "vlan", "vrf",
)

K3S_DEFAULT_DATA_DIR = "/var/lib/rancher/k3s"

# Pinned images (never the floating ``:snapshot`` tags of the upstream manifests).
MULTUS_VERSION = about.MULTUS_VERSION
MULTUS_REPOSITORY = "ghcr.io/k8snetworkplumbingwg/multus-cni"
MULTUS_IMAGES: dict[str, str] = {
    "thin": f"{MULTUS_REPOSITORY}:{MULTUS_VERSION}",
    "thick": f"{MULTUS_REPOSITORY}:{MULTUS_VERSION}-thick",
}
# The node-side binary each Multus flavor puts into the CNI bin dir.
MULTUS_BINARIES: dict[str, str] = {"thin": "multus", "thick": "multus-shim"}
# The upstream thin manifest the kustomize overlays patch.
MULTUS_MANIFEST_URL = (f"https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/{MULTUS_VERSION}"
                       "/deployments/multus-daemonset.yml")
PLUGINS_IMAGE = "rancher/hardened-cni-plugins:v1.9.1-build20260819"
CNI_PLUGINS_VERSION = "v1.9.1"  # the containernetworking/plugins release in PLUGINS_IMAGE
PLUGINS_IMAGE_DIR = "/opt/cni/bin"  # where the plugins image keeps the reference plugins
PLUGINS_NEVER_INSTALLED: tuple[str, ...] = ("flannel",)  # the distribution's own pod network
# Plugins with their own node daemon that kvnet deploys when a plan uses them (SPEC §9).
WHEREABOUTS_IMAGE = "ghcr.io/k8snetworkplumbingwg/whereabouts:v0.9.4"
MACVTAP_IMAGE = "quay.io/kubevirt/macvtap-cni:v0.13.1"
DEPLOYABLE_PLUGINS: tuple[str, ...] = ("macvtap", "whereabouts")
# multus-dynamic-networks-controller: in-place NIC hot-plug with thick Multus (spec.cluster.multus.hotplug)
DYNAMIC_NETWORKS_IMAGE = "ghcr.io/k8snetworkplumbingwg/multus-dynamic-networks-controller:v0.3.7"
CONTAINERD_SOCKET = "/run/containerd/containerd.sock"
K3S_CONTAINERD_SOCKET = "/run/k3s/containerd/containerd.sock"  # k3s and rke2 run their own containerd
# ovs-cni (plugin and marker): kvnet does not deploy it; its example manifest floats on :latest.
OVS_CNI_MANIFEST = "https://raw.githubusercontent.com/k8snetworkplumbingwg/ovs-cni/v0.39.0/examples/ovs-cni.yml"
OVS_CNI_IMAGE = "ghcr.io/k8snetworkplumbingwg/ovs-cni-plugin:v0.39.0"
# The node-network DaemonSet (nodeNetwork netplan|networkd) needs only sh, cp and nsenter.
NODE_NETWORK_IMAGE = "docker.io/library/busybox:1.36.1"


@dataclass(frozen=True)
class Profile:
    distribution: str
    bin_dir: str
    conf_dir: str
    plugins: tuple[str, ...]  # plugins the distribution already ships in bin_dir
    kubelet_root: str = "/var/lib/kubelet"
    netns_dir: str = "/run/netns"
    deploy_multus: bool = True  # openshift: Multus is operator-managed
    k3s_data_dir: str | None = None  # k3s only: plugin entries are absolute symlinks into <dataDir>/data
    markers: tuple[str, ...] = ()  # paths whose presence on a node suggests the distribution (kvnet doctor)
    cri_socket: str = CONTAINERD_SOCKET  # the CRI runtime's socket (multus-dynamic-networks-controller)

    @property
    def multus_kubeconfig(self) -> str:
        return f"{self.conf_dir}/multus.d/multus.kubeconfig"

    @property
    def whereabouts_config(self) -> str:
        return f"{self.conf_dir}/whereabouts.d/whereabouts.conf"

    @property
    def whereabouts_kubeconfig(self) -> str:
        """The kubeconfig whereabouts' install script writes beside its flat file (whereabouts
        doc/extended-configuration.md: ``"kubernetes": {"kubeconfig": ".../whereabouts.d/whereabouts.kubeconfig"}``)."""
        return f"{self.conf_dir}/whereabouts.d/whereabouts.kubeconfig"

    @property
    def device_plugins_dir(self) -> str:
        """The kubelet's device-plugin socket dir (macvtap-cni's device plugin registers there)."""
        return f"{self.kubelet_root}/device-plugins"


_GENERIC = ("/opt/cni/bin", "/etc/cni/net.d")

PROFILES: dict[str, Profile] = {
    "k3s": Profile("k3s", f"{K3S_DEFAULT_DATA_DIR}/data/cni", f"{K3S_DEFAULT_DATA_DIR}/agent/etc/cni/net.d",
                   ("bandwidth", "bridge", "firewall", "flannel", "host-local", "loopback", "portmap"),
                   k3s_data_dir=K3S_DEFAULT_DATA_DIR, markers=(K3S_DEFAULT_DATA_DIR,),
                   cri_socket=K3S_CONTAINERD_SOCKET),
    "rke2": Profile("rke2", *_GENERIC, (), markers=("/var/lib/rancher/rke2",), cri_socket=K3S_CONTAINERD_SOCKET),
    "k0s": Profile("k0s", *_GENERIC, (), kubelet_root="/var/lib/k0s/kubelet", markers=("/var/lib/k0s",),
                   cri_socket="/run/k0s/containerd.sock"),
    "talos": Profile("talos", *_GENERIC, (), netns_dir="/var/run/netns", markers=("/system/state",)),
    "kubeadm": Profile("kubeadm", *_GENERIC, ()),
    "generic": Profile("generic", *_GENERIC, ()),
    "kind": Profile("kind", *_GENERIC, ("host-local", "ptp", "portmap", "loopback")),
    "microk8s": Profile("microk8s", "/var/snap/microk8s/current/opt/cni/bin",
                        "/var/snap/microk8s/current/args/cni-network", REFERENCE_PLUGINS,
                        kubelet_root="/var/snap/microk8s/common/var/lib/kubelet",
                        markers=("/var/snap/microk8s",), cri_socket="/var/snap/microk8s/common/run/containerd.sock"),
    "openshift": Profile("openshift", "/var/lib/cni/bin", "/etc/kubernetes/cni/net.d", REFERENCE_PLUGINS,
                         deploy_multus=False, cri_socket="/var/run/crio/crio.sock"),
}

DISTRIBUTIONS: tuple[str, ...] = tuple(PROFILES)

# The pod network a distribution ships and turns on by default, and how to turn it off (its own
# docs: k3s --flannel-backend, rke2 'cni', Talos cluster.network.cni, k0s spec.network.provider,
# kind networking.disableDefaultCNI, MicroK8s 'disable calico'); kvnet doctor names it as the
# cause when its config sits beside another primary CNI's.
SHIPPED_CNI: dict[str, tuple[str, str]] = {
    "k3s": ("flannel", "start k3s with --flannel-backend=none --disable-network-policy"),
    "rke2": ("canal", "set 'cni: <your CNI>' in /etc/rancher/rke2/config.yaml and restart rke2-server/agent"),
    "talos": ("flannel", "set cluster.network.cni.name: none (or custom) in the machine config"),
    "k0s": ("kube-router", "set spec.network.provider: custom in k0s.yaml"),
    "kind": ("kindnet", "create the cluster with networking.disableDefaultCNI: true"),
    "microk8s": ("calico", "microk8s disable calico (or install your CNI through microk8s's addons)"),
}

# Named variants of a profile for ``kvnet overlay``: name -> a spec.cluster that resolves to it.
OVERLAY_VARIANTS: dict[str, dict[str, Any]] = {
    **{d: {"distribution": d} for d in DISTRIBUTIONS if PROFILES[d].deploy_multus},
    "k3s-legacy": {"distribution": "k3s", "k3s": {"legacyBinDir": True}},
}


def resolve(cluster: dict[str, Any] | None, distribution: str | None = None) -> Profile:
    """The profile of ``cluster`` (a plan's spec.cluster) with its overrides applied.

    ``distribution`` (e.g. from the command line) wins over the plan's.
    """
    cluster = cluster or {}
    dist = distribution or cluster.get("distribution") or "generic"
    prof = PROFILES[dist]
    if dist == "k3s":
        k3s = cluster.get("k3s") or {}
        data_dir = (k3s.get("dataDir") or K3S_DEFAULT_DATA_DIR).rstrip("/") or "/"
        legacy = bool(k3s.get("legacyBinDir"))
        bin_dir = f"{data_dir}/data/current/bin" if legacy else f"{data_dir}/data/cni"
        prof = replace(prof, bin_dir=bin_dir, conf_dir=f"{data_dir}/agent/etc/cni/net.d", k3s_data_dir=data_dir)
    if cluster.get("cniBinDir"):
        prof = replace(prof, bin_dir=cluster["cniBinDir"].rstrip("/") or "/")
    if cluster.get("cniConfDir"):
        prof = replace(prof, conf_dir=cluster["cniConfDir"].rstrip("/") or "/")
    if cluster.get("criSocket"):
        prof = replace(prof, cri_socket=cluster["criSocket"])
    return prof
