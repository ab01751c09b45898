"""``kvnet import``: existing NADs and VMs as a NetworkPlan (SPEC §8).

The same conversion as ``kvnet lint`` (:func:`kvnet.lint.assemble.assemble`), written out: one
plan per namespace, networks from NADs (:mod:`kvnet.importer.networks`), VMs with their
interfaces, MACs, addresses and the rest of their spec as ``template``
(:mod:`kvnet.importer.vms`). Input with lint errors is refused with those findings.
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, Loc, Report, shorten, warning
from kvnet.emit import dump_within
from kvnet.expand.cluster.macvtap import CONFIG as MACVTAP_CONFIG
from kvnet.expand.cluster.multus import DAEMON_CONFIG
from kvnet.expand.cluster.nodeconfig import NAME_PREFIX as NODE_NETWORK_PREFIX
from kvnet.importer.families import cluster_entry, pod_families
from kvnet.importer.networks import CANNOT_EXPRESS, network_entry
from kvnet.importer.policies import import_policies
from kvnet.importer.vms import vm_entry
from kvnet.input.loader import Document
from kvnet.input.model import API_VERSION, KIND
from kvnet.labels import PLAN_LABEL
from kvnet.lint import lint_documents
from kvnet.lint.convert import MISSING_NAD, Conversion
from kvnet.lint.objects import MNP, document_objects, find_objects
from kvnet.netmath import bounded_name
from kvnet.overlays import UPSTREAM_CONFIGMAP

DEFAULT_PLAN_NAME = "imported"


@dataclass
class ImportResult:
    """The plans (empty when the input has lint errors) and every finding and KV311 note."""

    plans: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _plan_name(labels: list[Any]) -> str:
    names = sorted({v for v in labels if isinstance(v, str) and v})
    return names[0] if len(names) == 1 else DEFAULT_PLAN_NAME


def guest_facts(conv: Conversion) -> dict[tuple[str, str], dict[str, Any]]:
    """(namespace, network) -> what the guests' networkData says of its segment (subnet, gateway,
    DNS): an L2 NAD (no IPAM) carries none of it; the first VM with a static address on it does."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    l2 = {(seg.namespace, seg.network.name) for seg in conv.segments if seg.network.ipam == "none"}
    for vm, ci, model in conv.vms:
        for iface in model.interfaces:
            key = (vm.found.namespace, iface.network)
            if not iface.addresses or key not in l2:
                continue
            facts = dict(ci.segment_for(iface.mac, iface.index))
            known = out.setdefault(key, {"address": iface.addresses})
            for name, value in facts.items():
                known.setdefault(name, value)  # the gateway shows only on a NIC carrying the default route
    return out


#: kinds a NetworkPlan states only as ``spec.cluster`` (kvnet build writes them from it)
NODE_SIDE_KINDS = ("DaemonSet", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                   "ConfigMap", "NodeNetworkConfigurationPolicy")
#: the ConfigMaps among them (Multus' daemon config, upstream's CNI config, macvtap's device plugin)
NODE_SIDE_CONFIGMAPS = (DAEMON_CONFIG, UPSTREAM_CONFIGMAP, MACVTAP_CONFIG)
#: kinds import reads (a Secret as the cloud-init data of a VM)
IMPORTED_KINDS = ("NetworkAttachmentDefinition", "VirtualMachine", "VirtualMachineInstance", "VirtualMachinePool",
                  "Secret", KIND, MNP)


def left_out(docs: Sequence[Document]) -> list[Diagnostic]:
    """KV311 for each top-level object import does not turn into plan fields (SPEC §8: "warns,
    per object, about what it cannot express"): node-side objects, whose plan form is
    ``spec.cluster``, and any other kind."""
    out: list[Diagnostic] = []
    for doc in docs:
        for data, path in document_objects(doc):
            if not isinstance(data.get("kind"), str) or data["kind"] in IMPORTED_KINDS:
                continue
            out.append(_left_out(data, doc.loc(path + ("kind",))))
    return out


def _left_out(data: dict[str, Any], at: Loc) -> Diagnostic:
    kind = data["kind"]
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    what = f"{kind} {shorten(repr(name))}" if isinstance(name, str) else kind
    own_configmap = name in NODE_SIDE_CONFIGMAPS or (isinstance(name, str) and name.startswith(NODE_NETWORK_PREFIX))
    if kind in NODE_SIDE_KINDS and (kind != "ConfigMap" or own_configmap):
        return warning(CANNOT_EXPRESS, f"{what} is not imported: a NetworkPlan states the node side as "
                       "spec.cluster, and kvnet build writes it from that", at,
                       hint="add spec.cluster (distribution, multus, plugins, nodeNetwork) to the plan by "
                            "hand; 'kvnet lint --distribution' checks the objects you have")
    return warning(CANNOT_EXPRESS, f"{what} is not networking kvnet imports; it is left out of the plan", at,
                   hint="keep applying it as it is, beside the plan's output")


