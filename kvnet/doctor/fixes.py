"""The commands ``kvnet doctor`` proposes."""

from __future__ import annotations

import platform
import shlex
from typing import Any

import yaml

from kvnet.doctor.needs import Needs, flavor_of
from kvnet.overlays import overlay_names, overlay_profile
from kvnet.profiles import CNI_PLUGINS_VERSION, K3S_DEFAULT_DATA_DIR, OVS_CNI_IMAGE, OVS_CNI_MANIFEST, Profile, resolve

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
         "s390x": "s390x", "ppc64le": "ppc64le", "riscv64": "riscv64"}


def q(path: str) -> str:
    return shlex.quote(path)


def deploy_multus(profile: Profile, needs: Needs, flavor: str = "thin") -> str:
    """Redeploy Multus (of ``flavor``) with the profile's paths."""
    if not profile.deploy_multus:
        return "oc -n openshift-multus rollout restart daemonset/multus"
    if flavor == "thick":
        return _deploy_thick(profile, needs)
    if needs.plan_path and needs.cluster is not None:
        return f"kvnet build {q(needs.plan_path)} | kubectl apply -f -"
    for name in overlay_names():
        if overlay_profile(name) == profile:
            return f"kvnet overlay {name} -o multus-{name} && kubectl apply -k multus-{name}"
    return (f"kvnet build kvnet.yaml | kubectl apply -f -   # with spec.cluster: {{distribution: "
            f"{profile.distribution}, cniBinDir: {profile.bin_dir}, cniConfDir: {profile.conf_dir}}}")


def cluster_spec(profile: Profile) -> dict[str, Any]:
    """A spec.cluster that resolves to ``profile``'s CNI dirs (distribution, then overrides)."""
    spec: dict[str, Any] = {"distribution": profile.distribution}
    if profile.distribution == "k3s":
        k3s: dict[str, Any] = {}
        if profile.k3s_data_dir and profile.k3s_data_dir != K3S_DEFAULT_DATA_DIR:
            k3s["dataDir"] = profile.k3s_data_dir
        if profile.bin_dir == f"{profile.k3s_data_dir}/data/current/bin":
            k3s["legacyBinDir"] = True
        if k3s:
            spec["k3s"] = k3s
    base = resolve(spec)
    if base.bin_dir != profile.bin_dir:
        spec["cniBinDir"] = profile.bin_dir
    if base.conf_dir != profile.conf_dir:
        spec["cniConfDir"] = profile.conf_dir
    return spec


def _flow(data: Any) -> str:
    """``data`` as one line of flow-style YAML (quoted where YAML needs it)."""
    return str(yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=1 << 30)).strip()


def _same_dirs(cluster: dict[str, Any], profile: Profile) -> bool:
    if cluster.get("distribution", "generic") != profile.distribution:
        return False
    got = resolve(cluster)
    return (got.bin_dir, got.conf_dir) == (profile.bin_dir, profile.conf_dir)


def _deploy_thick(profile: Profile, needs: Needs) -> str:
    """Thick Multus with the profile's paths. The overlays are thin only, so the command
    is always a ``kvnet build`` of a plan whose spec.cluster asks for thick: the --plan
    when it does (or after the edit named), else a minimal plan written to a temp file."""
    cluster = needs.cluster
    thick = {"flavor": "thick"}
    if needs.plan_path:
        build = f"kvnet build {q(needs.plan_path)} | kubectl apply -f -"
        if cluster is not None and _same_dirs(cluster, profile):
            multus = cluster.get("multus") or {}
            if flavor_of(cluster) == "thick" and multus.get("deploy", True) is not False:
                return build
            return f"set spec.cluster.multus: {_flow(thick)} in {needs.plan_path}, then: {build}"
        spec = {**cluster_spec(profile), "multus": thick}
        return f"set spec.cluster: {_flow(spec)} in {needs.plan_path}, then: {build}"
    spec = {"cluster": {**cluster_spec(profile), "multus": thick}}
    lines = ["apiVersion: kvnet.dev/v1alpha1", "kind: NetworkPlan", "metadata: {name: multus}", f"spec: {_flow(spec)}"]
    return (f"f=$(mktemp) && printf '%s\\n' {' '.join(q(line) for line in lines)} >\"$f\" && "
            f"kvnet build \"$f\" | kubectl apply -f -")


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


UPLINK_PLACEHOLDER = "<UPLINK>"


def enslave(bridge: str, uplink: str | None, vlans: list[int] | None = None) -> str:
    """Make ``uplink`` a port of ``bridge`` (iproute2), a tagged member of ``vlans``; a placeholder
    when the plan names none."""
    nic = q(uplink) if uplink else UPLINK_PLACEHOLDER
    cmd = f"ip link set {nic} master {q(bridge)} && ip link set {nic} up"
    if vlans:
        cmd += f" && {add_vlans(uplink, vlans)}"
    if not uplink:
        cmd += (f"   # {UPLINK_PLACEHOLDER}: the node NIC on the segment; set 'uplink:' on the network in "
                "the plan to have it named")
    return cmd


