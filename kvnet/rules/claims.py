"""Who took a name, an address or a MAC first: the shared bookkeeping of the "already used" rules,
and what an address or MAC is unique on: the L2 segment a network's frames travel on."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Union

from kvnet import nettypes
from kvnet.input.facts import Facts
from kvnet.input.model import Network

#: how a diagnostic names an owner (a position, ``VM 'a'``), or a function giving it: most
#: claims are never contested, and a position costs a lookup in the document
Owner = Union[str, Callable[[], object]]

#: the bridge plugin's bridge when its config names none (containernetworking/plugins
#: plugins/main/bridge/bridge.go, defaultBrName)
DEFAULT_LINUX_BRIDGE = "cni0"


def l2_segment(net: Network) -> tuple[str, ...] | None:
    """The L2 segment ``net``'s frames travel on, shared with every network of the same key
    (issue 24: one segment is one address space), or None when only the network itself is known:

    - ``bridge``: ("Linux bridge", node bridge, VLAN or "") (a trunk port spans several: None);
    - ``ovs``: ("OVS bridge", bridge, VLAN or "") (a trunk port: None);
    - ``ovn-layer2``/``ovn-localnet``: ("OVN-Kubernetes network", the network name NADs share:
      their config's ``name``, OVN-Kubernetes docs/features/multiple-networks);
    - ``external``: ("NAD", namespace/name) it attaches to (SPEC §9).
    """
    vlan = "" if net.vlan is None else str(net.vlan)
    entry = nettypes.get(net.type)
    if entry is None:
        return None
    if entry.node_bridge == nettypes.LINUX_BRIDGE and not net.trunk:
        return ("Linux bridge", net.bridge or DEFAULT_LINUX_BRIDGE, vlan)
    if entry.node_bridge == nettypes.OVS_BRIDGE and not net.trunk and net.bridge:
        return ("OVS bridge", net.bridge, vlan)
    if entry.topology is not None:
        return ("OVN-Kubernetes network", net.ovn_network or net.name)
    if not entry.writes_nad and net.nad:
        return ("NAD", net.nad)
    return None


def vlan_segment(net: Network, vlan_id: int) -> tuple[str, ...] | None:
    """The L2 segment of VLAN ``vlan_id`` on trunk network ``net``'s bridge (issue 24: a guest
    VLAN sub-interface shares it with every network of that bridge and VLAN); None for a network
    on no node bridge."""
    entry = nettypes.get(net.type)
    if entry is None or entry.node_bridge is None:
        return None
    kind = "Linux bridge" if entry.node_bridge == nettypes.LINUX_BRIDGE else "OVS bridge"
    return (kind, net.bridge or DEFAULT_LINUX_BRIDGE, str(vlan_id))


def describe(seg: tuple[str, ...]) -> str:
    """``seg`` (:func:`l2_segment`) for a message: ``Linux bridge 'br0' VLAN 30``."""
    kind, name = seg[0], seg[1]
    vlan = seg[2] if len(seg) > 2 else ""
    return f"{kind} {name!r}" + (f" VLAN {vlan}" if vlan else (" untagged" if len(seg) > 2 else ""))


def segment(network: str, facts: Facts) -> Hashable:
    """What an address or MAC is unique on: the network's L2 segment (:func:`l2_segment`), which
    several networks of a plan may share, else the network itself."""
    nf = facts.networks.get(network)
    seg = l2_segment(nf.network) if nf is not None else None
    return network if seg is None else seg


class Claims:
    """The first owner of each key."""

    def __init__(self) -> None:
        self._first: dict[Hashable, Owner] = {}

    def claim(self, key: Hashable, owner: Owner) -> str | None:
        """The earlier owner of ``key`` (as text), or None after recording ``owner`` as its first."""
        earlier = self._first.get(key)
        if earlier is None:
            self._first[key] = owner
            return None
        return earlier if isinstance(earlier, str) else str(earlier())

    def __contains__(self, key: Hashable) -> bool:
        return key in self._first

    def keys(self) -> list[Hashable]:
        return list(self._first)


class SegmentClaims:
    """Values (addresses, MACs) unique on an L2 segment, claimed by owners on networks."""

    def __init__(self, facts: Facts) -> None:
        self._facts = facts
        self._claims = Claims()
        self._network: dict[Hashable, str] = {}

    def claim(self, network: str, value: str, owner: str) -> str | None:
        """None after recording ``owner`` as the first holder of ``value`` on ``network``'s
        segment; else where it is already used: ``on network 'lan' by VM 'a'``, or, for
        another network of the segment, ``by VM 'a' on network 'lan-a' (one L2 segment: Linux
        bridge 'br0' VLAN 30)``."""
        return self.claim_on(segment(network, self._facts), network, value, owner)

    def claim_on(self, seg: Hashable, network: str, value: str, owner: str) -> str | None:
        """:meth:`claim` on the segment ``seg`` (:func:`vlan_segment`: a guest VLAN of ``network``)."""
        key = (seg, value)
        first = self._claims.claim(key, owner)
        if first is None:
            self._network[key] = network
            return None
        other = self._network[key]
        if other == network or not isinstance(seg, tuple):
            return f"on network {network!r} by {first}"
        return f"by {first} on network {other!r} (one L2 segment: {describe(seg)})"
