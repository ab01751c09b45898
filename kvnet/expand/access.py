"""VM sizing references and SSH access (SPEC §2 vms; KubeVirt user guide "Instance types and
preferences" and "Accessing Virtual Machines: static SSH public key injection")."""

from __future__ import annotations

import base64
from typing import Any

from kvnet import labels as meta
from kvnet.input.model import VM, Plan

INSTANCETYPE_KIND = "VirtualMachineClusterInstancetype"  # KubeVirt's default kind
PREFERENCE_KIND = "VirtualMachineClusterPreference"


def matchers(vm: VM) -> dict[str, Any]:
    """``spec.instancetype`` / ``spec.preference`` of the VirtualMachine (kind always written,
    so the object says what it refers to)."""
    out: dict[str, Any] = {}
    if vm.instancetype is not None:
        out["instancetype"] = {"kind": vm.instancetype.get("kind") or INSTANCETYPE_KIND,
                               "name": vm.instancetype["name"]}
    if vm.preference is not None:
        out["preference"] = {"kind": vm.preference.get("kind") or PREFERENCE_KIND, "name": vm.preference["name"]}
    return out


def ssh_secret_name(vm: VM) -> str:
    """Name of the Secret holding ``vm``'s SSH public keys."""
    return f"{vm.name}-ssh-keys"


def access_credentials(vm: VM) -> list[dict[str, Any]]:
    """``spec.template.spec.accessCredentials`` for ``vm.ssh_keys`` (empty without keys).

    The noCloud (configDrive) propagation method hands the keys to cloud-init's NoCloud
    (ConfigDrive) datasource as metadata ``public_keys``; KubeVirt requires a cloudInitNoCloud
    (cloudInitConfigDrive) volume for it (KubeVirt API v1 SSHPublicKeyAccessCredentialPropagationMethod;
    the VM expansion adds the volume when the VM has none).
    """
    if not vm.ssh_keys:
        return []
    return [{"sshPublicKey": {"source": {"secret": {"secretName": ssh_secret_name(vm)}},
                              "propagationMethod": {vm.datasource: {}}}}]


def ssh_secret(plan: Plan, vm: VM) -> dict[str, Any] | None:
    """The Secret with one data key per public key (``key1``, ``key2``, ...), or None."""
    if not vm.ssh_keys:
        return None
    data = {f"key{i}": base64.b64encode(key.strip().encode()).decode() for i, key in enumerate(vm.ssh_keys, 1)}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta.metadata(ssh_secret_name(vm), plan.namespace, plan.name, vm.where.file, meta.WAVE_NAD),
        "type": "Opaque",
        "data": data,
    }
