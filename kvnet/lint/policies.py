"""Existing MultiNetworkPolicies (issue 24): the CRD's schema, and ``policy-for`` against the NADs
of the input. multi-networkpolicy and OVN-Kubernetes apply a policy to pods attached to a NAD its
``k8s.v1.cni.cncf.io/policy-for`` annotation names (comma-separated ``<namespace>/<name>`` or
``<name>`` in the policy's namespace): a policy naming a NAD no VM uses protects none of them."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.lint.convert import Conversion, NadKey, resolve_ref
from kvnet.lint.nad_network import network_from_nad
from kvnet.lint.nads import NadInfo
from kvnet.lint.objects import Found
from kvnet.lint.vms import VmInfo
from kvnet.netmath import bounded_name
from kvnet.resources import read_schema
from kvnet.rules.claims import describe, l2_segment
from kvnet.rules.enforcement import MULTI_NETWORKPOLICY, OVN_PLUGIN, unenforced
from kvnet.rules.policies import UNENFORCED

POLICY_FOR = "k8s.v1.cni.cncf.io/policy-for"
BROKEN = "KV324"
NOT_IN_INPUT = "KV325"
PROTECTS_NONE = "KV326"
Users = dict[NadKey, list[tuple[VmInfo, str]]]  # NAD -> (VM, its binding) attached to it


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(read_schema("multinetworkpolicy.json"))["properties"]["spec"])


def policy_findings(policies: Sequence[Found], conv: Conversion) -> list[Diagnostic]:
    """KV322, KV324-KV326 for every MultiNetworkPolicy of the input."""
    nads = {(n.found.namespace, n.found.name): n for seg in conv.segments for n in seg.nads}
    users = _users(conv, nads)
    out: list[Diagnostic] = []
    for found in policies:
        out.extend(_schema(found))
        ann = found.get("metadata", "annotations", POLICY_FOR)
        names = [n.strip() for n in ann.split(",") if n.strip()] if isinstance(ann, str) else []
        if not names:
            out.append(error(BROKEN, f"{found.label}: no {POLICY_FOR} annotation names the NADs it is for, "
                             "so no network applies it", found.loc("metadata", "name"),
                             hint=f"annotate it '{POLICY_FOR}: <nad>[,<namespace>/<nad>...]'"))
            continue
        at = found.loc("metadata", "annotations", POLICY_FOR)
        attached: list[tuple[NadInfo, list[str]]] = []
        for name in names:
            key = resolve_ref(name, found.namespace, nads)
            if key is None:
                out.append(_missing(found, name, at, users))
            elif users.get(key):
                attached.append((nads[key], [b for _, b in users[key]]))
            else:
                out.extend(_unused(found, name, nads[key], at, users, nads))
        out.extend(_enforcement(found, attached, at))
    return out


def _enforcement(found: Found, attached: list[tuple[NadInfo, list[str]]], at: Any) -> list[Diagnostic]:
    """KV322 once per reason: outside OVN-Kubernetes networks only the multi-networkpolicy daemons
    could enforce a policy, and KubeVirt's bindings bypass them (kvnet.rules.enforcement)."""
    reasons: dict[str, list[str]] = {}
    for info, bindings in attached:
        plugin = str((info.plugin or {}).get("type"))
        why = unenforced(plugin, bindings, None if plugin == OVN_PLUGIN else MULTI_NETWORKPOLICY)
        if why is not None:
            reasons.setdefault(why, []).append(info.found.name)
    return [warning(UNENFORCED, f"{found.label}: nothing enforces it on the VMs of NAD{'s' if len(names) > 1 else ''} "
                    f"{', '.join(names)}: {why}", at) for why, names in reasons.items()]


def _users(conv: Conversion, nads: dict[NadKey, NadInfo]) -> Users:
    out: Users = {}
    for vm, _, _ in conv.vms:
        for nic in vm.nics:
            if nic.source == "multus" and nic.network_name is not None:
                key = resolve_ref(nic.network_name, vm.found.namespace, nads)
                if key is not None:
                    out.setdefault(key, []).append((vm, nic.binding or "bridge"))
    return out


def _schema(found: Found) -> list[Diagnostic]:
    """The CRD's schema on ``spec``; unknown fields are left to the API server (it prunes them)."""
    out = []
    for err in _validator().iter_errors(found.get("spec")):
        if err.validator == "additionalProperties":
            continue
        path = ("spec", *err.absolute_path)
        out.append(error(BROKEN, f"{found.label}: {'.'.join(map(str, path))}: {err.message} (the "
                         "MultiNetworkPolicy CRD's schema: the API server refuses it)", found.loc(*path)))
    return out


def _missing(found: Found, name: str, at: Any, users: Users) -> Diagnostic:
    """KV325; when VMs attach to per-VM NADs ``<vm>-<name>`` (kvnet's static NADs), says so."""
    ns, _, bare = name.rpartition("/")
    ns = ns or found.namespace
    per_vm = sorted({key[1] for key, vms in users.items() if key[0] in (ns, "")
                     and any(key[1] == bounded_name(f"{vm.found.name}-{bare}") for vm, _ in vms)})
    if per_vm:
        return warning(PROTECTS_NONE, f"{found.label}: policy-for names NAD {name!r}, which is not in the input, "
                       f"while the VMs attach to the per-VM NADs {', '.join(per_vm)}: it protects none of them",
                       at, hint=f"name the NADs the VMs attach to: {','.join(per_vm)}")
    return warning(NOT_IN_INPUT, f"{found.label}: policy-for names NAD {name!r}, which is not in the input; "
                   "it is not checked", at, hint="lint the NAD together with the policy")


def _unused(found: Found, name: str, info: NadInfo, at: Any, users: Users,
            nads: dict[NadKey, NadInfo]) -> list[Diagnostic]:
    """KV326 when no VM uses NAD ``info`` but VMs use other NADs on its L2 segment."""
    seg = l2_segment(network_from_nad(info, name))
    if seg is None:
        return []
    others = sorted(key[1] for key, vms in users.items()
                    if vms and l2_segment(network_from_nad(nads[key], key[1])) == seg)
    if not others:
        return []
    return [warning(PROTECTS_NONE, f"{found.label}: policy-for names NAD {name!r}, which no VM uses, while the VMs "
                    f"on its segment ({describe(seg)}) attach to {', '.join(others)}: it protects none of them",
                    at, hint=f"name the NADs the VMs attach to: {','.join(others)}")]
