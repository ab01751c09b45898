"""The node side of a plan (SPEC §3 "Cluster"): NAD CRD, Multus RBAC and DaemonSet,
the CNI plugin installer, and the plugin-availability rule KV260."""

from __future__ import annotations

from typing import Any

from kvnet.cluster.crd import nad_crd
from kvnet.cluster.installer import installer_daemonset
from kvnet.cluster.multus import multus_objects
from kvnet.cluster.plugins_rule import decide
from kvnet.cluster.rbac import rbac
from kvnet.cluster.settings import settings
from kvnet.diagnostics import Diagnostic, Loc
from kvnet.model import Plan
from kvnet.profiles import Profile


def expand_cluster(plan: Plan, profile: Profile,
                   plugins: dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """Cluster objects for ``plan`` (which has spec.cluster) and the problems found.

    ``plugins`` maps every CNI binary the plan's NADs need to the networks needing it.
    """
    cfg = settings(plan.cluster, profile)
    where = plan.cluster_where
    source = where.file if where is not None else plan.where.file
    loc = where.at("plugins", "install") if where is not None else Loc(source)
    decision = decide(plugins, profile, cfg, loc)
    from kvnet.cluster import images_rule

    decision.diagnostics.extend(images_rule.check(plan, profile, cfg))
    objs: list[dict[str, Any]] = []
    if cfg.deploy_multus:
        objs.append(nad_crd(plan, source))
        objs.extend(rbac(plan, source, cfg.flavor))
        objs.extend(multus_objects(plan, source, profile, cfg))
    if decision.install:
        objs.append(installer_daemonset(plan, source, profile, cfg))
    return objs, decision.diagnostics
