"""KubeVirt's admission rules for a VirtualMachine, as kvnet must satisfy them.

The upstream JSON schema is structural only; these are rules KubeVirt's
validating webhook applies to networks and interfaces, disks and volumes.
"""

from __future__ import annotations

import re
from typing import Any

from kvnet.outputcheck.problem import Cause, Problem

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


def _subject(kind: str, name: Any) -> tuple[str, str] | None:
    """The element a problem is about, as its message quotes it (``interface 'eth0'``): the name
    as written between the quotes of its ``repr``; None for a name that is not a string."""
    text = repr(name) if isinstance(name, str) else ""
    return (kind, text[1:text.index("'", 1)]) if text.startswith("'") else None


def check_vm_networks(vm: dict[str, Any]) -> list[Problem]:
    """Networks and interfaces pair up 1:1 by name, one source per network, one binding per
    interface, masquerade only on the pod network, MAC addresses well formed: each a named
    validator of KubeVirt's admitter (pkg/network/admitter/admit.go), run in this order."""
    spec = _get(vm, "spec", "template", "spec")
    networks = _get(spec, "networks")
    ifaces = _get(spec, "domain", "devices", "interfaces")
    if not isinstance(networks, list) or not isinstance(ifaces, list) \
            or not all(isinstance(x, dict) for x in networks + ifaces):
        return [Problem(SPEC, "spec.template.spec: networks and domain.devices.interfaces must be lists of mappings",
                        Cause.NOT_LISTS)]
    out: list[Problem] = []
    for validator in NETWORK_VALIDATORS:
        out.extend(validator(networks, ifaces))
    return out


def names_are_strings(networks: list[dict[str, Any]], ifaces: list[dict[str, Any]]) -> list[Problem]:
    """Every network and interface has a non-empty string name (the API server's schema)."""
    out: list[Problem] = []
    for path, items, what in ((NETWORKS, networks, "network"), (INTERFACES, ifaces, "interface")):
        for index, item in enumerate(items):
            if not isinstance(item.get("name"), str) or not item["name"]:
                out.append(Problem((*path, index, "name"), f"{what} name {item.get('name')!r} is not a string "
                                   "(the API server refuses the object)", Cause.NAME_TYPE))
    return out


def names_pair_up(networks: list[dict[str, Any]], ifaces: list[dict[str, Any]]) -> list[Problem]:
    """Names unique among networks and among interfaces, and the two sets equal (admit.go
    ``validateNetworksMatchInterfaces``, ``validateInterfaceNetworkNamesUniqueness``)."""
    out: list[Problem] = []
    net_names = [n.get("name") for n in networks]
    if_names = [i.get("name") for i in ifaces]
    if len(set(map(repr, net_names))) != len(net_names):
        out.append(Problem(NETWORKS, "networks: duplicate names", Cause.DUPLICATE))
    if len(set(map(repr, if_names))) != len(if_names):
        out.append(Problem(INTERFACES, "interfaces: duplicate names", Cause.DUPLICATE))
    if sorted(map(str, net_names)) != sorted(map(str, if_names)):
        out.append(Problem(NETWORKS, f"networks {net_names} and interfaces {if_names} do not match 1:1",
                           Cause.UNPAIRED))
    return out


def network_sources(networks: list[dict[str, Any]], ifaces: list[dict[str, Any]]) -> list[Problem]:
    """At most one pod network, and each network exactly one of pod, multus (admit.go
    ``validateNetworksAssignedToInterfaces``, ``validateSinglePodNetwork``)."""
    out: list[Problem] = []
    if len([n for n in networks if "pod" in n]) > 1:
        out.append(Problem(NETWORKS, "more than one pod network", Cause.POD_NETWORKS))
    for index, n in enumerate(networks):
        if len([k for k in ("pod", "multus") if k in n]) != 1:
            out.append(Problem((*NETWORKS, index), f"network {n.get('name')!r}: needs exactly one of pod, multus",
                               Cause.NETWORK_SOURCE, _subject("network", n.get("name"))))
    return out


