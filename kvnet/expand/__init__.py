"""Expansion: pure functions from a checked Plan to Kubernetes objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic
from kvnet.expand.macs import assign_macs
from kvnet.expand.nads import expand_nads, used_plugins
from kvnet.expand.vms import expand_vm
from kvnet.model import Plan
from kvnet.profiles import Profile, resolve
from kvnet.rules.facts import Facts


@dataclass
class Expansion:
    objects: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plugins: dict[str, list[str]] = field(default_factory=dict)  # CNI type -> networks needing it


def expand_plan(plan: Plan, facts: Facts, distribution: str | None = None) -> Expansion:
    profile: Profile | None = None
    if plan.cluster is not None or distribution:
        profile = resolve(plan.cluster, distribution)
    nads, refs = expand_nads(plan, facts, profile)
    macs = assign_macs(plan)
    out = Expansion(plugins=used_plugins(facts))
    out.objects.extend(nads)
    for vm in plan.vms:
        out.objects.extend(expand_vm(plan, vm, facts, macs, refs))
    if plan.cluster is not None and profile is not None:
        from kvnet.cluster import expand_cluster

        objs, diags = expand_cluster(plan, profile, out.plugins)
        out.objects.extend(objs)
        out.diagnostics.extend(diags)
    return out
