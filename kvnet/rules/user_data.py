"""KV234, KV235: a VM's networkData would not reach the booted guest after a plan change.

kvnet adds cloud-init's ``updates: {network: {when: [boot-new-instance, boot]}}`` to the userData
of every VM it writes networkData for (kvnet.expand.userdata; cloudinit/stages.py
``update_event_enabled``). Where it cannot (KV234: a script, MIME multipart, ``#include``, YAML
that does not parse) or where the user's own ``updates`` leaves ``boot`` out (KV235), cloud-init
applies networkData only on the first boot of the instance (cloudinit/sources/__init__.py
``default_update_events``), and a changed address, route or DNS server never reaches a VM that
has booted once: a warning, with the fix.
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, warning
from kvnet.expand.userdata import MANUAL_FIX, add_update_events, boot_events_missing
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm in plan.vms:
        if vm.network_data != "auto" or vm.user_data is None or not vm.user_data.strip():
            continue
        result = add_update_events(vm.user_data)
        if result.problem is None and (result.updates is None or not boot_events_missing(result.updates)):
            continue  # nothing to say: no position looked up (a walk of the node graph per VM)
        at = vm.where.at("cloudInit", "userData")
        if result.problem is not None:
            out.append(warning(
                "KV234", f"VM {vm.name!r}: {result.problem}, so kvnet cannot add cloud-init's network update "
                "events: a plan change to its networkData reaches the guest only on a new instance", at,
                hint=MANUAL_FIX))
        elif result.updates is not None and boot_events_missing(result.updates):
            out.append(warning(
                "KV235", f"VM {vm.name!r}: the userData's own 'updates' does not list 'boot' for the network "
                "scope, so cloud-init applies networkData only on a new instance: a plan change to its "
                "networkData never reaches the booted guest", at,
                hint="write 'updates: {network: {when: [boot-new-instance, boot]}}' (kvnet keeps your own "
                     "'updates' as written)"))
    return out
