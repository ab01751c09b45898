"""KubeVirt's interface bindings, as data: where each works, whether it forwards interface
``ports``, and, for a network binding plugin, the KubeVirt CR entry that registers it.

Sources (kubevirt/kubevirt at v1.9, the user guide, the HyperConverged operator):

- ``masquerade``: core; pkg/network/admitter/binding.go ``validateMasqueradeBinding`` refuses it
  off the pod network ("Masquerade interface only implemented with pod network"); it forwards
  the interface's ``ports`` (pkg/network/setup/netpod/masquerade/masquerade.go: only those
  ports when some are listed, every port otherwise);
- ``bridge``, ``sriov``: core; ``bridge`` on the pod network needs ``permitBridgeInterfaceOnPodNetwork``
  (binding.go ``validateBridgeBinding``; default true, pkg/virt-config/configuration.go), so it builds;
- ``passt``: the passt network binding plugin (user guide network/net_binding_plugins/passt.md:
  "Secondary network: No"; "Passt Registration" gives the CR entry); its sidecar forwards the
  interface's ``ports`` (cmd/sidecars/network-passt-binding/domain/configurator.go);
- ``macvtap``: the macvtap network binding plugin (user guide net_binding_plugins/macvtap.md,
  "Macvtap Registration": ``domainAttachmentType: tap``);
- ``l2bridge``: the binding of OVN-Kubernetes primary user-defined networks, whose network is
  the pod network from KubeVirt's view; HyperConverged registers it as ``domainAttachmentType:
  managedTap`` with ``migration: {}`` (hyperconverged-cluster-operator controllers/operands
  kubevirt.go ``primaryUserDefinedNetworkBinding``; managedTap: KubeVirt v1.4+, api core/v1
  types.go ``DomainAttachmentType``).

A binding plugin the KubeVirt CR does not register fails the VM's launcher pod ("couldn't find
configuration for network binding", pkg/network/netbinding/netbinding.go); KubeVirt < v1.5 also
needs the ``NetworkBindingPlugins`` feature gate (user guide passt.md "Feature Gate").
"""

from __future__ import annotations

import json
from kvnet.record import dataclass, field
from typing import Any

ADMITTER = "kubevirt/kubevirt pkg/network/admitter"


@dataclass(frozen=True)
class Binding:
    """One KubeVirt interface binding (plan ``binding:`` spelling ``name``).

    - ``plugin``: the KubeVirt CR ``spec.configuration.network.binding.<name>`` entry that
      registers it (None: a core binding, written ``<name>: {}`` on the interface)
    - ``pod_only``: why it works on the pod network only, with its source (None: any network)
    - ``ports``: it forwards the interface's ``ports`` (others ignore them)
    - ``source``: where the plugin registration comes from; ``also``: what else it needs
    """

    name: str
    plugin: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    pod_only: str | None = None
    ports: bool = False
    source: str = ""
    also: str = ""


MASQUERADE = Binding("masquerade", pod_only=f"{ADMITTER}/binding.go validateMasqueradeBinding: "
                     "'Masquerade interface only implemented with pod network'", ports=True)
BRIDGE = Binding("bridge")
SRIOV = Binding("sriov")
PASST = Binding(
    "passt", plugin={"networkAttachmentDefinition": "default/netbindingpasst",
                     "sidecarImage": "quay.io/kubevirt/network-passt-binding:v1.6.0", "migration": {}},
    pod_only="KubeVirt user guide network/net_binding_plugins/passt.md: the passt binding plugin serves the "
             "pod network only ('Secondary network: No')", ports=True,
    source="KubeVirt user guide network/net_binding_plugins/passt.md 'Passt Registration'",
    also="the NAD default/netbindingpasst (plugins: [{type: kubevirt-passt-binding}]) and that CNI binary on "
         "every node (the user guide's passt-binding-cni DaemonSet)")
MACVTAP = Binding("macvtap", plugin={"domainAttachmentType": "tap"},
                  source="KubeVirt user guide network/net_binding_plugins/macvtap.md 'Macvtap Registration'")
L2BRIDGE = Binding("l2bridge", plugin={"domainAttachmentType": "managedTap", "migration": {}},
                   source="hyperconverged-cluster-operator controllers/operands/kubevirt.go "
                          "primaryUserDefinedNetworkBinding (KubeVirt v1.4+ managedTap)")

BINDINGS: tuple[Binding, ...] = (MASQUERADE, BRIDGE, SRIOV, PASST, MACVTAP, L2BRIDGE)
_BY_NAME = {b.name: b for b in BINDINGS}
PORT_BINDINGS: tuple[str, ...] = tuple(b.name for b in BINDINGS if b.ports)


def binding(name: str) -> Binding | None:
    """The binding spelled ``name`` in a plan (None: unknown)."""
    return _BY_NAME.get(name)


def is_plugin(name: str) -> bool:
    """Whether ``name`` is a network binding plugin (``binding: {name: ...}`` on the interface)."""
    entry = _BY_NAME.get(name)
    return entry is not None and entry.plugin is not None


def migrates(name: str) -> bool:
    """Whether a VM whose pod network has binding ``name`` can live-migrate (kubevirt/kubevirt
    pkg/network/vmispec/interface.go ``VerifyVMIMigratable``: ``masquerade``, or a binding plugin
    registered with ``migration``; ``bridge`` only with the VMI annotation
    kubevirt.io/allow-pod-bridge-network-live-migration, which a plan does not write)."""
    entry = _BY_NAME.get(name)
    if entry is None:
        return False
    return entry is MASQUERADE or (entry.plugin is not None and "migration" in entry.plugin)


def registration(names: list[str]) -> dict[str, Any]:
    """The KubeVirt CR fragment registering binding plugins ``names`` (sorted by name)."""
    plugins = {n: _BY_NAME[n].plugin for n in sorted(set(names)) if is_plugin(n)}
    return {"spec": {"configuration": {"network": {"binding": plugins}}}}


def registration_patch(names: list[str]) -> str:
    """``kubectl patch`` merging :func:`registration` into the KubeVirt CR: a JSON merge patch
    (RFC 7386) adds each plugin beside the bindings already registered, where a JSON patch
    ``add`` of ``/spec/configuration/network`` would replace them (RFC 6902 4.1)."""
    body = json.dumps(registration(names), sort_keys=True, separators=(",", ":"))
    return f"kubectl patch kubevirts -n kubevirt kubevirt --type=merge -p '{body}'"
