"""KubeVirt VirtualMachines (SPEC §3 VMs)."""

from __future__ import annotations

import base64
from typing import Any

from kvnet import labels as meta
from kvnet.expand.access import access_credentials, matchers, ssh_secret
from kvnet.expand.cloudinit import network_data
from kvnet.expand.configdrive import dump_network_data_json, network_data_json
from kvnet.expand.emitted import Emitted
from kvnet.expand.merge import deep_merge
from kvnet.expand.nads import NadRef, network_name_ref
from kvnet.expand.netplan_yaml import dump as dump_netplan
from kvnet.expand.userdata import DEFAULT_USER_DATA, add_update_events
from kvnet.input.facts import Facts, binding_of, network_type
from kvnet.input.model import CONFIG_DRIVE, NO_CLOUD, POD_NETWORK, VM, Plan
from kvnet.nettypes.bindings import is_plugin

CLOUD_INIT_INLINE_LIMIT = 2048  # KubeVirt rejects inline userData/networkData over 2048 bytes
ROOT_DISK = "rootdisk"
CLOUD_INIT_DISK = "cloudinitdisk"
DEFAULT_MEMORY = "1Gi"
#: the KubeVirt volume source of each datasource (KubeVirt API v1 Volume)
VOLUME_KIND = {NO_CLOUD: "cloudInitNoCloud", CONFIG_DRIVE: "cloudInitConfigDrive"}


def _binding_fields(binding: str) -> dict[str, Any]:
    """A core binding as ``<name>: {}``, a network binding plugin as ``binding: {name}`` (KubeVirt
    API v1 InterfaceBindingMethod / PluginBinding)."""
    if is_plugin(binding):
        return {"binding": {"name": binding}}
    return {binding: {}}


def _port(port: dict[str, Any]) -> dict[str, Any]:
    """One of ``ports`` as KubeVirt's Port (name, protocol, port; protocol default TCP, written)."""
    out: dict[str, Any] = {"port": port["port"], "protocol": port.get("protocol", "TCP")}
    if "name" in port:
        out["name"] = port["name"]
    return out


def _root_volume(vm: VM) -> dict[str, Any] | None:
    if vm.image:
        return {"name": ROOT_DISK, "containerDisk": {"image": vm.image}}
    if vm.root_disk and "pvc" in vm.root_disk:
        return {"name": ROOT_DISK, "persistentVolumeClaim": {"claimName": vm.root_disk["pvc"]}}
    if vm.root_disk and "dataVolume" in vm.root_disk:
        return {"name": ROOT_DISK, "dataVolume": {"name": vm.root_disk["dataVolume"]}}
    return None


def _template_sets_memory(template: dict[str, Any]) -> bool:
    domain = template.get("domain")
    if not isinstance(domain, dict):
        return False
    res = domain.get("resources")
    if isinstance(res, dict) and isinstance(res.get("requests"), dict) and "memory" in res["requests"]:
        return True
    return "memory" in domain


