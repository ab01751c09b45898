"""KV232/KV233: OVN-Kubernetes secondary networks (SPEC §9; OVN-Kubernetes
docs/features/multiple-networks/multi-homing.md).

- ``netAttachDefName`` must be ``<namespace>/<name>`` of the NAD that holds the config, so
  the plan needs ``metadata.namespace`` (without it the namespace is only known at deploy time).
- ``allowPersistentIPs`` keeps the addresses OVN-Kubernetes assigned from ``subnets``; the docs:
  "Only makes sense if the subnets attribute is also defined".
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import Plan


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for net in plan.networks:
        entry = nettypes.get(net.type)
        if entry is None or entry.topology is None:
            continue
        if not plan.namespace:
            out.append(error(
                "KV232", f"network {net.name!r}: type {net.type!r} needs the plan's metadata.namespace: "
                f"OVN-Kubernetes requires netAttachDefName '<namespace>/{net.name}' to name the NAD itself",
                net.where.at("type"), hint="set metadata.namespace (the namespace the NADs and VMs go to)"))
        if net.allow_persistent_ips and net.subnet is None:
            out.append(error(
                "KV233", f"network {net.name!r}: allowPersistentIPs without 'subnet': OVN-Kubernetes only "
                "assigns (and keeps) addresses on a network with subnets", net.where.at("allowPersistentIPs"),
                hint="add 'subnet:' (OVN-Kubernetes then assigns the VMs' addresses), or remove "
                     "allowPersistentIPs and give each interface an 'address'"))
    return out
