"""KV231: an ovs or bridge network's port VLANs (SPEC §9; ovs-cni docs/cni-plugin.md and
pkg/common SplitVlanIds / ParseOvsPortConfig; the bridge plugin's vlanTrunk, issue 24).

The bridge plugin (containernetworking/plugins plugins/main/bridge/bridge.go, v1.3.0 to v1.7.x)
refuses ``vlan`` with ``vlanTrunk`` ("cannot set vlan and vlanTrunk at the same time"), and takes
the same trunk items.

ovs-cni makes the port an access port with ``vlan`` and a trunk port with ``trunk``; given
both, it silently builds a trunk port and drops the access tag. A trunk item is one VLAN
(``{id}``) or an inclusive range (``{minID, maxID}``); ovs-cni ignores a range with only one
bound, so kvnet asks for both.
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import Network, Plan


def _trunk(net: Network) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, item in enumerate(net.trunk):
        keys = set(item)
        at = net.where.at("trunk", i)
        if keys == {"id"}:
            continue
        if keys == {"minID", "maxID"}:
            if item["minID"] > item["maxID"]:
                out.append(error("KV231", f"network {net.name!r}: trunk range minID {item['minID']} is above "
                                 f"maxID {item['maxID']}", at,
                                 hint=f"write {{minID: {item['maxID']}, maxID: {item['minID']}}}"))
            continue
        shown = "{" + ", ".join(f"{k}: {item[k]}" for k in sorted(keys)) + "}"
        out.append(error("KV231", f"network {net.name!r}: trunk item {shown} is neither one VLAN {{id}} nor a "
                         "range {minID, maxID}", at,
                         hint="e.g. 'trunk: [{id: 42}, {minID: 1000, maxID: 1010}]'"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for net in plan.networks:
        if net.type not in (nettypes.OVS_TYPE, nettypes.BRIDGE_TYPE):
            continue
        if net.vlan is not None and net.trunk:
            what = ("ovs-cni then makes a trunk port and ignores 'vlan'" if net.type == nettypes.OVS_TYPE else
                    "the bridge plugin refuses it (cannot set vlan and vlanTrunk at the same time)")
            out.append(error("KV231", f"network {net.name!r}: 'vlan' ({net.vlan}) and 'trunk' together: {what}",
                             net.where.at("trunk", key=True),
                             hint="give 'vlan' for an access port (the VM sees untagged frames) or 'trunk' "
                                  "for a trunk port (the guest tags), not both"))
        out.extend(_trunk(net))
    return out
