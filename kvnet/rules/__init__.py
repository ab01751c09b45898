"""Semantic rules of SPEC §4, one module per concern.

Each rule module exposes ``check(plan, facts) -> list[Diagnostic]``. Rules run
in the order of ``RULES``; ``facts`` carries parsed network values so that a
value is parsed (and its problem reported) once.
"""

from __future__ import annotations

from typing import Callable

from kvnet.diagnostics import Diagnostic
from kvnet.model import Plan
from kvnet.rules import addressing, bindings, macs, multus_annotations, names, network_fields, vm_fields
from kvnet.rules.facts import Facts, gather

Rule = Callable[[Plan, Facts], list[Diagnostic]]

RULES: tuple[Rule, ...] = (
    names.check,
    network_fields.check,
    bindings.check,
    addressing.check,
    macs.check,
    multus_annotations.check,
    vm_fields.check,
)


def check_plan(plan: Plan) -> tuple[Facts, list[Diagnostic]]:
    facts, diags = gather(plan)
    for rule in RULES:
        diags.extend(rule(plan, facts))
    return facts, diags
