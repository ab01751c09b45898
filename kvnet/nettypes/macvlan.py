"""``macvlan`` and ``ipvlan``: the reference plugins on a node device (``master``). KubeVirt has
no binding that passes their traffic (its user guide: known not to work behind ``bridge``)."""

from typing import Any

from kvnet.nettypes.spec import NadTarget, NetType, key

MACVLAN_FIX = ("use 'type: bridge' with a Linux bridge on the node (e.g. 'bridge: br-ext' with the uplink "
               "enslaved), or 'type: macvtap' with 'master:' for direct attachment")
NO_TRAFFIC = "network behind KubeVirt's 'bridge' binding runs but passes no traffic (KubeVirt: known not to work)"


def master_mode_keys() -> tuple[Any, ...]:
    """``master`` and ``mode`` when given, and ``mtu`` (macvlan, ipvlan, macvtap)."""
    return (key("master", encode=_given("master")), key("mode", encode=_given("mode")), key("mtu"))


def _given(attr: str) -> Any:
    def encode(net: Any, _target: NadTarget) -> Any:
        return getattr(net, attr) or None
    return encode


MACVLAN = NetType(
    name="macvlan", cni_type="macvlan", fields=("master", "mode", "mtu", "cniVersion"),
    cni_keys=master_mode_keys(), modes=("bridge", "private", "vepa", "passthru"),
    bridge_binding=("a macvlan " + NO_TRAFFIC, MACVLAN_FIX), no_binding_fix=MACVLAN_FIX,
    example={"master": "eth1", "mode": "private", "mtu": 1500},
)
IPVLAN = NetType(
    name="ipvlan", cni_type="ipvlan", fields=("master", "mode", "mtu", "cniVersion"),
    cni_keys=master_mode_keys(), modes=("l2", "l3", "l3s"),
    bridge_binding=("an ipvlan " + NO_TRAFFIC, MACVLAN_FIX), no_binding_fix=MACVLAN_FIX,
    example={"master": "eth1", "mode": "l3", "mtu": 1500},
)
