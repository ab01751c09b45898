"""Semantic rules of SPEC §4, one module per concern.

Each rule module exposes ``check(plan, facts) -> list[Diagnostic]``. Rules run
in the order of ``RULES``; ``facts`` carries parsed network values so that a
value is parsed (and its problem reported) once.
"""

from __future__ import annotations

from typing import Callable

from kvnet.diagnostics import Diagnostic
from kvnet.input.facts import Facts
from kvnet.input.model import Plan
from kvnet.rules import (
    addressing,
    binding_plugins,
    bindings,
    cloudbase,
    configdrive,
    default_route,
    dual_stack,
    guest_limits,
    guest_vlans,
    host_local,
    hotplug,
    iface_state,
    images,
    instancetype,
    macs,
    macvtap_resources,
    multus_annotations,
    names,
    network_fields,
    node_network,
    ovn,
    ovs,
    persistent_ips,
    plugins,
    policies,
    ports,
    routes,
    segments,
    trunk_plugin,
    user_data,
    vm_fields,
)

Rule = Callable[[Plan, Facts], list[Diagnostic]]

RULES: tuple[Rule, ...] = (
    names.check,
    network_fields.check,
    ovs.check,
    ovn.check,
    bindings.check,
    ports.check,
    configdrive.check,
    cloudbase.check,
    iface_state.check,
    addressing.check,
    segments.check,
    host_local.check,
    persistent_ips.check,
    routes.check,
    default_route.check,
    default_route.unused_gateways,
    guest_limits.check,
    dual_stack.check,
    macs.check,
    multus_annotations.check,
    vm_fields.check,
    user_data.check,
    instancetype.check,
    plugins.check,
    node_network.check,
    binding_plugins.check,
    hotplug.check,
    macvtap_resources.check,
    images.check,
    policies.check,
    trunk_plugin.check,
    guest_vlans.check,
)


def run_rules(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """Every rule's problems with ``plan``, in ``RULES`` order (SPEC §4). ``facts`` comes from
    :func:`kvnet.input.facts.gather`, with the kvnet.lock addresses already resolved
    (:func:`kvnet.lock.resolve.resolve_locks`, SPEC §7), so the rules check allocated
    addresses like written ones."""
    diags: list[Diagnostic] = []
    for rule in RULES:
        diags.extend(rule(plan, facts))
    return diags