def interface_bindings(networks: list[dict[str, Any]], ifaces: list[dict[str, Any]]) -> list[Problem]:
    """One binding per interface, masquerade only on the pod network, a well-formed MAC, a state
    KubeVirt allows (admit.go ``validateInterfaceBinding``, ``validateMacAddress``)."""
    kinds = {repr(n.get("name")): ("pod" if "pod" in n else "multus" if "multus" in n else "?") for n in networks}
    out: list[Problem] = []
    for index, i in enumerate(ifaces):
        name = i.get("name")
        subject = _subject("interface", name)
        bindings = [k for k in BINDING_KEYS if k in i]
        if len(bindings) != 1:
            out.append(Problem((*INTERFACES, index), f"interface {name!r}: needs exactly one binding, has "
                               f"{bindings or 'none'}", Cause.BINDINGS if bindings else Cause.NO_BINDING, subject))
            continue
        if bindings[0] == "masquerade" and kinds.get(repr(name)) != "pod":
            out.append(Problem((*INTERFACES, index, "masquerade"),
                               f"interface {name!r}: masquerade is only allowed on the pod network",
                               Cause.MASQUERADE, subject))
        mac = i.get("macAddress")
        if mac is not None and not MAC_RE.match(str(mac)):
            out.append(Problem((*INTERFACES, index, "macAddress"),
                               f"interface {name!r}: macAddress {mac!r} is not a MAC address", Cause.MAC, subject))
        out.extend(_state_problems(index, i, bindings[0], kinds.get(repr(name)) == "pod"))
    return out


NETWORK_VALIDATORS = (names_are_strings, names_pair_up, network_sources, interface_bindings)


def _state_problems(index: int, iface: dict[str, Any], binding: str, pod: bool) -> list[Problem]:
    """KubeVirt's rules on an interface's ``state`` (pkg/network/admitter/admit.go
    ``validateInterfaceStateValue``): absent, down or up (or none); not up/down on SR-IOV; absent
    only with the bridge binding and not on the pod network."""
    state = iface.get("state")
    if state is None:
        return []
    at, name = (*INTERFACES, index, "state"), iface.get("name")
    subject = _subject("interface", name)
    if state not in ("absent", "down", "up"):
        return [Problem(at, f"interface {name!r}: state {state!r} is not one of absent, down, up", Cause.STATE,
                        subject)]
    out: list[Problem] = []
    if binding == "sriov" and state in ("up", "down"):
        out.append(Problem(at, f"interface {name!r}: state {state!r} is not supported for SR-IOV NICs", Cause.STATE,
                           subject))
    if state == "absent" and binding != "bridge":
        out.append(Problem(at, f"interface {name!r}: state 'absent' is supported only for the bridge binding",
                           Cause.STATE, subject))
    if state == "absent" and pod:
        out.append(Problem(at, f"interface {name!r}: state 'absent' is not supported on the pod network",
                           Cause.STATE, subject))
    return out


def _volume_problems(volumes: list[Any]) -> tuple[list[Problem], set[str]]:
    """A volume with more than one source (KubeVirt pkg/virt-api/webhooks/validating-webhook/
    admitters/vmi-create-admitter.go validateVolumes), and the volume names."""
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
    return out, names


def _disk_problems(disks: list[Any], names: set[str]) -> list[Problem]:
    """A disk with more than one device type, or without a volume of its name (KubeVirt
    vmi-create-admitter.go validateDisks, validateDomainSpec)."""
    out: list[Problem] = []
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


def check_vm_storage(vm: dict[str, Any]) -> list[Problem]:
    """One source per volume, one device type per disk, and a volume for every disk."""
    spec = _get(vm, "spec", "template", "spec")
    volumes = _get(spec, "volumes") or []
    disks = _get(spec, "domain", "devices", "disks") or []
    if not isinstance(volumes, list) or not isinstance(disks, list):
        return []  # the schema reports the types
    out, names = _volume_problems(volumes)
    return out + _disk_problems(disks, names)
