"""spec.cluster with its defaults applied (SPEC §2, §3 "Cluster")."""

from __future__ import annotations

from kvnet.record import dataclass
from typing import Any

from kvnet.profiles import (
    DYNAMIC_NETWORKS_IMAGE,
    MACVTAP_IMAGE,
    MULTUS_IMAGES,
    PLUGINS_IMAGE,
    WHEREABOUTS_IMAGE,
    Profile,
)

NAMESPACE = "kube-system"


@dataclass(frozen=True)
class ClusterSettings:
    deploy_multus: bool
    flavor: str  # thin | thick
    multus_image: str
    install: str  # auto | always | never
    plugins_image: str
    whereabouts_image: str = WHEREABOUTS_IMAGE
    macvtap_image: str = MACVTAP_IMAGE
    node_network: str = "none"  # none | nmstate | netplan | networkd (SPEC §9)
    node_selector: dict[str, str] | None = None  # nodes the node-side policies apply to
    hotplug: bool = False  # multus.hotplug: thick Multus + multus-dynamic-networks-controller (README "Day 2")
    dynamic_networks_image: str = DYNAMIC_NETWORKS_IMAGE


#: ClusterSettings field -> (spec.cluster.plugins key, its default) (SPEC §2 "Cluster")
PLUGIN_IMAGES = {
    "plugins_image": ("image", PLUGINS_IMAGE),
    "whereabouts_image": ("whereaboutsImage", WHEREABOUTS_IMAGE),
    "macvtap_image": ("macvtapImage", MACVTAP_IMAGE),
}


#: spec.cluster keys that describe the cluster's pod network rather than ask for a node side
POD_NETWORK_KEYS = ("ipFamilies",)


def node_side(cluster: dict[str, Any] | None) -> dict[str, Any] | None:
    """spec.cluster as the node side reads it (SPEC §3 "Cluster": a plan with spec.cluster gets
    Multus, the NAD CRD, plugins): None when absent, or when it only says the pod network's
    ``ipFamilies`` (issue 25: saying the cluster is dual-stack deploys nothing)."""
    if cluster is None or (cluster and set(cluster) <= set(POD_NETWORK_KEYS)):
        return None
    return cluster


def _given(section: dict[str, Any], key: str, default: Any) -> Any:
    """``section[key]`` unless absent or empty (null, "", {}), else ``default``."""
    return section.get(key) or default


def settings(cluster: dict[str, Any] | None, profile: Profile) -> ClusterSettings:
    """Defaults of SPEC §2; Multus is never deployed where the profile says it is operator-managed."""
    cluster = cluster or {}
    multus = _given(cluster, "multus", {})
    plugins = _given(cluster, "plugins", {})
    hotplug = multus.get("hotplug") is True
    flavor = _given(multus, "flavor", "thick" if hotplug else "thin")  # in-place hot-plug needs the daemon
    return ClusterSettings(
        deploy_multus=bool(multus.get("deploy", True)) and profile.deploy_multus,
        flavor=flavor,
        multus_image=multus.get("image") or MULTUS_IMAGES[flavor],
        install=_given(plugins, "install", "auto"),
        **{name: _given(plugins, key, default) for name, (key, default) in PLUGIN_IMAGES.items()},
        node_network=_given(cluster, "nodeNetwork", "none"),
        node_selector=dict(sorted(_given(cluster, "nodeSelector", {}).items())) or None,
        hotplug=hotplug,
        dynamic_networks_image=_given(multus, "dynamicNetworksImage", DYNAMIC_NETWORKS_IMAGE),
    )
