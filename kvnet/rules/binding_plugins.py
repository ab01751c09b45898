"""KV267: a macvtap network reminds that KubeVirt needs the ``macvtap`` network binding plugin
registered in its CR (SPEC §9). KubeVirt removed the core macvtap binding in v1.3.0; the
binding plugin must be registered in ``spec.configuration.network.binding`` of the KubeVirt CR
(KubeVirt user guide, network/net_binding_plugins/macvtap.md, "Macvtap Registration"), else
the VM is rejected. kvnet cannot see the cluster's KubeVirt CR, so this is a warning.
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan

REGISTER_MACVTAP = ("kubectl patch kubevirts -n kubevirt kubevirt --type=json -p='[{\"op\": \"add\", "
                    "\"path\": \"/spec/configuration/network\", \"value\": {\"binding\": {\"macvtap\": "
                    "{\"domainAttachmentType\": \"tap\"}}}}]'")


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    nets = [n for n in plan.networks if n.type == nettypes.MACVTAP_TYPE]
    if not nets:
        return []
    names = ", ".join(repr(n.name) for n in nets)
    return [warning(
        "KV267", f"macvtap network{'s' if len(nets) > 1 else ''} {names}: KubeVirt attaches VMs with the "
        "'macvtap' network binding plugin, which must be registered in the KubeVirt CR "
        "(spec.configuration.network.binding.macvtap.domainAttachmentType: tap)", nets[0].where.at("type"),
        hint=f"register it once per cluster: {REGISTER_MACVTAP} (a 'network' already set there: add the "
             "'macvtap' entry under its 'binding' instead)")]
