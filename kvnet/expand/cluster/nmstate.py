"""NodeNetworkConfigurationPolicies for ``spec.cluster.nodeNetwork: nmstate`` (SPEC §9).

One ``nmstate.io/v1`` NodeNetworkConfigurationPolicy per node bridge of the plan's ``bridge``
networks: a Linux bridge (STP off) with its ``uplink`` as the one port. VLANs: kubernetes-nmstate
gives every port of a Linux bridge without a ``vlan`` key a default trunk 2-4094 and turns
VLAN filtering on (pkg/bridge ApplyDefaultVlanFiltering); so a bridge none of whose networks use a
VLAN gets ``vlan: {}`` (no filtering), and one whose networks do gets a trunk port carrying exactly
those VLAN IDs and the ranges of networks' ``trunk`` (the CNI bridge plugin tags the pod
side). The bridge itself takes no address
(``ipv4``/``ipv6`` disabled): it carries VM traffic only; kubernetes-nmstate rolls a policy back
when the node loses its API connectivity, which protects an uplink that carried the node's address.
"""

from __future__ import annotations

import re
from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import ClusterSettings
from kvnet.input.model import Network, Plan, node_bridges
from kvnet.netmath import short_hash
from kvnet.nodenet import NodeBond, bonds_of

API_VERSION = "nmstate.io/v1"
KIND = "NodeNetworkConfigurationPolicy"


def policy_name(bridge: str) -> str:
    """A DNS-1123 subdomain for the bridge's policy: the bridge name when it is one, else a
    cleaned name with a stable hash of the original (``br_LAN`` -> ``br-lan-<hash>``)."""
    clean = re.sub(r"[^a-z0-9.-]+", "-", bridge.lower()).strip("-.") or "bridge"
    return clean if clean == bridge else f"{clean}-{short_hash(bridge)}"


def _vlans(nets: list[Network]) -> tuple[list[int], list[tuple[int, int]]]:
    """The VLAN IDs (access ``vlan``, trunk ``id``) and ID ranges (trunk ``minID``..``maxID``)
    the networks of one bridge use, each sorted (the bridge plugin's vlanTrunk, SPEC §5)."""
    vlans = sorted({n.vlan for n in nets if n.vlan is not None}
                   | {t["id"] for n in nets for t in n.trunk if "id" in t})
    ranges = sorted({(t["minID"], t["maxID"]) for n in nets for t in n.trunk if "minID" in t and "maxID" in t})
    return vlans, ranges


def _port(uplink: str, nets: list[Network]) -> dict[str, Any]:
    """The uplink port: a trunk of every VLAN a network on the bridge uses, its access ``vlan``
    or the VLANs its ``trunk`` (the bridge plugin's vlanTrunk) passes to VMs (issue 24)."""
    vlans, ranges = _vlans(nets)
    if not vlans and not ranges:
        return {"name": uplink, "vlan": {}}
    tags: list[dict[str, Any]] = [{"id": v} for v in vlans if not any(lo <= v <= hi for lo, hi in ranges)]
    tags += [{"id-range": {"min": lo, "max": hi}} for lo, hi in ranges]
    return {"name": uplink, "vlan": {"mode": "trunk", "trunk-tags": tags}}


def bond_interfaces(bond: NodeBond) -> list[dict[str, Any]]:
    """nmstate's bond (``link-aggregation``: mode, ``port``, ``options.miimon``; nmstate 2.x
    names the ports ``port``), and its ports with the bond's MTU when one is given."""
    iface: dict[str, Any] = {
        "name": bond.name, "type": "bond", "state": "up",
        "description": "kvnet: bond of " + ", ".join(bond.interfaces),
        "ipv4": {"enabled": False}, "ipv6": {"enabled": False},
        "link-aggregation": {"mode": bond.mode, "port": list(bond.interfaces), "options": {"miimon": bond.miimon}},
    }
    ports = []
    if bond.mtu:
        iface["mtu"] = bond.mtu
        ports = [{"name": nic, "type": "ethernet", "state": "up", "mtu": bond.mtu} for nic in bond.interfaces]
    return [iface, *ports]


def _policy(plan: Plan, source: str, name: str, interfaces: list[dict[str, Any]],
            cfg: ClusterSettings) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if cfg.node_selector:
        spec["nodeSelector"] = dict(cfg.node_selector)
    spec["desiredState"] = {"interfaces": interfaces}
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": meta.metadata(policy_name(name), None, plan.name, source, meta.WAVE_CLUSTER,
                                  annotations={meta.SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}),
        "spec": spec,
    }


def policy(plan: Plan, source: str, bridge: str, nets: list[Network], cfg: ClusterSettings) -> dict[str, Any]:
    """The policy creating ``bridge`` with the uplink its networks name (the rules made sure
    there is exactly one: KV268, KV269), and the bond when the uplink is one of spec.cluster.bonds."""
    uplink = next(n.uplink for n in nets if n.uplink)
    iface = {
        "name": bridge,
        "type": "linux-bridge",
        "state": "up",
        "description": "kvnet: node bridge of network(s) " + ", ".join(n.name for n in nets),
        "ipv4": {"enabled": False},
        "ipv6": {"enabled": False},
        "bridge": {"options": {"stp": {"enabled": False}}, "port": [_port(uplink, nets)]},
    }
    bond = next((b for b in bonds_of(plan.cluster) if b.name == uplink), None)
    return _policy(plan, source, bridge, [*(bond_interfaces(bond) if bond else []), iface], cfg)


def nmstate_policies(plan: Plan, source: str, cfg: ClusterSettings) -> list[dict[str, Any]]:
    """One policy per node bridge when ``nodeNetwork`` is ``nmstate``; none otherwise."""
    if cfg.node_network != "nmstate":
        return []
    bridges = {br: nets for br, nets in node_bridges(plan).items() if any(n.uplink for n in nets)}
    used = {n.uplink for nets in bridges.values() for n in nets}
    alone = [_policy(plan, source, b.name, bond_interfaces(b), cfg) for b in bonds_of(plan.cluster)
             if b.name not in used]
    return [policy(plan, source, br, nets, cfg) for br, nets in bridges.items()] + alone
