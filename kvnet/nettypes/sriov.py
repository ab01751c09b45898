"""``sriov``: sriov-cni on a VF from the SR-IOV device plugin (sriov-cni configuration reference);
the VF's MTU belongs to its policy, not the CNI config."""

from typing import Any

from kvnet.nettypes.spec import NadTarget, NetType, Requirement, key, on_off


def _flag(attr: str) -> Any:
    def encode(net: Any, _target: NadTarget) -> str | None:
        return on_off(getattr(net, attr))
    return encode


SRIOV = NetType(
    name="sriov", cni_type="sriov", fields=("vlan", "resourceName", "spoofchk", "trust", "cniVersion"),
    required=(Requirement(("resourceName",), "'resourceName', the SR-IOV device plugin resource",
                          "e.g. 'resourceName: intel.com/sriov_netdevice'"),),
    cni_keys=(key("vlan"), key("spoofchk", encode=_flag("spoofchk")), key("trust", encode=_flag("trust"))),
    default_binding="sriov",
    bridge_binding=("an sriov network needs the 'sriov' binding (a VF bound to vfio-pci has no netdev in the pod "
                    "to bridge)", "leave binding out to get the default"),
    resource_annotation=True,
    example={"vlan": 5, "spoofchk": False, "trust": True, "resourceName": "intel.com/sriov_netdevice"},
)
