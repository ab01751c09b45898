"""Plan VMs from the VirtualMachines of existing manifests (``kvnet import``, SPEC §8).

What a NetworkPlan VM has a field for is taken out of the VM (interfaces, root disk, cloud-init,
cores, memory, labels, annotations); the rest of ``spec.template.spec`` becomes ``template``.
"""

from __future__ import annotations

import copy
import ipaddress
from kvnet.record import replace
from typing import Any

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error, shorten, warning
from kvnet.expand.vms import CLOUD_INIT_DISK, ROOT_DISK
from kvnet.importer.families import marks_default_route
from kvnet.input.facts import default_binding
from kvnet.input.model import POD_NETWORK, Interface
from kvnet.input.model import VM as ModelVM
from kvnet.labels import MANAGED_BY, SYNC_WAVE, WAVE_VM
from kvnet.lint.netdata import CloudInit
from kvnet.lint.objects import VM
from kvnet.lint.vms import VmInfo
from kvnet.netmath import bounded_name

CANNOT_EXPRESS = "KV311"
LOST_NIC = "KV053"  # an interface the plan cannot carry: import fails rather than lose the NIC (issue 26)


def _note(vm: VmInfo, what: str, *path: Any) -> Diagnostic:
    return warning(CANNOT_EXPRESS, f"{vm.found.kind} {shorten(repr(vm.found.name))}: {what}",
                   vm.loc(*path, key=True) if path else vm.found.loc("metadata", "name"),
                   hint="the imported plan cannot say this; kvnet build gives what the message says")


def _lost(vm: VmInfo, nic: Any, why: str, hint: str) -> Diagnostic:
    return error(LOST_NIC, f"{vm.found.kind} {shorten(repr(vm.found.name))}: interface {nic.name!r} {why}: the plan "
                 "would lose this NIC", vm.loc(*nic.iface_path, key=True), hint=hint)


