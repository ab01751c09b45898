"""VM-level fields: a root disk must be given, once."""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm in plan.vms:
        if vm.image and vm.root_disk:
            out.append(error("KV209", f"VM {vm.name!r}: give 'image' or 'rootDisk', not both",
                             vm.where.at("rootDisk", key=True)))
        elif not vm.image and not vm.root_disk:
            out.append(error("KV209", f"VM {vm.name!r} has no root disk", vm.where.at("name"),
                             hint="add 'image: quay.io/containerdisks/ubuntu:22.04' (a containerDisk) or "
                                  "'rootDisk: {pvc: NAME}' / 'rootDisk: {dataVolume: NAME}'"))
    return out
