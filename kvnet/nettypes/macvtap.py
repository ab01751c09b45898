"""``macvtap``: KubeVirt's macvtap-cni, a macvtap device of a node device offered by its device
plugin (github.com/kubevirt/macvtap-cni), attached with the ``macvtap`` binding plugin."""

from kvnet.nettypes.macvlan import master_mode_keys
from kvnet.nettypes.spec import DefaultResource, NetType, Requirement

#: macvtap-cni's device plugin resources: one per lower device (``master``)
MACVTAP_RESOURCE_PREFIX = "macvtap.network.kubevirt.io/"

MACVTAP = NetType(
    name="macvtap", cni_type="macvtap", fields=("master", "mode", "mtu", "resourceName", "cniVersion"),
    required=(Requirement(("master", "resourceName"), "'master' (lower device) or 'resourceName'",
                          "e.g. 'master: eth0' gives resourceName macvtap.network.kubevirt.io/eth0"),),
    cni_keys=master_mode_keys(), modes=("bridge", "private", "vepa", "passthru"),
    default_binding="macvtap",
    bridge_binding=("a macvtap network needs the 'macvtap' binding", "leave binding out to get the default"),
    resource=DefaultResource(MACVTAP_RESOURCE_PREFIX, "master"), resource_annotation=True,
    example={"master": "eth1", "mode": "vepa", "mtu": 1500},
)
