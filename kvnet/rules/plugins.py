"""KV260: every CNI plugin (and IPAM plugin) a NAD uses is shipped by the distribution or
installed by kvnet (SPEC §1 row 5, §4).

kvnet's installer only carries the reference plugins (containernetworking/plugins).
whereabouts and macvtap come with their own DaemonSet (reconciler, device plugin), which kvnet
deploys itself when a plan uses them (SPEC §9) unless plugins.install is 'never'. sriov needs
its operator and hardware; kvnet cannot see whether it is deployed, so a plan needing it (or
whereabouts/macvtap with install 'never') gets a warning (KV261) naming the operator rather
than an error: an error would make those network types impossible to compile with spec.cluster.
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan
from kvnet.profiles import DEPLOYABLE_PLUGINS, OVS_CNI_IMAGE, OVS_CNI_MANIFEST, REFERENCE_PLUGINS, Profile

MISSING = "KV260"
OPERATOR_PROVIDED = "KV261"
INSTALL_IGNORED = "KV262"

OPERATOR_PLUGINS: dict[str, str] = {
    "sriov": "the SR-IOV Network Operator (github.com/k8snetworkplumbingwg/sriov-network-operator), "
             "which installs sriov-cni and the SR-IOV device plugin",
    "macvtap": "KubeVirt's macvtap-cni DaemonSet (github.com/kubevirt/macvtap-cni, also deployed by the "
               "Cluster Network Addons Operator), which installs the plugin and its device plugin",
    "whereabouts": "the whereabouts DaemonSet (github.com/k8snetworkplumbingwg/whereabouts), "
                   "which installs the IPAM plugin and its reconciler",
}


OVN_PLUGIN = nettypes.OVN_CNI_TYPE
OVS_PLUGIN = nettypes.OVS.cni_type


def _node_plugin(plugin: str, nets: list[str], profile: Profile, loc: Loc) -> Diagnostic | None:
    """KV265 (ovs) / KV266 (OVN-Kubernetes): plugins that come with a node daemon kvnet cannot
    deploy, with what to run instead (ovs-cni docs/cni-plugin.md: "Open vSwitch must be installed
    and running on the host"; OVN-Kubernetes secondary networks need OVN-Kubernetes as the CNI)."""
    if plugin == OVS_PLUGIN:
        return warning(
            "KV265", f"CNI plugin 'ovs' used by {_networks(nets)} needs ovs-cni and Open vSwitch on every node; "
            f"{profile.distribution} ships neither and kvnet does not deploy them", loc,
            hint=f"on every node install and start Open vSwitch (Debian/Ubuntu: apt-get install -y "
                 f"openvswitch-switch) and create the bridge (ovs-vsctl add-br BRIDGE); then deploy ovs-cni and "
                 f"its marker (which offers the ovs-cni.network.kubevirt.io/BRIDGE resource the NADs request) "
                 f"from {OVS_CNI_MANIFEST}, with the image pinned ({OVS_CNI_IMAGE} instead of :latest) and its "
                 f"'cni' hostPath changed to {profile.bin_dir}")
    if plugin == OVN_PLUGIN:
        if profile.distribution == "openshift":
            return None  # OVN-Kubernetes is OpenShift's default network plugin
        return warning(
            "KV266", f"{_networks(nets)}: OVN-Kubernetes secondary networks work only when "
            f"OVN-Kubernetes is the cluster's CNI ({profile.distribution} does not run it by default)", loc,
            hint="install the cluster with OVN-Kubernetes as its CNI (k3s: --flannel-backend=none "
                 "--disable-network-policy, then OVN-Kubernetes' helm chart); on another CNI use type bridge or "
                 "ovs for a layer-2 segment")
    return None


def _networks(names: list[str]) -> str:
    return ("network " if len(names) == 1 else "networks ") + ", ".join(repr(n) for n in names)


def _operator_provided(plugin: str, nets: list[str], profile: Profile, loc: Loc) -> Diagnostic:
    """KV261: ``plugin`` comes with an operator (OPERATOR_PLUGINS), not kvnet's installer."""
    return warning(
        OPERATOR_PROVIDED,
        f"CNI plugin {plugin!r} used by {_networks(nets)} is not shipped by {profile.distribution} "
        f"and kvnet's installer cannot provide it (it is not a reference plugin)",
        loc, hint=f"deploy {OPERATOR_PLUGINS[plugin]}, with its binary in {profile.bin_dir}"
                  + ("; or set spec.cluster.plugins.install: auto and kvnet deploys it"
                     if plugin in DEPLOYABLE_PLUGINS and profile.deploy_multus else ""))


def _not_installed(plugin: str, nets: list[str], profile: Profile, install: str, loc: Loc) -> Diagnostic | None:
    """KV260 when nothing installs ``plugin``: not a reference plugin, ``plugins.install: never``,
    or a distribution whose operator owns the nodes (SPEC §6 plugins.install)."""
    if plugin in REFERENCE_PLUGINS and install != "never" and profile.deploy_multus:
        return None
    why = ("plugins.install is 'never'" if install == "never" and plugin in REFERENCE_PLUGINS
           else "kvnet cannot install it")
    return error(
        MISSING,
        f"CNI plugin {plugin!r} used by {_networks(nets)} is not shipped by {profile.distribution} "
        f"in {profile.bin_dir} and {why}",
        loc, hint=(f"set spec.cluster.plugins.install: auto, and kvnet deploys DaemonSet "
                   f"kvnet-cni-plugins to copy the reference plugins into {profile.bin_dir}; "
                   f"or install {plugin!r} into {profile.bin_dir} on every node yourself"))


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV260/KV261/KV262 for a plan with spec.cluster; what kvnet installs is
    :attr:`Facts.installs_plugins`."""
    profile, cfg = facts.profile, facts.cluster
    if profile is None or cfg is None:
        return []
    where = plan.cluster_where
    loc = where.at("plugins", "install") if where is not None else Loc(plan.where.file)
    out: list[Diagnostic] = []
    can_install = profile.deploy_multus  # openshift: NADs only, its operator owns the nodes
    for plugin, nets in facts.missing_plugins.items():
        found: Diagnostic | None
        if plugin in (OVS_PLUGIN, OVN_PLUGIN):
            found = _node_plugin(plugin, nets, profile, loc)
        elif plugin in facts.deployed_plugins:
            continue  # kvnet deploys its DaemonSet (expand/cluster/whereabouts.py, macvtap.py)
        elif plugin in OPERATOR_PLUGINS:
            found = _operator_provided(plugin, nets, profile, loc)
        else:
            found = _not_installed(plugin, nets, profile, cfg.install, loc)
        if found is not None:
            out.append(found)
    if not can_install and cfg.install == "always":
        out.append(warning(
            INSTALL_IGNORED, f"plugins.install: always is ignored on {profile.distribution}: "
            f"its network operator manages {profile.bin_dir}", loc,
            hint="remove spec.cluster.plugins.install"))
    return out
