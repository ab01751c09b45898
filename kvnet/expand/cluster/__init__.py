"""The node side of a plan (SPEC §3 "Cluster", §9): NAD CRD, Multus RBAC and DaemonSet, the
CNI plugin installer, whereabouts and macvtap-cni when the NADs use them, and nmstate policies
for the node bridges. The plugin and image rules that guard it are in :mod:`kvnet.rules`."""

from __future__ import annotations

from typing import Any

from kvnet.expand.cluster.crd import nad_crd
from kvnet.expand.cluster.dynamic_networks import dynamic_networks_objects
from kvnet.expand.cluster.installer import installer_daemonset
from kvnet.expand.cluster.macvtap import macvtap_objects
from kvnet.expand.cluster.multus import multus_objects
from kvnet.expand.cluster.nmstate import nmstate_policies
from kvnet.expand.cluster.nodeconfig import node_config_objects
from kvnet.expand.cluster.rbac import rbac
from kvnet.expand.cluster.whereabouts import whereabouts_objects
from kvnet.expand.emitted import Emitted
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def expand_cluster(plan: Plan, facts: Facts) -> list[Emitted]:
    """Node-side objects of ``plan``, each with spec.cluster as its origin: empty without
    spec.cluster (``facts.cluster`` None)."""
    cfg, profile = facts.cluster, facts.profile
    if cfg is None or profile is None:
        return []
    where = plan.cluster_where
    source = where.file if where is not None else plan.where.file
    objs: list[dict[str, Any]] = []
    if cfg.deploy_multus:
        objs.append(nad_crd(plan, source))
        objs.extend(rbac(plan, source, cfg.flavor))
        objs.extend(multus_objects(plan, source, profile, cfg))
        if cfg.hotplug and cfg.flavor == "thick":
            objs.extend(dynamic_networks_objects(plan, source, profile, cfg))
    if facts.installs_plugins:
        objs.append(installer_daemonset(plan, source, profile, cfg))
    if "whereabouts" in facts.deployed_plugins:
        objs.extend(whereabouts_objects(plan, source, profile, cfg))
    if "macvtap" in facts.deployed_plugins:
        objs.extend(macvtap_objects(plan, source, profile, cfg))
    objs.extend(nmstate_policies(plan, source, cfg))
    objs.extend(node_config_objects(plan, source, cfg))
    origin = where.at() if where is not None else plan.where.at()
    return [Emitted(obj, origin) for obj in objs]
