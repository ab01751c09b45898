"""MultiNetworkPolicies back into a network's ``policy`` (issue 24: ``import`` left them out).

The reverse of :mod:`kvnet.expand.policies`: a policy whose ``k8s.v1.cni.cncf.io/policy-for``
names NADs of one plan network (its NAD, or kvnet's per-VM static NADs of it), that selects every
pod on them (``podSelector: {}``) and whose peers are pods by labels (``kubevirt.io/vm: <name>``
is a ``vm`` peer when that VM is imported too) or ``ipBlock``s, with numeric ports, becomes that
network's ``policy``. ``policyTypes`` gives the isolated directions (absent: Ingress, and Egress
when egress rules are given, as Kubernetes defaults them: k8s.io/api networking/v1 types.go,
NetworkPolicySpec.PolicyTypes; multi-networkpolicy follows it). Anything else (namespace
selectors, match expressions, named ports, port ranges, a second policy on the network, NADs of
several networks) is KV311 and the policy is left out, to be applied as it is.
"""

from __future__ import annotations

from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, warning
from kvnet.expand.policies import PEER_KEY, POLICY_FOR, VM_LABEL
from kvnet.importer.networks import CANNOT_EXPRESS
from kvnet.lint.convert import Conversion, resolve_ref
from kvnet.lint.objects import Found

Key = tuple[str, str]  # (namespace, plan network name)


class NotExpressible(Exception):
    """Why a policy has no NetworkPlan form."""


def _peer(peer: Any, vms: set[str]) -> dict[str, Any]:
    if not isinstance(peer, dict) or len(peer) != 1:
        raise NotExpressible("a peer that is not one podSelector or ipBlock")
    if "ipBlock" in peer and isinstance(peer["ipBlock"], dict) and isinstance(peer["ipBlock"].get("cidr"), str):
        block = peer["ipBlock"]
        out: dict[str, Any] = {"cidr": block["cidr"]}
        if block.get("except"):
            out["except"] = list(block["except"])
        return out
    sel = peer.get("podSelector")
    labels = sel.get("matchLabels") if isinstance(sel, dict) and set(sel) == {"matchLabels"} else None
    if not isinstance(labels, dict) or not labels:
        raise NotExpressible("a peer by namespaceSelector, matchExpressions or an empty selector")
    if set(labels) == {VM_LABEL} and labels[VM_LABEL] in vms:
        return {"vm": labels[VM_LABEL]}
    return {"vmLabels": {str(k): str(v) for k, v in labels.items()}}


def _rule(direction: str, rule: Any, vms: set[str]) -> dict[str, Any]:
    if not isinstance(rule, dict) or set(rule) - {PEER_KEY[direction], "ports"}:
        raise NotExpressible(f"an {direction} rule with fields other than {PEER_KEY[direction]} and ports")
    out: dict[str, Any] = {}
    if rule.get(PEER_KEY[direction]):
        out["peers"] = [_peer(p, vms) for p in rule[PEER_KEY[direction]]]
    ports = []
    for port in rule.get("ports") or []:
        if not isinstance(port, dict) or not isinstance(port.get("port"), int) or set(port) - {"port", "protocol"}:
            raise NotExpressible("a named port, a port range or a port without number")
        entry: dict[str, Any] = {"port": port["port"]}
        if port.get("protocol", "TCP") != "TCP":
            entry["protocol"] = port["protocol"]
        ports.append(entry)
    if ports:
        out["ports"] = ports
    return out


def _policy(spec: Any, vms: set[str]) -> dict[str, Any]:
    if not isinstance(spec, dict) or spec.get("podSelector") not in ({}, None):
        raise NotExpressible("it selects some pods of the network (a plan policy applies to all its VMs)")
    types = spec.get("policyTypes")
    if types is None:
        types = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    out: dict[str, Any] = {}
    for direction in ("ingress", "egress"):
        if direction.capitalize() in types:
            out[direction] = [_rule(direction, r, vms) for r in spec.get(direction) or []]
    return out


def _network(found: Found, conv: Conversion) -> Key:
    """The one plan network whose NADs ``policy-for`` names."""
    nads = {(n.found.namespace, n.found.name): n for seg in conv.segments for n in seg.nads}
    ann = found.get("metadata", "annotations", POLICY_FOR)
    keys = {resolve_ref(n.strip(), found.namespace, nads) for n in str(ann or "").split(",") if n.strip()}
    segs = {id(conv.segment_of[k]): conv.segment_of[k] for k in keys if k is not None and k in conv.segment_of}
    if None in keys or len(segs) != 1:
        raise NotExpressible("its policy-for names NADs not in the input or of several networks")
    seg = next(iter(segs.values()))
    return seg.namespace, seg.name


def import_policies(policies: Sequence[Found], conv: Conversion,
                    networks: dict[Key, dict[str, Any]]) -> list[Diagnostic]:
    """Set ``policy`` on the imported network entries (``networks``: (namespace, name) -> entry)
    from ``policies``; KV311 for each policy left out and why."""
    vms = {(vm.found.namespace, vm.found.name) for vm, _, _ in conv.vms}
    out: list[Diagnostic] = []
    for found in policies:
        try:
            key = _network(found, conv)
            entry = networks.get(key)
            if entry is None:
                raise NotExpressible(f"its network {key[1]!r} is not imported")
            if "policy" in entry:
                raise NotExpressible(f"network {key[1]!r} already has a policy (a plan network has one)")
            entry["policy"] = _policy(found.get("spec"), {name for ns, name in vms if ns == key[0]})
            if found.name != key[1]:
                out.append(warning(CANNOT_EXPRESS, f"{found.label}: imported as the policy of network {key[1]!r}; "
                                   f"kvnet build names it {key[1]!r}", found.loc("metadata", "name")))
        except NotExpressible as why:
            out.append(warning(CANNOT_EXPRESS, f"{found.label} is not imported: {why}", found.loc("kind"),
                               hint="keep applying it as it is, beside the plan's output"))
    return out
