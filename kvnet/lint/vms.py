"""VirtualMachines, VirtualMachineInstances and VirtualMachinePool templates from existing
manifests: their networks and interfaces as KubeVirt pairs them (by name), and the guest
addresses their cloud-init networkData gives (SPEC §8 "each VirtualMachine").
"""

from __future__ import annotations

from kvnet.record import dataclass, field
from typing import Any

from kvnet.diagnostics import Loc
from kvnet.input.loader import PathT
from kvnet.lint.objects import VMI_SPEC_PATH, Found
from kvnet.outputcheck.admission import BINDING_KEYS as ADMISSION_BINDING_KEYS
from kvnet.outputcheck.admission import MAC_RE

#: interface keys that choose a KubeVirt binding (KubeVirt API v1 Interface) by their name; the
#: network binding plugin form is ``binding: {name: ...}``
BINDING_KEYS = tuple(k for k in ADMISSION_BINDING_KEYS if k not in ("binding", "passtBinding"))
#: KubeVirt's interface states (api core/v1 InterfaceState); another value is an admission problem
KNOWN_STATES = ("up", "down", "absent")


@dataclass
class VmNic:
    """One interface paired with its network: ``source`` 'pod', 'multus' or '' (neither)."""

    name: str
    index: int
    iface_path: PathT
    net_path: PathT | None
    source: str = ""
    network_name: str | None = None  # multus.networkName as written
    binding: str | None = None
    binding_path: PathT | None = None
    mac: str | None = None
    model: str | None = None
    state: str | None = None  # KubeVirt interface state as written, when it is one KubeVirt knows
    address: str | None = None  # from networkData, "ip/prefix"
    address_loc: Loc | None = None


@dataclass
class VmInfo:
    found: Found
    spec_path: PathT
    nics: list[VmNic] = field(default_factory=list)

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.found.get(*self.spec_path)
        return spec if isinstance(spec, dict) else {}

    def loc(self, *sub: Any, key: bool = False) -> Loc:
        return self.found.loc(*self.spec_path, *sub, key=key)


def _binding(iface: dict[str, Any]) -> tuple[str | None, str | None]:
    """(binding, the key that names it)."""
    for k in BINDING_KEYS:
        if k in iface:
            return k, k
    plugin = iface.get("binding")
    if isinstance(plugin, dict) and isinstance(plugin.get("name"), str):
        return plugin["name"], "binding"
    return None, None


def _nets_by_name(networks: object) -> dict[str, int]:
    """``spec.networks`` name -> its first index (KubeVirt matches interfaces to networks by name)."""
    out: dict[str, int] = {}
    for k, net in enumerate(networks if isinstance(networks, list) else []):
        if isinstance(net, dict) and isinstance(net.get("name"), str):
            out.setdefault(net["name"], k)
    return out


def _set_source(nic: VmNic, net: dict[str, Any]) -> None:
    """``nic``'s source from its ``spec.networks`` entry: ``pod``, or ``multus`` with its
    ``networkName`` (KubeVirt's Network source union, pkg/virt-api/webhooks)."""
    if "pod" in net:
        nic.source = "pod"
    elif isinstance(net.get("multus"), dict):
        nic.source = "multus"
        ref = net["multus"].get("networkName")
        nic.network_name = ref if isinstance(ref, str) and ref else None


def _nic(iface: dict[str, Any], i: int, j: int | None, networks: object) -> VmNic:
    """The VmNic of interface ``i`` (``iface``), its network at index ``j`` of ``networks``."""
    path = ("domain", "devices", "interfaces", i)
    nic = VmNic(iface["name"], i, path, ("networks", j) if j is not None else None)
    nic.binding, bkey = _binding(iface)
    nic.binding_path = path + (bkey,) if bkey else None
    mac = iface.get("macAddress")
    nic.mac = mac if isinstance(mac, str) and MAC_RE.match(mac) else None
    nic.model = iface.get("model") if isinstance(iface.get("model"), str) else None
    nic.state = iface["state"] if iface.get("state") in KNOWN_STATES else None
    if j is not None and isinstance(networks, list):
        _set_source(nic, networks[j])
    return nic


def read_vm(found: Found) -> VmInfo:
    """The interfaces of ``found`` in interface order, each with its network (by name)."""
    info = VmInfo(found, VMI_SPEC_PATH[found.kind])
    spec = info.spec
    networks = spec.get("networks")
    devices = (spec.get("domain") or {}).get("devices") if isinstance(spec.get("domain"), dict) else None
    ifaces = devices.get("interfaces") if isinstance(devices, dict) else None
    nets_by_name = _nets_by_name(networks)
    if not isinstance(ifaces, list):
        if networks is None:  # KubeVirt attaches the pod network itself
            info.nics.append(VmNic("default", 0, (), None, source="pod"))
        return info
    for i, iface in enumerate(ifaces):
        if isinstance(iface, dict) and isinstance(iface.get("name"), str):
            info.nics.append(_nic(iface, i, nets_by_name.get(iface["name"]), networks))
    return info
