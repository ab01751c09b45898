"""KV291: macvtap networks sharing one device-plugin resource must agree on its lower device
and mode (SPEC §9).

macvtap-cni's device plugin offers each resource ``macvtap.network.kubevirt.io/<name>`` on one
``lowerDevice`` in one ``mode`` (its README, "Deployment"), and kvnet builds that configuration
from the networks' ``master`` and ``mode``: two networks asking for the same resource with
different values would get the other network's device.
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts, resource_name
from kvnet.input.model import Network, Plan


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    first: dict[str, Network] = {}
    out: list[Diagnostic] = []
    for net in plan.networks:
        rn = resource_name(net) if net.type == nettypes.MACVTAP_TYPE and net.master else None
        if rn is None:
            continue
        seen = first.setdefault(rn, net)
        if seen is net:
            continue
        for field, mine, theirs in (("master", net.master, seen.master),
                                    ("mode", net.mode or "bridge", seen.mode or "bridge")):
            if mine != theirs:
                out.append(error(
                    "KV291", f"network {net.name!r}: macvtap resource {rn!r} has {field} {mine!r} here but "
                    f"{theirs!r} on network {seen.name!r}; the device plugin offers one {field} per resource",
                    net.where.at(field) if net.raw.get(field) else net.where.at("type"),
                    hint=f"give the networks the same {field}, or a different 'resourceName' "
                         f"(e.g. macvtap.network.kubevirt.io/{net.name})"))
                break
    return out