def _m(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (the shape of input is not trusted)."""
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _disks(spec: dict[str, Any]) -> list[Any]:
    return _l(_m(_m(spec.get("domain")).get("devices")).get("disks"))


def _kvnet_free(mapping: Any, wave: bool) -> dict[str, str]:
    """User labels/annotations: kvnet's own (and its default sync wave) left out."""
    if not isinstance(mapping, dict):
        return {}
    out = {}
    for k, v in mapping.items():
        if k == MANAGED_BY or str(k).startswith("kvnet.dev/") or (wave and k == SYNC_WAVE and v == WAVE_VM):
            continue
        out[str(k)] = v
    return out


def _take_root(vm: VmInfo, spec: dict[str, Any], entry: dict[str, Any], out: list[Diagnostic]) -> None:
    disks = _disks(spec)
    volumes = _l(spec.get("volumes"))
    if not disks or not isinstance(disks[0], dict):
        return
    name = disks[0].get("name")
    vol = next((v for v in volumes if isinstance(v, dict) and v.get("name") == name), None)
    if vol is None:
        return
    if isinstance(vol.get("containerDisk"), dict) and set(vol["containerDisk"]) == {"image"}:
        entry["image"] = vol["containerDisk"]["image"]
    elif isinstance(vol.get("persistentVolumeClaim"), dict) and set(vol["persistentVolumeClaim"]) == {"claimName"}:
        entry["rootDisk"] = {"pvc": vol["persistentVolumeClaim"]["claimName"]}
    elif isinstance(vol.get("dataVolume"), dict) and set(vol["dataVolume"]) == {"name"}:
        entry["rootDisk"] = {"dataVolume": vol["dataVolume"]["name"]}
    else:
        return
    if name != ROOT_DISK or disks[0] != {"name": name, "disk": {"bus": "virtio"}}:
        out.append(_note(vm, f"root disk {name!r} becomes disk {ROOT_DISK!r} on the virtio bus",
                         "domain", "devices", "disks", 0))
    disks.pop(0)
    volumes.remove(vol)


def _take_cloud_init(vm: VmInfo, ci: CloudInit, spec: dict[str, Any], entry: dict[str, Any],
                     out: list[Diagnostic]) -> None:
    volumes = _l(spec.get("volumes"))
    cloud: dict[str, Any] = {}
    if ci.volume_index is None:
        entry["cloudInit"] = {"networkData": "none"}
        return
    vol = vm.spec["volumes"][ci.volume_index]
    if ci.user_data is not None:
        cloud["userData"] = ci.user_data
    elif "userData" in ci.unread:
        out.append(_note(vm, f"userData is left out: {ci.unread['userData']}", "volumes", ci.volume_index))
    if "networkData" in ci.unread:
        out.append(_note(vm, f"networkData is left out ({ci.unread['networkData']}): the plan VM gets kvnet's "
                             "own, from its interfaces' addresses", "volumes", ci.volume_index))
    if ci.network_data is None:
        cloud["networkData"] = "none"
    if ci.source != "cloudInitNoCloud":
        out.append(_note(vm, f"{ci.source} becomes cloudInitNoCloud", "volumes", ci.volume_index))
    if cloud:
        entry["cloudInit"] = cloud
    disks = _disks(spec)
    for d in list(disks):
        if isinstance(d, dict) and d.get("name") == vol.get("name"):
            disks.remove(d)
            if vol.get("name") != CLOUD_INIT_DISK:
                out.append(_note(vm, f"cloud-init disk {vol.get('name')!r} becomes {CLOUD_INIT_DISK!r}",
                                 "volumes", ci.volume_index))
    spec["volumes"] = [v for v in volumes if not (isinstance(v, dict) and v.get("name") == vol.get("name"))]


def _take_resources(spec: dict[str, Any], entry: dict[str, Any]) -> None:
    domain = _m(spec.get("domain"))
    cpu = domain.get("cpu")
    if isinstance(cpu, dict) and isinstance(cpu.get("cores"), int) and not isinstance(cpu["cores"], bool):
        entry["cpu"] = cpu.pop("cores")
    requests = _m(domain.get("resources")).get("requests")
    if isinstance(requests, dict) and isinstance(requests.get("memory"), str):
        entry["memory"] = requests.pop("memory")


def _drop_emptied(spec: dict[str, Any]) -> None:
    """Remove the containers that taking fields out left empty (a user's own ``{}`` stays:
    in KubeVirt it often means 'on', as in ``features: {acpi: {}}``)."""
    domain = spec.get("domain")
    if isinstance(domain, dict):
        resources = domain.get("resources")
        if isinstance(resources, dict) and resources.get("requests") == {}:
            resources.pop("requests")
        for key in ("cpu", "resources"):
            if domain.get(key) == {}:
                domain.pop(key)
        devices = domain.get("devices")
        if isinstance(devices, dict):
            for key in ("disks", "interfaces"):
                if devices.get(key) == []:
                    devices.pop(key)
            if devices == {}:
                domain.pop("devices")
        if domain == {}:
            spec.pop("domain")
    for key in ("volumes", "networks"):
        if spec.get(key) == []:
            spec.pop(key)


def _external(vm: VmInfo, nic: Any, externals: dict[str, dict[str, Any]], types: dict[str, str],
              out: list[Diagnostic]) -> Any:
    """An interface on a NAD that is not in the input, as an ``external`` network (SPEC §9):
    kvnet attaches to it and emits nothing for it. Returns the plan interface, or None."""
    ns, _, name = str(nic.network_name).rpartition("/")
    ns = ns or vm.found.namespace
    if not ns:
        out.append(_lost(vm, nic, f"names NAD {nic.network_name!r}, which is not in the input, without a namespace "
                                  "(an external network needs one)",
                         "give the namespace these manifests are applied in: kvnet import -n NAMESPACE (as kubectl "
                         "apply -n), or import the NAD with the VM"))
        return None
    nad = f"{ns}/{name}"
    # one external network per NAD; named after the interface, unless another network of the
    # plan has that name: then after the NAD (<namespace>-<name>), numbered if need be
    same = [n for n, e in externals.items() if e["nad"] == nad]
    candidates = same or [nic.name, bounded_name(f"{ns}-{name}")] + [bounded_name(f"{ns}-{name}-{i}")
                                                                        for i in range(2, 10)]
    network = next((n for n in candidates if n not in types and externals.get(n, {"nad": nad})["nad"] == nad), None)
    if network is None:
        out.append(_lost(vm, nic, f"(NAD {nad!r}): every name an external network could take is another network's",
                         "rename the interface in the input"))
        return None
    externals.setdefault(network, {"name": network, "type": nettypes.EXTERNAL_TYPE, "nad": nad})
    return Interface(network=network, where=None, index=nic.index, mac=nic.mac,  # type: ignore[arg-type]
                     binding=nic.binding, model=nic.model, state=nic.state)


def _guest_address(iface: Interface, network: dict[str, Any], ci: CloudInit, nic: Any) -> Interface:
    """The address the guest's networkData gives an interface on an external network (matched
    by MAC, else ``eth<N>``), with its subnet and gateway on the network: nothing of it is in a
    NAD kvnet does not own, and a plan VM's networkData is written from these."""
    addresses = ci.address_for(nic.mac, nic.index)
    if not addresses or any("/" not in a for a in addresses):
        return iface
    subnets = [str(ipaddress.ip_interface(a).network) for a in addresses]
    network.setdefault("subnet", subnets[0] if len(subnets) == 1 else subnets)
    guest = ci.segment_for(nic.mac, nic.index)
    if isinstance(guest.get("gateway"), str):
        network.setdefault("gateway", guest["gateway"])
    return replace(iface, addresses=addresses)


def interfaces_entry(vm: VmInfo, model: ModelVM, types: dict[str, str], out: list[Diagnostic],
                     externals: dict[str, dict[str, Any]], ci: CloudInit, names: dict[str, str]) -> list[Any]:
    """The plan interfaces, in interface order, from the model the lint front-end built;
    ``externals`` collects the external networks of NADs not in the input. The secondary NIC whose
    networkData carries the guest's default route says so (``defaultRoute: true``, SPEC §3)."""
    by_index = {i.index: replace(i, network=names.get(i.network, i.network)) for i in model.interfaces}
    entries: list[dict[str, Any]] = []
    for nic in vm.nics:
        iface = by_index.get(nic.index)
        foreign = iface is not None and iface.network != POD_NETWORK and iface.network not in types
        if (iface is None or foreign) and nic.source == "multus" and nic.network_name:
            # a NAD not in the input, or in another plan (namespace): an external network here
            iface = _external(vm, nic, externals, types, out)
            if iface is not None:
                types = {**types, iface.network: nettypes.EXTERNAL_TYPE}
                iface = _guest_address(iface, externals[iface.network], ci, nic)
        if iface is None or (iface.network != POD_NETWORK and iface.network not in types):
            if not any(d.code == LOST_NIC and d.line == vm.loc(*nic.iface_path, key=True).line for d in out):
                out.append(_lost(vm, nic, "is on a network no NetworkPlan can express",
                                 "attach it to a NAD of a type kvnet knows, or keep this VM out of the plan"))
            continue
        if nic.name != iface.network:
            out.append(_note(vm, f"interface {nic.name!r} is named {iface.network!r} (kvnet names an interface "
                                 "after its network)", *nic.iface_path))
        e: dict[str, Any] = {"network": iface.network}
        if iface.addresses:
            e["address"] = iface.address if len(iface.addresses) == 1 else list(iface.addresses)
        if iface.mac:
            e["mac"] = iface.mac
        net_type = "pod" if iface.network == POD_NETWORK else types[iface.network]
        if iface.binding and iface.binding != default_binding(net_type):
            e["binding"] = iface.binding
        if iface.model:
            e["model"] = iface.model
        if iface.state:
            e["state"] = iface.state
        if iface.vlans:
            e["vlans"] = [{"id": v.id, "address": v.addresses[0] if len(v.addresses) == 1 else list(v.addresses)}
                          for v in iface.vlans]
        if marks_default_route(iface, ci):
            e["defaultRoute"] = True
        entries.append(e)
    return entries


def vm_entry(vm: VmInfo, ci: CloudInit, model: ModelVM, types: dict[str, str],
             out: list[Diagnostic], externals: dict[str, dict[str, Any]],
             names: dict[str, str] | None = None) -> dict[str, Any]:
    """One plan VM; KV311 for what the plan cannot say; external networks into ``externals``;
    ``names``: the model's network names that differ in the plan (``<namespace>/<name>``)."""
    found = vm.found
    if found.kind != VM:
        out.append(_note(vm, "imported as a VirtualMachine"))
    entry: dict[str, Any] = {"name": found.name}
    data_spec = found.get("spec") if isinstance(found.get("spec"), dict) else {}
    strategy = data_spec.get("runStrategy") if found.kind == VM else None
    if found.kind == VM and "running" in data_spec:
        strategy = "Always" if data_spec.get("running") else "Halted"
    if isinstance(strategy, str) and strategy != "Always":
        entry["runStrategy"] = strategy
    spec = copy.deepcopy(vm.spec)
    _take_resources(spec, entry)
    _take_root(vm, spec, entry, out)
    if "image" not in entry and "rootDisk" not in entry:
        out.append(_note(vm, "no containerDisk, PVC or DataVolume as its first disk: a plan VM needs 'image' "
                             "or 'rootDisk'; add one to the imported plan"))
    _take_cloud_init(vm, ci, spec, entry, out)
    entry["interfaces"] = interfaces_entry(vm, model, types, out, externals, ci, names or {})
    for key, wave in (("labels", False), ("annotations", True)):
        values = _kvnet_free(found.get("metadata", key), wave)
        if values:
            entry[key] = values
    spec.pop("networks", None)
    _m(_m(spec.get("domain")).get("devices")).pop("interfaces", None)
    _drop_emptied(spec)
    if spec:
        entry["template"] = spec
    if found.kind == VM:
        other = sorted(k for k in data_spec if k not in ("runStrategy", "running", "template"))
        if other:
            out.append(warning(CANNOT_EXPRESS, f"VirtualMachine {found.name!r}: spec fields a plan has no place "
                               f"for: {', '.join(other)}", found.loc("spec", other[0], key=True),
                               hint="the imported plan leaves them out"))
    return entry