def import_documents(docs: Sequence[Document]) -> ImportResult:
    """NetworkPlans (as data) reproducing the networking of ``docs``; KV311 for what they leave out."""
    linted = lint_documents(docs)
    if any(d.is_error for d in linted.diagnostics):
        return ImportResult([], linted.diagnostics)
    notes: list[Diagnostic] = list(linted.diagnostics) + left_out(docs)
    conv = linted.conversion
    assert conv is not None
    plans: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[Any]] = {}
    dists: dict[str, set[str]] = {}
    types: dict[str, dict[str, str]] = {}  # namespace -> network -> type
    names: dict[str, dict[str, str]] = {}  # namespace -> the model's name of a network -> the plan's
    for seg in conv.segments:
        names.setdefault(seg.namespace, {})[seg.network.name] = seg.name
    guest = guest_facts(conv)
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for seg in conv.segments:
        entry, dist = network_entry(seg, notes, guest.get((seg.namespace, seg.network.name)))
        if entry is None:
            continue
        entries[(seg.namespace, seg.name)] = entry
        types.setdefault(seg.namespace, {})[entry["name"]] = entry["type"]
        spec = plans.setdefault(seg.namespace, {"networks": [], "vms": []})
        spec["networks"].append(entry)
        labels.setdefault(seg.namespace, []).append(seg.nads[0].found.get("metadata", "labels", PLAN_LABEL))
        if dist:
            dists.setdefault(seg.namespace, set()).add(dist)
    notes += import_policies([f for f in find_objects(docs) if f.kind == MNP], conv, entries)
    externals: dict[str, dict[str, dict[str, Any]]] = {}
    for vm, ci, model in conv.vms:
        ns = vm.found.namespace
        spec = plans.setdefault(ns, {"networks": [], "vms": []})
        spec["vms"].append(vm_entry(vm, ci, model, types.get(ns, {}), notes, externals.setdefault(ns, {}),
                                    names.get(ns, {})))
        labels.setdefault(ns, []).append(vm.found.get("metadata", "labels", PLAN_LABEL))
    pod6, pod_notes = pod_families(conv.vms)
    notes += pod_notes
    # a VM network whose NAD is not in the input became an external network: said, not lost
    expressed = {("network", name) for ext in externals.values() for name in ext}
    notes = [d for d in notes if d.code != MISSING_NAD or d.about not in expressed]
    out = []
    plan_names = {ns: _plan_name(labels.get(ns, [])) for ns in plans}
    for ns in sorted(plans):
        plans[ns]["networks"].extend(e for e in externals.get(ns, {}).values()
                                     if e["name"] not in {n["name"] for n in plans[ns]["networks"]})
        spec = {k: v for k, v in plans[ns].items() if v}
        cluster = cluster_entry(sorted(dists[ns])[0] if ns in dists else None, pod6.get(ns, False))
        if cluster is not None:
            spec = {"cluster": cluster, **spec}
        name = plan_names[ns]
        if ns and list(plan_names.values()).count(name) > 1:  # one stream: same-named documents are one plan
            name = bounded_name(f"{name}-{ns}")
        meta: dict[str, Any] = {"name": name}
        if ns:
            meta["namespace"] = ns
        out.append({"apiVersion": API_VERSION, "kind": KIND, "metadata": meta, "spec": spec})
    notes = Report(notes).sorted()
    return ImportResult([] if any(d.is_error for d in notes) else out, notes)  # KV053: a NIC would be lost


def to_yaml(plans: Sequence[dict[str, Any]]) -> str:
    """The plans as one YAML stream (block style, keys in plan order, multi-line text as ``|``,
    PyYAML's default width of 80): kvnet's direct writer where it says the same bytes
    (:func:`kvnet.emit.dump_within`; 5,000 VMs: most of ``kvnet import``), else PyYAML."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    return "".join(dump_within(p, 80) or "---\n" + yaml.dump(p, Dumper=_Dumper, sort_keys=False,
                                                              default_flow_style=False, allow_unicode=True)
                   for p in plans)
