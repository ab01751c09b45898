"""``bridge``: the containernetworking bridge plugin on a Linux bridge of the node (SPEC §2)."""

from kvnet.nettypes.spec import LINUX_BRIDGE, NetType, Requirement, key, trunk_encode

BRIDGE = NetType(
    name="bridge", cni_type="bridge",
    fields=("bridge", "vlan", "trunk", "mtu", "uplink", "cniVersion"),
    required=(Requirement(("bridge",), "'bridge', the node bridge to attach to",
                          "e.g. 'bridge: br-ext' (create it on each node, with the uplink enslaved)"),),
    # trunk: the bridge plugin's vlanTrunk (containernetworking/plugins v1.3.0), ovs-cni's item shape
    cni_keys=(key("bridge"), key("vlan"), key("mtu"), key("trunk", "vlanTrunk", encode=trunk_encode)),
    node_bridge=LINUX_BRIDGE,
    example={"bridge": "br1", "vlan": 10, "mtu": 1400, "subnet": "10.1.0.0/24", "gateway": "10.1.0.1",
             "ipam": "host-local", "range": "10.1.0.100-10.1.0.200"},
)
