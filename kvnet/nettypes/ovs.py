"""``ovs``: ovs-cni on an Open vSwitch bridge of the node (ovs-cni docs/cni-plugin.md, docs/marker.md)."""

from kvnet.nettypes.spec import OVS_BRIDGE, DefaultResource, NetType, Requirement, key, trunk_encode


#: ovs-cni's marker resource: the nodes that have the bridge
OVS_RESOURCE_PREFIX = "ovs-cni.network.kubevirt.io/"

OVS = NetType(
    name="ovs", cni_type="ovs",
    fields=("bridge", "vlan", "trunk", "mtu", "cniVersion"),
    required=(Requirement(("bridge",), "'bridge', the Open vSwitch bridge on the node",
                          "e.g. 'bridge: br1' (ovs-vsctl add-br br1 on each node)"),),
    cni_keys=(key("bridge"), key("vlan"), key("mtu"), key("trunk", encode=trunk_encode)),
    resource=DefaultResource(OVS_RESOURCE_PREFIX, "bridge"), resource_annotation=True,
    node_bridge=OVS_BRIDGE,
    example={"bridge": "br1", "trunk": [{"id": 42}, {"maxID": 110, "minID": 100}], "mtu": 9000},
)
