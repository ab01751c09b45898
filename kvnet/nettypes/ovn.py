"""``ovn-layer2`` and ``ovn-localnet``: OVN-Kubernetes secondary networks, one CNI type
(``ovn-k8s-cni-overlay``) told apart by ``topology`` (OVN-Kubernetes multi-homing.md, SPEC §9).
OVN-Kubernetes is their IPAM: it assigns the addresses of ``subnet`` itself."""

from typing import Any

from kvnet.nettypes.spec import (CniKey, NadTarget, NetType, computed, key, loose_network, read_back,
                                 str_or_none)

OVN_CNI_TYPE = "ovn-k8s-cni-overlay"
OVN_IPAM = "OVN-Kubernetes assigns the addresses of 'subnet' itself"


def _subnet(value: Any) -> tuple[str, ...]:
    """``subnets`` read back: comma-separated, one per family on a dual-stack network
    (multi-homing.md); () when any part is not a network."""
    subnets = str_or_none(value)
    parts = [loose_network(p.strip()) for p in subnets.split(",")] if subnets else []
    return tuple(str(p) for p in parts) if parts and all(p is not None for p in parts) and len(parts) <= 2 else ()


def _exclude(value: Any) -> list[str]:
    excludes = str_or_none(value)
    return [e.strip() for e in excludes.split(",")] if excludes else []


def _keys(topology: str) -> tuple[CniKey, ...]:
    """The config keys (multi-homing.md); vlanID is written for both and KV208 keeps it off layer2."""
    return (computed("topology", lambda _net, _t: topology),
            computed("netAttachDefName", lambda _net, t: f"{t.namespace}/{t.name}"),
            key("subnet", "subnets", decode=_subnet, encode=lambda _net, t: t.subnet),
            key("exclude", "excludeSubnets", decode=_exclude, encode=_join_exclude),
            key("vlan", "vlanID"),
            key("allowPersistentIPs", decode=lambda v: v is True,
                encode=lambda net, _t: net.allow_persistent_ips or None),
            key("mtu"),
            read_back("name", "ovn_network", str_or_none))  # NADs of one config name are one network


def _join_exclude(net: Any, _target: NadTarget) -> str | None:
    return ",".join(net.exclude) if net.exclude else None


#: OVN-Kubernetes implements the IPAMClaim of the multi-network spec v1.3 (section 8.2); the
#: kubevirt/ipam-extensions controller creates the claims for VMs on NADs with allowPersistentIPs
IPAM_CLAIMS = ("OVN-Kubernetes honours IPAMClaims (kubevirt/ipam-extensions README: 'The OVN-Kubernetes CNI is "
               "a CNI that implements this IPAM multi-network standard'; multi-net-spec v1.3 section 8.2)")
_COMMON = dict(cni_type=OVN_CNI_TYPE, ipam_owner=OVN_IPAM, address_pool="OVN-Kubernetes", ipam_claims=IPAM_CLAIMS)

OVN_LAYER2 = NetType(
    name="ovn-layer2", fields=("mtu", "allowPersistentIPs", "cniVersion"),
    cni_keys=_keys("layer2"), topology="layer2",
    example={"subnet": "10.2.0.0/24", "exclude": ["10.2.0.0/28"], "allowPersistentIPs": True, "mtu": 1400}, **_COMMON,  # type: ignore[arg-type]
)
OVN_LOCALNET = NetType(
    name="ovn-localnet", fields=("vlan", "mtu", "allowPersistentIPs", "cniVersion"),  # vlanID: localnet only
    cni_keys=_keys("localnet"), topology="localnet",
    example={"vlan": 20, "mtu": 1300}, **_COMMON,  # type: ignore[arg-type]
)
