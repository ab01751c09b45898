"""A plan's node bridges and bonds as one netplan file, plus the systemd-networkd drop-ins that
netplan cannot express: netplan has no bridge VLAN filtering or bridge-port VLANs, so for VLAN
bridges kvnet adds ``[Bridge] VLANFiltering=yes`` and ``[BridgeVLAN] VLAN=`` drop-ins beside the
files netplan's networkd renderer writes (``/run/systemd/network/10-netplan-<name>.netdev|network``;
networkd reads ``<file>.d/*.conf`` from /etc/systemd/network for them). Paths are relative to the
node's root, so the tree can be copied onto ``/`` (or given to ``netplan generate --root-dir``).
"""

from __future__ import annotations

from typing import Any

import yaml

from kvnet.nodenet import NodeLayout
from kvnet.nodenet.networkd import vlan_sections

NETPLAN_DIR = "etc/netplan"
DROPIN_DIR = "etc/systemd/network"


def _off(mtu: int | None = None) -> dict[str, Any]:
    """No addresses of its own: the link carries VM traffic only (a new dict each time: no YAML anchors)."""
    return {"dhcp4": False, "dhcp6": False, "accept-ra": False, "link-local": [], **({"mtu": mtu} if mtu else {})}


def _document(lay: NodeLayout) -> dict[str, Any]:
    ethernets: dict[str, Any] = {}
    bonds: dict[str, Any] = {}
    bridges: dict[str, Any] = {}
    for bond in lay.bonds:
        for nic in bond.interfaces:
            ethernets[nic] = _off(bond.mtu)
        params: dict[str, Any] = {"mode": bond.mode, "mii-monitor-interval": bond.miimon}
        bonds[bond.name] = {"interfaces": list(bond.interfaces), **_off(bond.mtu), "parameters": params}
    for br in lay.bridges:
        if lay.bond(br.uplink) is None:
            ethernets.setdefault(br.uplink, _off())
        bridges[br.name] = {"interfaces": [br.uplink], **_off(), "parameters": {"stp": False}}
    network: dict[str, Any] = {"version": 2, "renderer": "networkd"}
    for key, value in (("ethernets", ethernets), ("bonds", bonds), ("bridges", bridges)):
        if value:
            network[key] = dict(sorted(value.items()))
    return {"network": network}


def render(lay: NodeLayout, plan: str) -> dict[str, str]:
    """Node-root-relative path -> file text: ``etc/netplan/60-kvnet-<plan>.yaml`` and, for VLAN
    bridges, the networkd drop-ins for the files netplan generates."""
    head = f"# kvnet: node bridges and bonds of plan {plan} (netplan; renderer networkd)\n"
    text = head + yaml.safe_dump(_document(lay), sort_keys=False, default_flow_style=False)
    files = {f"{NETPLAN_DIR}/60-kvnet-{plan}.yaml": text}
    for br in lay.bridges:
        if not br.vlans:
            continue
        note = f"# kvnet: VLAN filtering of node bridge {br.name} (networks {', '.join(br.networks)})\n"
        files[f"{DROPIN_DIR}/10-netplan-{br.name}.netdev.d/50-kvnet-vlan.conf"] = \
            note + "[Bridge]\nVLANFiltering=yes\n"
        files[f"{DROPIN_DIR}/10-netplan-{br.uplink}.network.d/50-kvnet-vlan.conf"] = \
            note + vlan_sections(br.vlans)
    return dict(sorted(files.items()))
