"""One L2 segment is one address space across the plans of one run (issue 24): a node bridge
and VLAN, an OVS bridge and VLAN, an OVN-Kubernetes network name do not belong to a namespace,
so two plans (two namespaces, two teams) on one of them share its addresses and its subnet.

:mod:`kvnet.rules.addressing` (KV216) and :mod:`kvnet.rules.segments` (KV292) check one plan;
this module checks what they cannot see, the plans of one compile unit (a directory, the Argo
CD app's path, an adapter's input: one app, so one cluster) against each other, and says so at
both places (each plan's owner reads the message at their own line). Plans of two directories
are two apps, which may go to two clusters whose ``br0`` are different wires: not compared.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts, NetFacts
from kvnet.input.model import Plan
from kvnet.rules.addressing import Used, used_addresses
from kvnet.rules.claims import describe, l2_segment
from kvnet.rules.segments import SUBNETS_DISAGREE

ADDRESS_USED = "KV216"
SHARED_HINT = ("plans on one bridge and VLAN share its addresses: give each guest its own, or put the plans on "
               "different VLANs")


def plan_label(plan: Plan) -> str:
    """A plan as a message names it: ``plan 'namespace/name'``."""
    return "plan " + repr(f"{plan.namespace}/{plan.name}" if plan.namespace else plan.name)


def check(pairs: Sequence[tuple[Plan, Facts]], label: Callable[[Plan], str] = plan_label,
          apart: Callable[[Plan, Plan], bool] | None = None) -> list[Diagnostic]:
    """KV216 (error) for an address two plans put on one L2 segment, at each of the two places;
    KV292 (warning) for networks of two plans on one segment whose subnets (of one family) differ,
    at each network; ``label`` names a plan in the messages (lint: its namespace). Duplicates
    inside one plan are the per-plan rules' (not repeated here); an address or network of the
    first plan that has it is the one the others are compared with. ``apart(first, other)``
    says whether two plans are compared (default: any two)."""
    if len(pairs) < 2:
        return []
    apart = apart or (lambda a, b: a is not b)
    return _addresses(pairs, label, apart) + _subnets(pairs, label, apart)


def _addresses(pairs: Sequence[tuple[Plan, Facts]], label: Callable[[Plan], str],
               apart: Callable[[Plan, Plan], bool]) -> list[Diagnostic]:
    first: dict[tuple[Hashable, str], tuple[Plan, Used]] = {}
    out: list[Diagnostic] = []
    for plan, facts in pairs:
        for used in used_addresses(plan, facts, []):
            if not isinstance(used.seg, tuple):
                continue  # a network of its own (no shared segment): the plan's rule covers it
            earlier = first.setdefault((used.seg, used.value), (plan, used))
            if not apart(earlier[0], plan):
                continue
            other_plan, other = earlier
            seg = describe(used.seg)
            out.append(error(
                ADDRESS_USED, f"{used.label}: address {used.value} is already used by {other.owner} of "
                f"{label(other_plan)} on network {other.network!r} at {other.at()} (one L2 segment: "
                f"{seg})", used.at(), hint=SHARED_HINT))
            out.append(error(
                ADDRESS_USED, f"{other.label}: address {used.value} is also used by {used.owner} of "
                f"{label(plan)} on network {used.network!r} at {used.at()} (one L2 segment: {seg})",
                other.at(), hint=SHARED_HINT))
    return out


def _subnets(pairs: Sequence[tuple[Plan, Facts]], label: Callable[[Plan], str],
             apart: Callable[[Plan, Plan], bool]) -> list[Diagnostic]:
    first: dict[tuple[tuple[str, ...], int], tuple[Plan, NetFacts]] = {}
    out: list[Diagnostic] = []
    for plan, facts in pairs:
        for nf in facts.networks.values():
            seg = l2_segment(nf.network)
            if seg is None or nf.subnet is None:
                continue
            other_plan, other = first.setdefault((seg, nf.subnet.version), (plan, nf))
            if apart(other_plan, plan) and other.subnet != nf.subnet:
                out.append(_disagree(nf, other, label(other_plan), seg))
                out.append(_disagree(other, nf, label(plan), seg))
    return out


def _disagree(nf: NetFacts, other: NetFacts, other_plan: str, seg: tuple[str, ...]) -> Diagnostic:
    """KV292 at ``nf``'s subnet: it differs from ``other``'s, a network of ``other_plan``."""
    net = nf.network
    return warning(SUBNETS_DISAGREE, f"network {net.name!r}: subnet {nf.subnet} differs from subnet {other.subnet} "
                   f"of network {other.network.name!r} of {other_plan} at {other.network.where.at('subnet')} on "
                   f"the same L2 segment ({describe(seg)})", net.where.at("subnet"),
                   hint="networks on one segment share one address space, whatever their plan: use one subnet, "
                        "or put them on another bridge or VLAN")
