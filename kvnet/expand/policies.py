"""MultiNetworkPolicy objects from the networks' ``policy`` (issue 24).

One ``k8s.cni.cncf.io/v1beta1`` MultiNetworkPolicy per network with a policy, named after the
network, in the plan's namespace. Its ``k8s.v1.cni.cncf.io/policy-for`` annotation lists the NADs
that really carry the network (multi-networkpolicy and OVN-Kubernetes apply a policy only to pods
attached to a NAD it names): the network's NAD, each per-VM static NAD ``<vm>-<network>``, or an
external network's ``<namespace>/<name>``. ``podSelector: {}`` selects every pod on those NADs.
The object is checked against the upstream CRD's schema (kvnet/schemas/multinetworkpolicy.json).
"""

from __future__ import annotations

from typing import Any

from kvnet import labels as meta
from kvnet.expand.emitted import Emitted
from kvnet.expand.nads import NadRef, writes_nad
from kvnet.input.facts import Facts
from kvnet.input.model import Network, Plan

API_VERSION = "k8s.cni.cncf.io/v1beta1"
KIND = "MultiNetworkPolicy"
POLICY_FOR = "k8s.v1.cni.cncf.io/policy-for"
VM_LABEL = "kubevirt.io/vm"  # on every VM's virt-launcher pod (kvnet/expand/vms.py)
PEER_KEY = {"ingress": "from", "egress": "to"}


def policy_for(network: str, refs: dict[tuple[str, int], NadRef]) -> list[str]:
    """The NADs VMs attach to for ``network`` (sorted, each once): bare names in the plan's
    namespace, ``<namespace>/<name>`` for an external NAD."""
    return sorted({ref.name for ref in refs.values() if ref.network == network})


def _peer(peer: dict[str, Any]) -> dict[str, Any]:
    if "vm" in peer:
        return {"podSelector": {"matchLabels": {VM_LABEL: peer["vm"]}}}
    if "vmLabels" in peer:
        return {"podSelector": {"matchLabels": dict(sorted(peer["vmLabels"].items()))}}
    block: dict[str, Any] = {"cidr": peer["cidr"]}
    if peer.get("except"):
        block["except"] = list(peer["except"])
    return {"ipBlock": block}


def _rule(direction: str, rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rule.get("peers"):
        out[PEER_KEY[direction]] = [_peer(p) for p in rule["peers"]]
    if rule.get("ports"):
        out["ports"] = [{"port": p["port"], "protocol": p.get("protocol", "TCP")} for p in rule["ports"]]
    return out


def policy_object(plan: Plan, net: Network, nads: list[str]) -> dict[str, Any]:
    """The MultiNetworkPolicy of ``net`` for ``nads``."""
    policy = net.policy or {}
    spec: dict[str, Any] = {"podSelector": {}}
    directions = [d for d in ("ingress", "egress") if d in policy]
    spec["policyTypes"] = [d.capitalize() for d in directions]
    for direction in directions:
        spec[direction] = [_rule(direction, r) for r in policy[direction]]
    annotations = {POLICY_FOR: ",".join(nads), meta.SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}
    return {"apiVersion": API_VERSION, "kind": KIND,
            "metadata": meta.metadata(net.name, plan.namespace, plan.name, net.where.file, meta.WAVE_NAD,
                                      annotations=annotations),
            "spec": spec}


def expand_policies(plan: Plan, facts: Facts, refs: dict[tuple[str, int], NadRef]) -> list[Emitted]:
    """One MultiNetworkPolicy per network with a ``policy`` whose NADs some VM attaches to; a
    network without VMs (or with per-VM NADs only and no VM) has no NAD to name."""
    out = []
    for nf in facts.networks.values():
        net = nf.network
        if net.policy:
            nads = policy_for(net.name, refs) or ([net.name] if net.ipam != "static" and writes_nad(net)
                                                  else [net.nad] if net.nad else [])
            if nads:
                out.append(Emitted(policy_object(plan, net, nads), net.where.at("policy", key=True)))
    return out
