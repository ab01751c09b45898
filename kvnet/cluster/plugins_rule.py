"""KV260: every CNI plugin (and IPAM plugin) a NAD uses is shipped by the distribution or
installed by kvnet (SPEC §1 row 5, §4).

kvnet's installer only carries the reference plugins (containernetworking/plugins).
sriov, macvtap and whereabouts come with their own operator or DaemonSet, which also
runs their device plugin or reconciler; kvnet cannot see whether it is deployed, so a
plan needing one gets a warning (KV261) naming the operator rather than an error:
an error would make those network types impossible to compile with spec.cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kvnet.cluster.settings import ClusterSettings
from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.profiles import REFERENCE_PLUGINS, Profile

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


@dataclass
class PluginDecision:
    install: bool = False  # emit the kvnet-cni-plugins DaemonSet
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _networks(names: list[str]) -> str:
    return ("network " if len(names) == 1 else "networks ") + ", ".join(repr(n) for n in names)


def decide(plugins: dict[str, list[str]], profile: Profile, cfg: ClusterSettings, loc: Loc) -> PluginDecision:
    """Whether kvnet installs the reference plugins, and what cannot be satisfied."""
    out = PluginDecision()
    missing = {p: nets for p, nets in sorted(plugins.items()) if p not in profile.plugins}
    installable = {p: nets for p, nets in missing.items() if p in REFERENCE_PLUGINS}
    can_install = profile.deploy_multus  # openshift: NADs only, its operator owns the nodes
    for plugin, nets in missing.items():
        if plugin in OPERATOR_PLUGINS:
            out.diagnostics.append(warning(
                OPERATOR_PROVIDED,
                f"CNI plugin {plugin!r} used by {_networks(nets)} is not shipped by {profile.distribution} "
                f"and kvnet's installer cannot provide it (it is not a reference plugin)",
                loc, hint=f"deploy {OPERATOR_PLUGINS[plugin]}, with its binary in {profile.bin_dir}"))
        elif plugin not in REFERENCE_PLUGINS or cfg.install == "never" or not can_install:
            why = ("plugins.install is 'never'" if cfg.install == "never" and plugin in REFERENCE_PLUGINS
                   else "kvnet cannot install it")
            out.diagnostics.append(error(
                MISSING,
                f"CNI plugin {plugin!r} used by {_networks(nets)} is not shipped by {profile.distribution} "
                f"in {profile.bin_dir} and {why}",
                loc, hint=(f"set spec.cluster.plugins.install: auto, and kvnet deploys DaemonSet "
                           f"kvnet-cni-plugins to copy the reference plugins into {profile.bin_dir}; "
                           f"or install {plugin!r} into {profile.bin_dir} on every node yourself")))
    if not can_install:
        if cfg.install == "always":
            out.diagnostics.append(warning(
                INSTALL_IGNORED, f"plugins.install: always is ignored on {profile.distribution}: "
                f"its network operator manages {profile.bin_dir}", loc,
                hint="remove spec.cluster.plugins.install"))
        return out
    out.install = cfg.install == "always" or (cfg.install == "auto" and bool(installable))
    return out
