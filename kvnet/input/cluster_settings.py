"""spec.cluster with its defaults applied (SPEC §2, §3 "Cluster")."""

from __future__ import annotations

from dataclasses import dataclass
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


def settings(cluster: dict[str, Any] | None, profile: Profile) -> ClusterSettings:
    """Defaults of SPEC §2; Multus is never deployed where the profile says it is operator-managed."""
    cluster = cluster or {}
    multus = cluster.get("multus") or {}
    plugins = cluster.get("plugins") or {}
    hotplug = multus.get("hotplug") is True
    flavor = multus.get("flavor") or ("thick" if hotplug else "thin")  # in-place hot-plug needs the daemon
    return ClusterSettings(
        deploy_multus=bool(multus.get("deploy", True)) and profile.deploy_multus,
        flavor=flavor,
        multus_image=multus.get("image") or MULTUS_IMAGES[flavor],
        install=plugins.get("install") or "auto",
        plugins_image=plugins.get("image") or PLUGINS_IMAGE,
        whereabouts_image=plugins.get("whereaboutsImage") or WHEREABOUTS_IMAGE,
        macvtap_image=plugins.get("macvtapImage") or MACVTAP_IMAGE,
        node_network=cluster.get("nodeNetwork") or "none",
        node_selector=dict(sorted((cluster.get("nodeSelector") or {}).items())) or None,
        hotplug=hotplug,
        dynamic_networks_image=multus.get("dynamicNetworksImage") or DYNAMIC_NETWORKS_IMAGE,
    )
