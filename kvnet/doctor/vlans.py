"""VLANs on the node bridges of the plan's ``vlan:`` bridge networks (SPEC §9; issue: an unfiltered
bridge passes as healthy, siderolabs/talos#8941).

The bridge CNI plugin tags a VM's port with the NAD's ``vlan``, and sets ``vlan_filtering`` only on
bridges it creates itself (plugins/main/bridge: ``vlanFiltering`` is passed to ``ensureBridge``
only when it makes the link). On a bridge made by hand, by netplan or by doctor's own fix, the
flag stays 0 and the port tags are ignored: every VLAN network shares one segment, untagged on
the wire. With filtering on, the uplink must be a tagged member of every VLAN, or the VMs' frames
never leave the node. Read: ``/sys/class/net/<br>/bridge/vlan_filtering`` (absent when the kernel
has no CONFIG_BRIDGE_VLAN_FILTERING) and the uplink's membership from ``bridge -j vlan show``.
"""

from __future__ import annotations

from kvnet.doctor import fixes
from kvnet.doctor.checks import Context
from kvnet.doctor.findings import ERROR, OK, WARNING, Finding
from kvnet.doctor.vlanstate import UNTAGGED, VlanState

SYS_NET = "/sys/class/net"


def _nets(vlans: dict[int, list[str]]) -> str:
    return "; ".join(f"VLAN {vid}: {', '.join(nets)}" for vid, nets in sorted(vlans.items()))


def _filtering(ctx: Context, bridge: str, uplink: str | None, vlans: dict[int, list[str]]) -> Finding:
    path = f"{SYS_NET}/{bridge}/bridge/vlan_filtering"
    value = ctx.fs.read_text(path)
    ids = sorted(vlans)
    if value is None:
        return Finding(ERROR, "vlan-filtering", bridge,
                       f"node bridge {bridge} ({_nets(vlans)}) cannot filter VLANs: this kernel has no bridge VLAN "
                       f"filtering ({path} does not exist; CONFIG_BRIDGE_VLAN_FILTERING), so the bridge plugin's "
                       "VLAN tags are ignored and every VLAN network shares one untagged segment", code="KV518",
                       fix="boot a kernel built with CONFIG_BRIDGE_VLAN_FILTERING=y (every distribution kernel is), or "
                           f"drop 'vlan' and give each VLAN its own bridge on {uplink or '<UPLINK>'}.<VID>",
                       path=path)
    if value.strip() == "1":
        return Finding(OK, "vlan-filtering", bridge, f"node bridge {bridge} filters VLANs ({', '.join(map(str, ids))})",
                       path=path)
    return Finding(ERROR, "vlan-filtering", bridge,
                   f"node bridge {bridge} has vlan_filtering {value.strip() or '?'} but carries VLAN networks "
                   f"({_nets(vlans)}): the bridge plugin sets filtering only on bridges it creates itself, so its "
                   "VLAN tags are ignored and the VMs share one untagged segment", code="KV515",
                   fix=fixes.filter_vlans(bridge, uplink, ids), path=path)


def _membership(ctx: Context, bridge: str, uplink: str, vlans: dict[int, list[str]]) -> Finding:
    state = ctx.vlan_state
    if not isinstance(state, VlanState):
        why = state or "not read"
        return Finding(WARNING, "uplink-vlans", uplink,
                       f"the VLANs uplink {uplink} of node bridge {bridge} carries were not checked ({why})",
                       code="KV517", path=f"{SYS_NET}/{uplink}",
                       fix="run doctor on the node itself, or in a pod with hostNetwork and --host-tools (the node's "
                           "own 'bridge'), or record 'bridge -j vlan show > FILE' there and pass --bridge-vlan FILE")
    have = state.ports.get(uplink, {})
    missing = [vid for vid in sorted(vlans) if vid not in have]
    untagged = [vid for vid in sorted(vlans) if vid in have and UNTAGGED in have[vid]]
    if not missing and not untagged:
        return Finding(OK, "uplink-vlans", uplink,
                       f"uplink {uplink} carries VLAN {', '.join(map(str, sorted(vlans)))} tagged ({state.source})",
                       path=f"{SYS_NET}/{uplink}")
    problems = []
    if missing:
        problems.append(f"is not a member of VLAN {', '.join(map(str, missing))}")
    if untagged:
        problems.append(f"sends VLAN {', '.join(map(str, untagged))} untagged")
    return Finding(ERROR, "uplink-vlans", uplink,
                   f"uplink {uplink} of node bridge {bridge} {' and '.join(problems)} ({state.source}): frames of "
                   f"those VLAN networks ({_nets({v: vlans[v] for v in missing + untagged})}) never reach the "
                   "segment tagged", code="KV516",
                   fix=fixes.add_vlans(uplink, sorted(missing + untagged)), path=f"{SYS_NET}/{uplink}")


def check_vlans(ctx: Context) -> list[Finding]:
    """For each existing Linux node bridge whose networks use VLANs: VLAN filtering on, and the
    uplink a tagged member of every VLAN (an uplink that is not a port is reported by the bridge
    check, a missing bridge too, with a fix that already filters)."""
    out: list[Finding] = []
    for bridge, vlans in ctx.needs.vlans.items():
        if not ctx.fs.lookup(f"{SYS_NET}/{bridge}/bridge").exists:
            continue
        uplink = ctx.needs.uplinks.get(bridge)
        filtering = _filtering(ctx, bridge, uplink, vlans)
        out.append(filtering)
        if filtering.severity == OK and uplink and uplink in ctx.fs.listdir(f"{SYS_NET}/{bridge}/brif"):
            out.append(_membership(ctx, bridge, uplink, vlans))
    return out
