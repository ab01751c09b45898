"""The plan side of the classes: NetworkPlan field -> the effect classes a change of it can
cause, and why (what kvnet writes from it, see kvnet/expand/, and the KubeVirt rule of
:mod:`kvnet.diff.classes` that then applies). ``kvnet diff`` classifies the emitted objects;
this table says, per plan field, what to expect, and a test walks the plan's JSON Schema
(kvnet/schemas/networkplan.json) and fails on a field it does not cover.

Keys are schema paths: dotted, ``[]`` for a list item, ``.*`` for everything below a field
whose content is free-form (labels, ``template``) or node side (``spec.cluster``).
"""

from __future__ import annotations

from kvnet.diff.classes import ADDRESS, CREATE, LIVE, METADATA, NAD, NEXT_BOOT, NONE, PRUNE, RESTART

_NET = "spec.networks[]"
_VM = "spec.vms[]"
_IF = _VM + ".interfaces[]"
_NAD_CFG = "the NAD's CNI config"
_NDATA = "the guest's networkData"

PLAN_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "apiVersion": ((PRUNE,), "a document of another apiVersion is no plan: its objects go"),
    "kind": ((PRUNE,), "a document of another kind is no plan: its objects go"),
    "metadata": ((PRUNE, CREATE), "the plan's identity"),
    "metadata.name": ((METADATA, ADDRESS), "the kvnet.dev/plan label of every object; the kvnet.lock key"),
    "metadata.namespace": ((PRUNE, CREATE, ADDRESS), "every object moves namespace (derived MACs change too)"),
    "metadata.labels.*": ((NONE,), "read by kustomize/kpt, not emitted"),
    "metadata.annotations.*": ((NONE,), "read by kustomize/kpt, not emitted"),
    "spec": ((PRUNE, CREATE), "the whole plan"),
    "spec.cluster.*": ((LIVE, CREATE, PRUNE), "node side (Multus, CNI plugins, nmstate policies): applied in place "
                                              "by their controllers, no VM restarts"),
    "spec.cluster.ipFamilies": ((NEXT_BOOT,), "the pod NIC's masquerade IPv6 address and gateway6 in "
                                              + _NDATA + " (issue 25)"),
    "spec.networks": ((CREATE, PRUNE, RESTART), "networks added or removed (with the VMs' interfaces on them)"),
    _NET: ((CREATE, PRUNE), "a network's NAD"),
    _NET + ".name": ((PRUNE, CREATE, RESTART), "a renamed NAD is a prune and a create; the VMs' NICs renamed"),
    _NET + ".type": ((NAD, RESTART, PRUNE, CREATE), "another CNI plugin and maybe binding"),
    _NET + ".bridge": ((NAD,), _NAD_CFG),
    _NET + ".vlan": ((NAD,), _NAD_CFG),
    _NET + ".master": ((NAD,), _NAD_CFG),
    _NET + ".mode": ((NAD,), _NAD_CFG),
    _NET + ".mtu": ((NAD, NEXT_BOOT), _NAD_CFG + " and " + _NDATA),
    _NET + ".resourceName": ((NAD,), "the NAD's device-plugin resource annotation"),
    _NET + ".cniVersion": ((NAD,), _NAD_CFG),
    _NET + ".subnet": ((NAD, NEXT_BOOT), "IPAM subnet, " + _NDATA),
    _NET + ".gateway": ((NAD, NEXT_BOOT), "static IPAM gateway, " + _NDATA + " default route"),
    _NET + ".dns": ((NEXT_BOOT,), _NDATA),
    _NET + ".dns.nameservers": ((NEXT_BOOT,), _NDATA),
    _NET + ".dns.search": ((NEXT_BOOT,), _NDATA),
    _NET + ".ipam": ((NAD, PRUNE, CREATE, RESTART, NEXT_BOOT),
                     "IPAM type: per-VM static NADs appear or go (the VMs' NAD reference changes)"),
    _NET + ".range": ((NAD,), "the pool's range (one per family)"),
    _NET + ".exclude": ((NAD,), "the pool's exclusions"),
    _NET + ".allocate": ((ADDRESS, NEXT_BOOT, NAD), "kvnet.lock addresses (kvnet lock)"),
    _NET + ".trunk": ((NAD,), _NAD_CFG),
    _NET + ".trunk[]": ((NAD,), _NAD_CFG),
    _NET + ".trunk[].id": ((NAD,), _NAD_CFG),
    _NET + ".trunk[].minID": ((NAD,), _NAD_CFG),
    _NET + ".trunk[].maxID": ((NAD,), _NAD_CFG),
    _NET + ".allowPersistentIPs": ((NAD,), _NAD_CFG),
    _NET + ".nad": ((RESTART,), "the VMs' multus.networkName (KubeVirt >= 1.9 migrates a migratable VM instead)"),
    _NET + ".spoofchk": ((NAD,), _NAD_CFG),
    _NET + ".trust": ((NAD,), _NAD_CFG),
    _NET + ".uplink": ((LIVE, NONE), "the nmstate policy's port (nodeNetwork: nmstate), else only doctor reads it"),
    _NET + ".policy": ((LIVE, CREATE, PRUNE), "the network's MultiNetworkPolicy, enforced on running VMs"),
    _NET + ".policy.*": ((LIVE,), "the network's MultiNetworkPolicy rules, enforced on running VMs"),
    _NET + ".routes": ((NEXT_BOOT,), _NDATA),
    _NET + ".routes[]": ((NEXT_BOOT,), _NDATA),
    _NET + ".routes[].to": ((NEXT_BOOT,), _NDATA),
    _NET + ".routes[].via": ((NEXT_BOOT,), _NDATA),
    _NET + ".routes[].metric": ((NEXT_BOOT,), _NDATA),
    "spec.vms": ((CREATE, PRUNE), "VMs added or removed"),
    _VM: ((CREATE, PRUNE), "a VM"),
    _VM + ".name": ((PRUNE, CREATE), "a renamed VM is a prune and a create (and new derived MACs)"),
    _VM + ".runStrategy": ((LIVE,), "KubeVirt starts or stops the VM at once"),
    _VM + ".cpu": ((RESTART,), "domain.cpu.cores"),
    _VM + ".memory": ((RESTART,), "resources.requests.memory"),
    _VM + ".instancetype": ((RESTART,), "spec.instancetype"),
    _VM + ".instancetype.name": ((RESTART,), "spec.instancetype"),
    _VM + ".instancetype.kind": ((RESTART,), "spec.instancetype"),
    _VM + ".preference": ((RESTART,), "spec.preference"),
    _VM + ".preference.name": ((RESTART,), "spec.preference"),
    _VM + ".preference.kind": ((RESTART,), "spec.preference"),
    _VM + ".image": ((RESTART,), "the containerDisk volume"),
    _VM + ".rootDisk": ((RESTART,), "the root disk volume"),
    _VM + ".rootDisk.pvc": ((RESTART,), "the root disk volume"),
    _VM + ".rootDisk.dataVolume": ((RESTART,), "the root disk volume"),
    _VM + ".cloudInit": ((NEXT_BOOT,), "the cloud-init volume"),
    _VM + ".cloudInit.userData": ((NEXT_BOOT,), "userData"),
    _VM + ".cloudInit.networkData": ((NEXT_BOOT,), "networkData auto or none"),
    _VM + ".cloudInit.datasource": ((RESTART,), "the cloud-init volume kind (NoCloud/ConfigDrive): RestartRequired"),
    _VM + ".guest": ((NONE,), "read by the guest-limit warnings (KV227-KV229), not emitted"),
    _VM + ".guest.renderer": ((NONE,), "read by the guest-limit warnings (KV227-KV229), not emitted"),
    _VM + ".guest.cloudInit": ((NONE,), "read by the guest-limit warnings (KV227-KV229), not emitted"),
    _VM + ".sshKeys": ((NEXT_BOOT, RESTART, CREATE, PRUNE), "the keys Secret; the first key adds accessCredentials"),
    _VM + ".interfaces": ((LIVE, RESTART, NEXT_BOOT), "NICs added (hot-plug: bridge/SR-IOV) or removed (restart)"),
    _IF: ((LIVE, RESTART, NEXT_BOOT), "one NIC"),
    _IF + ".network": ((RESTART, LIVE, NEXT_BOOT), "the NIC is replaced by another (remove + add)"),
    _IF + ".address": ((NEXT_BOOT, NAD), _NDATA + "; the per-VM NAD with ipam: static"),
    _IF + ".mac": ((RESTART, NEXT_BOOT), "macAddress (KubeVirt: interface changed), " + _NDATA + " match"),
    _IF + ".binding": ((RESTART,), "the interface's binding"),
    _IF + ".model": ((RESTART,), "the interface's model"),
    _IF + ".ports": ((RESTART,), "the ports KubeVirt forwards (an interface change: RestartRequired)"),
    _IF + ".ports[]": ((RESTART,), "one forwarded port (an interface change: RestartRequired)"),
    _IF + ".ports[].*": ((RESTART,), "a forwarded port's name, protocol or number (RestartRequired)"),
    _IF + ".defaultRoute": ((NEXT_BOOT,), _NDATA),
    _IF + ".vlans": ((NEXT_BOOT,), _NDATA + " (its 'vlans:' sub-interfaces)"),
    _IF + ".vlans[]": ((NEXT_BOOT,), _NDATA + " (its 'vlans:' sub-interfaces)"),
    _IF + ".vlans[].id": ((NEXT_BOOT,), _NDATA + " (its 'vlans:' sub-interfaces)"),
    _IF + ".vlans[].address": ((NEXT_BOOT,), _NDATA + " (its 'vlans:' sub-interfaces)"),
    _IF + ".hotplug": ((NONE,), "a plan marker (rules about hot-plug); nothing of it reaches the VM"),
    _IF + ".state": ((LIVE, RESTART), "up/down link state and absent (hot-unplug) are live; back from absent: restart"),
    _VM + ".labels.*": ((METADATA,), "VM and virt-launcher pod labels"),
    _VM + ".annotations.*": ((METADATA,), "VM annotations"),
    _VM + ".template.*": ((RESTART, LIVE), "template spec: nodeSelector/affinity/tolerations live, the rest restart"),
}


def plan_classes(path: str) -> tuple[tuple[str, ...], str] | None:
    """The entry for schema path ``path`` (exact; an item of a list of scalars as its list;
    else the nearest ``prefix.*``); None if uncovered."""
    if path in PLAN_FIELDS:
        return PLAN_FIELDS[path]
    if path.endswith("[]") and path[:-2] in PLAN_FIELDS:
        return PLAN_FIELDS[path[:-2]]
    probe = path
    while probe:
        hit = PLAN_FIELDS.get(probe + ".*")
        if hit is not None:
            return hit
        probe = probe.rpartition(".")[0]
    return None
