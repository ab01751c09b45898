"""Names: reserved and duplicate networks/VMs, duplicate interfaces, unknown networks."""

from __future__ import annotations

from functools import partial

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import POD_NETWORK, Plan
from kvnet.input.plan_schema import _suggest
from kvnet.rules.claims import Claims


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    nets, vms = Claims(), Claims()
    for net in plan.networks:
        if net.name == POD_NETWORK:
            out.append(error("KV206", "network name 'default' is reserved for the pod network",
                             net.where.at("name"),
                             hint="remove this network and use 'network: default' on an interface for the pod "
                                  "network; give a secondary network another name"))
            continue
        first = nets.claim(net.name, partial(net.where.at, "name"))
        if first:
            out.append(error("KV201", f"duplicate network name {net.name!r} (first at {first})", net.where.at("name")))
    known = sorted({str(k) for k in nets.keys()} | {POD_NETWORK})
    for vm in plan.vms:
        first = vms.claim(vm.name, partial(vm.where.at, "name"))
        if first:
            out.append(error("KV202", f"duplicate VM name {vm.name!r} (first at {first})", vm.where.at("name")))
        used: dict[str, int] = {}
        for iface in vm.interfaces:
            if iface.network in used and iface.network == POD_NETWORK:
                out.append(error("KV205", f"VM {vm.name!r}: more than one pod network "
                                 f"(interfaces[{used[iface.network]}] and interfaces[{iface.index}])",
                                 iface.where.at("network"),
                                 hint="a VM has at most one pod network ('network: default')"))
                continue
            if iface.network in used:
                out.append(error("KV203", f"VM {vm.name!r}: network {iface.network!r} is attached twice "
                                 f"(interfaces[{used[iface.network]}] and interfaces[{iface.index}])",
                                 iface.where.at("network"),
                                 hint="a VM attaches to each network once"))
                continue
            used[iface.network] = iface.index
            if iface.network != POD_NETWORK and iface.network not in nets:
                out.append(error("KV204", f"VM {vm.name!r}: unknown network {iface.network!r}"
                                 f"{_suggest(iface.network, known)}",
                                 iface.where.at("network"),
                                 hint="networks of this plan: " + ", ".join(known)))
        if not vm.interfaces:
            out.append(error("KV209", f"VM {vm.name!r} has no interfaces", vm.where.at("interfaces"),
                             hint="add '- network: default' for the pod network, or omit 'interfaces'"))
    return out
