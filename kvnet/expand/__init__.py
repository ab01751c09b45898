"""Expansion: pure functions from a checked Plan (and its Facts) to Kubernetes objects."""

from __future__ import annotations

from kvnet.diagnostics import Loc
from kvnet.expand.access import ssh_secret_name
from kvnet.expand.cluster import expand_cluster
from kvnet.expand.emitted import Emitted
from kvnet.expand.macs import assign_macs
from kvnet.expand.nads import expand_nads
from kvnet.expand.policies import expand_policies
from kvnet.expand.vms import expand_vm
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def expand_plan(plan: Plan, facts: Facts) -> list[Emitted]:
    """Every object of ``plan`` (SPEC §3) with its origin: NADs, VMs (and their cloud-init
    Secrets), MultiNetworkPolicies, node-side objects. ``facts`` comes from the rules stage; expansion reports
    nothing (the rules did)."""
    objects, refs = expand_nads(plan, facts, facts.profile)
    macs = assign_macs(plan)
    for vm in plan.vms:
        for obj in expand_vm(plan, vm, facts, macs, refs):
            if obj["kind"] == "VirtualMachine":
                objects.append(Emitted(obj, vm.where.at("name"), vm))
            elif obj["metadata"]["name"] == ssh_secret_name(vm):
                objects.append(Emitted(obj, vm.where.at("sshKeys", key=True)))
            else:
                objects.append(Emitted(obj, vm.where.at("cloudInit", key=True)))
    objects.extend(expand_policies(plan, facts, refs))
    node_origin: Loc = plan.cluster_where.at() if plan.cluster_where is not None else plan.where.at()
    objects.extend(Emitted(obj, node_origin) for obj in expand_cluster(plan, facts))
    return objects