def _interfaces(plan: Plan, vm: VM, macs: dict[tuple[str, int], str],
                refs: dict[tuple[str, int], NadRef]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``domain.devices.interfaces`` and ``networks``, one entry each per plan interface, in order."""
    types = {n.name: n.type for n in plan.networks}
    interfaces: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    for iface in vm.interfaces:
        binding = binding_of(iface, network_type(types, iface.network))
        entry: dict[str, Any] = {"name": iface.network, **_binding_fields(binding),
                                 "macAddress": macs[(vm.name, iface.index)]}
        if iface.model:
            entry["model"] = iface.model
        if iface.ports:
            entry["ports"] = [_port(p) for p in iface.ports]
        if iface.state is not None:  # not given: KubeVirt's empty state, which "functions as 'up'"
            entry["state"] = iface.state
        interfaces.append(entry)
        if iface.network == POD_NETWORK:
            networks.append({"name": iface.network, "pod": {}})
        else:
            ref = refs[(vm.name, iface.index)]
            networks.append({"name": iface.network, "multus": {"networkName": network_name_ref(plan, ref.name)}})
    return interfaces, networks


def _user_data(vm: VM) -> str | None:
    """The userData to emit: with networkData ``auto``, the plan's userData with cloud-init's
    network update events added (kvnet.expand.userdata; rule KV234 reports when it cannot), or
    just those events when the plan gives none; else the plan's userData verbatim."""
    if vm.network_data != "auto":
        return vm.user_data
    if vm.user_data is None or not vm.user_data.strip():
        return DEFAULT_USER_DATA  # nothing of the user's to keep
    return add_update_events(vm.user_data).text


def _network_data_text(vm: VM, facts: Facts, macs: dict[tuple[str, int], str]) -> str:
    """networkData as the VM's datasource reads it: netplan v2 (NoCloud) or OpenStack
    network_data.json (ConfigDrive, kvnet.expand.configdrive)."""
    if vm.datasource == CONFIG_DRIVE:
        return dump_network_data_json(network_data_json(vm, facts, macs))
    return dump_netplan(network_data(vm, facts, macs))


def _cloud_init(plan: Plan, vm: VM, facts: Facts,
                macs: dict[tuple[str, int], str]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The ``cloudInitNoCloud`` volume source (empty: none) and the Secret holding whatever is
    over KubeVirt's 2048-byte inline limit (None: everything is inline)."""
    cloud: dict[str, Any] = {}
    secret_data: dict[str, str] = {}
    secret_name = f"{vm.name}-cloudinit"
    user_data = _user_data(vm)
    if user_data is not None:
        if len(user_data.encode()) > CLOUD_INIT_INLINE_LIMIT:
            secret_data["userdata"] = user_data
            cloud["secretRef"] = {"name": secret_name}  # KubeVirt: secretRef holds userdata
        else:
            cloud["userData"] = user_data
    if vm.network_data == "auto":
        nd = _network_data_text(vm, facts, macs)
        if len(nd.encode()) > CLOUD_INIT_INLINE_LIMIT:
            secret_data["networkdata"] = nd
            cloud["networkDataSecretRef"] = {"name": secret_name}
        else:
            cloud["networkData"] = nd
    if vm.ssh_keys and not cloud:
        cloud["userData"] = "#cloud-config\n"  # key propagation needs the cloud-init volume
    if not secret_data:
        return cloud, None
    return cloud, {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta.metadata(secret_name, plan.namespace, plan.name, vm.where.file, meta.WAVE_NAD),
        "type": "Opaque",
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in sorted(secret_data.items())},
    }


def _domain(vm: VM, disks: list[dict[str, Any]], interfaces: list[dict[str, Any]]) -> dict[str, Any]:
    """``spec.template.spec.domain``: cpu, memory (1Gi unless an instancetype or the template
    sizes the VM), disks and interfaces."""
    domain: dict[str, Any] = {}
    if vm.cpu is not None:
        domain["cpu"] = {"cores": vm.cpu}
    sized = vm.instancetype is not None or _template_sets_memory(vm.template)
    memory = vm.memory or (None if sized else DEFAULT_MEMORY)
    if memory is not None:
        domain["resources"] = {"requests": {"memory": memory}}
    devices: dict[str, Any] = {}
    if disks:
        devices["disks"] = disks
    devices["interfaces"] = interfaces
    domain["devices"] = devices
    return domain


def expand_vm(plan: Plan, vm: VM, facts: Facts, macs: dict[tuple[str, int], str],
              refs: dict[tuple[str, int], NadRef]) -> list[Emitted]:
    """The VirtualMachine (origin: the VM's name), plus a cloud-init Secret when its data is too
    large to inline (origin: its ``cloudInit``) and the ssh keys' Secret (origin: ``sshKeys``)."""
    interfaces, networks = _interfaces(plan, vm, macs, refs)
    disks: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    root = _root_volume(vm)
    if root is not None:
        disks.append({"name": ROOT_DISK, "disk": {"bus": "virtio"}})
        volumes.append(root)
    cloud, cloud_secret = _cloud_init(plan, vm, facts, macs)
    if cloud:
        disks.append({"name": CLOUD_INIT_DISK, "disk": {"bus": "virtio"}})
        volumes.append({"name": CLOUD_INIT_DISK, VOLUME_KIND[vm.datasource]: cloud})
    extra = [Emitted(o, vm.where.at(key, key=True))
             for o, key in ((cloud_secret, "cloudInit"), (ssh_secret(plan, vm), "sshKeys")) if o is not None]

    spec: dict[str, Any] = {"domain": _domain(vm, disks, interfaces), "networks": networks}
    if volumes:
        spec["volumes"] = volumes
    if vm.ssh_keys:
        spec["accessCredentials"] = access_credentials(vm)
    if vm.template:
        spec = deep_merge(spec, vm.template)

    obj = {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": meta.metadata(vm.name, plan.namespace, plan.name, vm.where.file, meta.WAVE_VM,
                                  labels=vm.labels, annotations=vm.annotations),
        "spec": {
            **matchers(vm),
            "runStrategy": vm.run_strategy,
            "template": {
                # the VM's labels reach the virt-launcher pod too, so Services and policies can select it
                "metadata": {"labels": dict(sorted({**vm.labels, "kubevirt.io/vm": vm.name}.items()))},
                "spec": spec,
            },
        },
    }
    return [Emitted(obj, vm.where.at("name"), vm), *extra]
