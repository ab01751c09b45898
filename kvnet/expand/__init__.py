"""Expansion: pure functions from a checked Plan (and its Facts) to Kubernetes objects."""

from __future__ import annotations

from typing import Iterator

from kvnet.expand.cluster import expand_cluster
from kvnet.expand.emitted import Emitted
from kvnet.expand.macs import assign_macs
from kvnet.expand.nads import expand_nads
from kvnet.expand.policies import expand_policies
from kvnet.expand.vms import expand_vm
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def expand_plan(plan: Plan, facts: Facts) -> Iterator[Emitted]:
    """Every object of ``plan`` (SPEC §3): NADs, VMs (and their cloud-init Secrets),
    MultiNetworkPolicies, node-side objects, each builder giving its objects' origins.
    ``facts`` comes from the rules stage; expansion reports nothing (the rules did).
    Yielded VM by VM, so that a caller may render and drop each object before the next VM's
    are built (issue 28: peak memory)."""
    nads, refs = expand_nads(plan, facts, facts.profile)
    yield from nads
    macs = assign_macs(plan)
    for vm in plan.vms:
        yield from expand_vm(plan, vm, facts, macs, refs)
    yield from expand_policies(plan, facts, refs)
    yield from expand_cluster(plan, facts)
