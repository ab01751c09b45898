"""KubeVirt's admission rules for a VirtualMachine, as kvnet must satisfy them.

The upstream JSON schema is structural only; these are rules KubeVirt's
validating webhook applies to networks and interfaces, disks and volumes.
"""

from __future__ import annotations

import re
from typing import Any

from kvnet.outputcheck.problem import Problem

VOLUME_SOURCES = ("containerDisk", "persistentVolumeClaim", "dataVolume", "cloudInitNoCloud", "cloudInitConfigDrive",
                  "emptyDisk", "ephemeral", "hostDisk", "configMap", "secret", "serviceAccount", "sysprep",
                  "downwardAPI", "downwardMetrics", "memoryDump")
DISK_TYPES = ("disk", "cdrom", "lun")
BINDING_KEYS = ("masquerade", "bridge", "sriov", "slirp", "macvtap", "passt", "binding", "passtBinding")
MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
SPEC = ("spec", "template", "spec")
NETWORKS = (*SPEC, "networks")
INTERFACES = (*SPEC, "domain", "devices", "interfaces")
VOLUMES = (*SPEC, "volumes")
DISKS = (*SPEC, "domain", "devices", "disks")


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def check_vm_networks(vm: dict[str, Any]) -> list[Problem]:
    """Networks and interfaces pair up 1:1 by name, one source per network, one binding per
    interface, masquerade only on the pod network, MAC addresses well formed."""
    spec = _get(vm, "spec", "template", "spec")
    networks = _get(spec, "networks")
    ifaces = _get(spec, "domain", "devices", "interfaces")
    if not isinstance(networks, list) or not isinstance(ifaces, list) \
            or not all(isinstance(x, dict) for x in networks + ifaces):
        return [Problem(SPEC, "spec.template.spec: networks and domain.devices.interfaces must be lists of mappings")]
    out: list[Problem] = []
    for path, items, what in ((NETWORKS, networks, "network"), (INTERFACES, ifaces, "interface")):
        for index, item in enumerate(items):
            if not isinstance(item.get("name"), str) or not item["name"]:
                out.append(Problem((*path, index, "name"), f"{what} name {item.get('name')!r} is not a string "
                                   "(the API server refuses the object)"))
    net_names = [n.get("name") for n in networks]
    if_names = [i.get("name") for i in ifaces]
    if len(set(map(repr, net_names))) != len(net_names):
        out.append(Problem(NETWORKS, "networks: duplicate names"))
    if len(set(map(repr, if_names))) != len(if_names):
        out.append(Problem(INTERFACES, "interfaces: duplicate names"))
    if sorted(map(str, net_names)) != sorted(map(str, if_names)):
        out.append(Problem(NETWORKS, f"networks {net_names} and interfaces {if_names} do not match 1:1"))
    pods = [n for n in networks if "pod" in n]
    if len(pods) > 1:
        out.append(Problem(NETWORKS, "more than one pod network"))
    kinds = {repr(n.get("name")): ("pod" if "pod" in n else "multus" if "multus" in n else "?") for n in networks}
    for index, n in enumerate(networks):
        sources = [k for k in ("pod", "multus") if k in n]
        if len(sources) != 1:
            out.append(Problem((*NETWORKS, index), f"network {n.get('name')!r}: needs exactly one of pod, multus"))
    for index, i in enumerate(ifaces):
        name = i.get("name")
        bindings = [k for k in BINDING_KEYS if k in i]
        if len(bindings) != 1:
            out.append(Problem((*INTERFACES, index),
                               f"interface {name!r}: needs exactly one binding, has {bindings or 'none'}"))
            continue
        if bindings[0] == "masquerade" and kinds.get(repr(name)) != "pod":
            out.append(Problem((*INTERFACES, index, "masquerade"),
                               f"interface {name!r}: masquerade is only allowed on the pod network"))
        mac = i.get("macAddress")
        if mac is not None and not MAC_RE.match(str(mac)):
            out.append(Problem((*INTERFACES, index, "macAddress"),
                               f"interface {name!r}: macAddress {mac!r} is not a MAC address"))
        out.extend(_state_problems(index, i, bindings[0], kinds.get(repr(name)) == "pod"))
    return out


def _state_problems(index: int, iface: dict[str, Any], binding: str, pod: bool) -> list[Problem]:
    """KubeVirt's rules on an interface's ``state`` (pkg/network/admitter/admit.go
    ``validateInterfaceStateValue``): absent, down or up (or none); not up/down on SR-IOV; absent
    only with the bridge binding and not on the pod network."""
    state = iface.get("state")
    if state is None:
        return []
    at, name = (*INTERFACES, index, "state"), iface.get("name")
    if state not in ("absent", "down", "up"):
        return [Problem(at, f"interface {name!r}: state {state!r} is not one of absent, down, up")]
    out: list[Problem] = []
    if binding == "sriov" and state in ("up", "down"):
        out.append(Problem(at, f"interface {name!r}: state {state!r} is not supported for SR-IOV NICs"))
    if state == "absent" and binding != "bridge":
        out.append(Problem(at, f"interface {name!r}: state 'absent' is supported only for the bridge binding"))
    if state == "absent" and pod:
        out.append(Problem(at, f"interface {name!r}: state 'absent' is not supported on the pod network"))
    return out


def check_vm_storage(vm: dict[str, Any]) -> list[Problem]:
    """One source per volume, one device type per disk, and a volume for every disk."""
    spec = _get(vm, "spec", "template", "spec")
    volumes = _get(spec, "volumes") or []
    disks = _get(spec, "domain", "devices", "disks") or []
    if not isinstance(volumes, list) or not isinstance(disks, list):
        return []  # the schema reports the types
    out: list[Problem] = []
    names: set[str] = set()
    for index, v in enumerate(volumes):
        if not isinstance(v, dict):
            continue
        if isinstance(v.get("name"), str):
            names.add(v["name"])
        sources = [k for k in VOLUME_SOURCES if k in v]
        if len(sources) > 1:
            out.append(Problem((*VOLUMES, index),
                               f"volume {v.get('name')!r} has more than one source: {', '.join(sources)}"))
    for index, d in enumerate(disks):
        if not isinstance(d, dict):
            continue
        kinds = [k for k in DISK_TYPES if k in d]
        if len(kinds) > 1:
            out.append(Problem((*DISKS, index),
                               f"disk {d.get('name')!r} is more than one device type: {', '.join(kinds)}"))
        if isinstance(d.get("name"), str) and d["name"] not in names:
            out.append(Problem((*DISKS, index, "name"), f"disk {d.get('name')!r} has no volume of the same name"))
    return out