def _runs(ids: list[int]) -> list[str]:
    """VLAN IDs as ``bridge vlan`` vid arguments, consecutive IDs as one range (``100-105``)."""
    runs: list[list[int]] = []
    for vid in sorted(set(ids)):
        if runs and runs[-1][1] == vid - 1:
            runs[-1][1] = vid
        else:
            runs.append([vid, vid])
    return [str(a) if a == b else f"{a}-{b}" for a, b in runs]


def add_vlans(uplink: str | None, ids: list[int]) -> str:
    """Make ``uplink`` a tagged member of each VLAN (iproute2 ``bridge vlan add``; re-adding an
    untagged VLAN without ``untagged`` makes it tagged)."""
    nic = q(uplink) if uplink else UPLINK_PLACEHOLDER
    return " && ".join(f"bridge vlan add dev {nic} vid {run}" for run in _runs(ids))


def filter_vlans(bridge: str, uplink: str | None, ids: list[int]) -> str:
    """Turn VLAN filtering on for an existing bridge and trunk the VLANs on its uplink."""
    return f"ip link set {q(bridge)} type bridge vlan_filtering 1 && {add_vlans(uplink, ids)}"


def make_bridge(name: str, uplink: str | None = None, vlans: list[int] | None = None) -> str:
    """Create the bridge with its uplink enslaved (a bridge without one passes no traffic beyond
    the node); for VLAN networks a filtering bridge whose uplink trunks their VLAN IDs (never an
    unfiltered one: the bridge plugin filters only bridges it creates)."""
    kind = "type bridge vlan_filtering 1" if vlans else "type bridge"
    return f"ip link add name {q(name)} {kind} && ip link set {q(name)} up && {enslave(name, uplink, vlans)}"


def move_addresses(bridge: str, uplink: str | None) -> str:
    """Why enslaving blindly cuts a node off, and the commands that move the uplink's addresses
    and routes to the bridge first (a port of a bridge no longer answers on its own addresses)."""
    nic = q(uplink) if uplink else UPLINK_PLACEHOLDER
    br = q(bridge)
    return (f"if {nic} carries the node's address or routes, enslaving it cuts the node off the network: "
            f"run this from the console, not over {nic}, and move them to {br} first: list them with "
            f"'ip -o addr show dev {nic} scope global' and 'ip route show dev {nic}', then for each address A "
            f"'ip addr del A dev {nic} && ip addr add A dev {br}', and for the default route via G "
            f"'ip route replace default via G dev {br}'; make the bridge, its port and the addresses persistent "
            "in the node's network config (netplan, NetworkManager) too")


# How the plugins kvnet does not deploy arrive (their upstream install instructions).
OPERATOR_INSTALL: dict[str, str] = {
    "sriov": ("helm install -n sriov-network-operator --create-namespace sriov-network-operator "
              "oci://ghcr.io/k8snetworkplumbingwg/sriov-network-operator-chart"),
}
# OpenShift's own operators deliver these (whereabouts with its Multus, macvtap with CNAO / OpenShift
# Virtualization); kvnet deploys nothing there.
OPENSHIFT_INSTALL: dict[str, str] = {
    "whereabouts": "oc get network.operator cluster -o yaml   # whereabouts ships with OpenShift's Multus",
    "macvtap": "oc patch networkaddonsconfig cluster --type=merge -p '{\"spec\":{\"macvtap\":{}}}'",
}


def deploy_ovs_cni(profile: Profile) -> str:
    """ovs-cni's example manifest (plugin and marker) with the image pinned and the CNI bin dir
    hostPath set to the profile's."""
    return (f"curl -fsSL {OVS_CNI_MANIFEST} | sed -e 's#ovs-cni-plugin:latest#{OVS_CNI_IMAGE.rsplit('/', 1)[1]}#' "
            f"-e 's#path: /opt/cni/bin#path: {profile.bin_dir}#' | kubectl apply -f -")


def deploy_plugin(plugin: str, profile: Profile, needs: Needs) -> str:
    """whereabouts / macvtap-cni as kvnet deploys them (pinned images, the profile's paths;
    SPEC §9): ``kvnet build`` of the plan when its spec.cluster deploys plugins for this node's
    dirs, else the edit to make first."""
    if not profile.deploy_multus:
        return OPENSHIFT_INSTALL[plugin]
    plan = needs.plan_path or "kvnet.yaml"
    build = f"kvnet build {q(plan)} | kubectl apply -f -"
    cluster = needs.cluster
    if cluster is not None and _same_dirs(cluster, profile):
        if (cluster.get("plugins") or {}).get("install", "auto") != "never":
            return build
        return f"set spec.cluster.plugins.install: auto in {plan}, then: {build}"
    return f"set spec.cluster: {_flow(cluster_spec(profile))} in {plan}, then: {build}"
