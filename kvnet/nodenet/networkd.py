"""A plan's node bridges and bonds as systemd-networkd files (systemd.netdev(5), systemd.network(5)):
a ``.netdev`` per bridge (``[Bridge] VLANFiltering=yes`` when its networks use VLANs) and bond
(``[Bond] Mode=``, ``MIIMonitorSec=``, ``MTUBytes=``), a ``.network`` per bridge, uplink and bond
port. Named ``10-kvnet-*``: networkd takes the first ``.network`` that matches a link in lexical
order, and ``10-kvnet`` sorts before netplan's ``10-netplan``. Paths are relative to the node's root.
"""

from __future__ import annotations

from kvnet.nodenet import NodeBridge, NodeLayout

DIR = "etc/systemd/network"
QUIET = "LinkLocalAddressing=no\nIPv6AcceptRA=no\n"


def vlan_sections(vlans: tuple[str, ...]) -> str:
    """One ``[BridgeVLAN]`` section per VLAN ID or range: the port is a tagged member of each."""
    return "".join(f"\n[BridgeVLAN]\nVLAN={vid}\n" for vid in vlans)


def _uplink_network(br: NodeBridge, head: str, link: str = "") -> str:
    return (f"{head}[Match]\nName={br.uplink}\n\n[Network]\nBridge={br.name}\n{QUIET}{link}"
            + vlan_sections(br.vlans))


def render(lay: NodeLayout, plan: str) -> dict[str, str]:
    """Node-root-relative path -> file text for every bridge, bond, uplink and bond port."""
    files: dict[str, str] = {}
    uplink_of = {br.uplink: br for br in lay.bridges}
    for br in lay.bridges:
        head = f"# kvnet: node bridge {br.name} of network(s) {', '.join(br.networks)} (plan {plan})\n"
        filtering = "VLANFiltering=yes\n" if br.vlans else ""
        files[f"{DIR}/10-kvnet-{br.name}.netdev"] = (f"{head}[NetDev]\nName={br.name}\nKind=bridge\n\n"
                                                     f"[Bridge]\nSTP=no\n{filtering}")
        files[f"{DIR}/10-kvnet-{br.name}.network"] = (f"{head}[Match]\nName={br.name}\n\n[Network]\n{QUIET}"
                                                      "ConfigureWithoutCarrier=yes\n")
        if lay.bond(br.uplink) is None:
            files[f"{DIR}/10-kvnet-{br.uplink}.network"] = _uplink_network(br, head)
    for bond in lay.bonds:
        head = f"# kvnet: bond {bond.name} of {', '.join(bond.interfaces)} (plan {plan})\n"
        mtu = f"MTUBytes={bond.mtu}\n" if bond.mtu else ""
        files[f"{DIR}/10-kvnet-{bond.name}.netdev"] = (f"{head}[NetDev]\nName={bond.name}\nKind=bond\n{mtu}\n"
                                                       f"[Bond]\nMode={bond.mode}\nMIIMonitorSec={bond.miimon}ms\n")
        link = f"\n[Link]\nMTUBytes={bond.mtu}\n" if bond.mtu else ""
        fed = uplink_of.get(bond.name)
        files[f"{DIR}/10-kvnet-{bond.name}.network"] = (
            _uplink_network(fed, head, link) if fed is not None
            else f"{head}[Match]\nName={bond.name}\n\n[Network]\n{QUIET}{link}")
        for nic in bond.interfaces:
            files[f"{DIR}/10-kvnet-{nic}.network"] = (f"{head}[Match]\nName={nic}\n\n[Network]\nBond={bond.name}\n"
                                                      f"{QUIET}{link}")
    return dict(sorted(files.items()))
