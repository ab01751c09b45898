"""``host-device``: the reference plugin that moves a node device (``master``, the config's
``device``) into the VM pod."""

from kvnet.nettypes.spec import NetType, Requirement, key

HOST_DEVICE = NetType(
    name="host-device", cni_type="host-device", fields=("master", "cniVersion"),
    required=(Requirement(("master",), "'master', the node device to move into the VM pod"),),
    cni_keys=(key("master", "device"),),
    example={"master": "eth2"},
)
