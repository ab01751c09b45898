"""A network's ``policy`` (issue 24): its peers name VMs of the plan and real networks, and
something enforces it (kvnet.rules.enforcement)."""

from __future__ import annotations

import ipaddress
from typing import Any

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts, binding_of, cni_type, default_binding
from kvnet.input.model import Network, Plan, Where
from kvnet.rules.enforcement import unenforced

BAD_PEER = "KV320"
BAD_CIDR = "KV321"
UNENFORCED = "KV322"
NO_MATCH = "KV323"
PEER_KINDS = ("vm", "vmLabels", "cidr")
DIRECTIONS = ("ingress", "egress")


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV320-KV323 for every network with a ``policy``."""
    out: list[Diagnostic] = []
    enforcer = (plan.cluster or {}).get("policyEnforcer")
    for nf in facts.networks.values():
        net = nf.network
        if not net.policy:
            continue
        for direction in DIRECTIONS:
            for r, rule in enumerate(net.policy.get(direction) or []):
                for p, peer in enumerate(rule.get("peers") or []):
                    out.extend(_peer(plan, net, Where(net.where.doc, net.where.path + ("policy", direction, r,
                                                                                       "peers", p)), peer))
        bindings = [binding_of(i, net.type) for vm in plan.vms for i in vm.interfaces if i.network == net.name]
        why = unenforced(cni_type(net), bindings or [default_binding(net.type)], enforcer)
        if why is not None:
            out.append(warning(UNENFORCED, f"network {net.name!r}: nothing enforces its policy: {why}",
                               net.where.at("policy", key=True),
                               hint="put the VMs that need it on an OVN-Kubernetes network (ovn-layer2, "
                                    "ovn-localnet) with spec.cluster.policyEnforcer: ovn-kubernetes, or "
                                    "filter inside the guests or on the segment's router"))
    return out


def _peer(plan: Plan, net: Network, where: Where, peer: dict[str, Any]) -> list[Diagnostic]:
    kinds = [k for k in PEER_KINDS if k in peer]
    if len(kinds) != 1 or ("except" in peer and kinds != ["cidr"]):
        return [error(BAD_PEER, f"network {net.name!r}: a policy peer is one of 'vm', 'vmLabels' or 'cidr' "
                      f"(with 'except'); this one has {', '.join(sorted(peer)) or 'none'}", where.at(),
                      hint="write one peer per list item")]
    if kinds == ["vm"]:
        names = [vm.name for vm in plan.vms]
        if peer["vm"] not in names:
            return [error(BAD_PEER, f"network {net.name!r}: policy peer VM {peer['vm']!r} is not a VM of the plan",
                          where.at("vm"), hint=f"name one of: {', '.join(sorted(names)) or '(no VMs)'}")]
        return []
    if kinds == ["vmLabels"]:
        want = peer["vmLabels"].items()
        if not any(want <= vm.labels.items() for vm in plan.vms):
            return [warning(NO_MATCH, f"network {net.name!r}: policy peer vmLabels {dict(want)} selects no VM of "
                            "the plan (VMs of other plans in the namespace may match)", where.at("vmLabels"))]
        return []
    return _cidr(net, where, peer)


def _cidr(net: Network, where: Where, peer: dict[str, Any]) -> list[Diagnostic]:
    try:
        cidr = ipaddress.ip_network(peer["cidr"])
    except ValueError as exc:
        return [error(BAD_CIDR, f"network {net.name!r}: policy peer cidr {peer['cidr']!r}: {exc}",
                      where.at("cidr"), hint="write the network address, e.g. 192.168.1.0/24")]
    out = []
    for n, text in enumerate(peer.get("except") or []):
        try:
            ex = ipaddress.ip_network(text)
        except ValueError as exc:
            out.append(error(BAD_CIDR, f"network {net.name!r}: policy peer except {text!r}: {exc}",
                             where.at("except", n)))
            continue
        if ex.version != cidr.version or not ex.subnet_of(cidr):  # type: ignore[arg-type]
            out.append(error(BAD_CIDR, f"network {net.name!r}: policy peer except {text} is not inside cidr {cidr}",
                             where.at("except", n), hint="'except' carves networks out of 'cidr'"))
    return out
