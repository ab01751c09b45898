"""Node bridges and their uplink ports (SPEC §9 "doctor checks the bridge and its uplink port").

Read from sysfs under the root: ``/sys/class/net/<br>/bridge`` marks a Linux bridge,
``/sys/class/net/<br>/brif/`` lists its ports, ``/sys/class/net/<nic>/master`` links a port
to its bridge. A bridge without its uplink port is the textbook "VM runs, passes no traffic".
"""

from __future__ import annotations

import os
import posixpath

from kvnet.doctor import fixes
from kvnet.doctor.checks import Context
from kvnet.doctor.findings import ERROR, OK, Finding

SYS_NET = "/sys/class/net"


def _master(ctx: Context, nic: str) -> str | None:
    """The bridge (or bond) ``nic`` is a port of, from its ``master`` symlink; None if none."""
    local = ctx.fs.real(f"{SYS_NET}/{nic}/master")
    try:
        return posixpath.basename(os.readlink(local).rstrip("/"))
    except OSError:
        return None


def _uplink(ctx: Context, bridge: str, uplink: str | None, why: str) -> Finding:
    """The port check of an existing Linux bridge."""
    sys_path = f"{SYS_NET}/{bridge}"
    ports = ctx.fs.listdir(f"{sys_path}/brif")
    caution = fixes.move_addresses(bridge, uplink)
    if uplink is None:
        if ports:
            return Finding(OK, "uplink", bridge, f"node bridge {bridge} has ports: {', '.join(ports)}",
                           path=f"{sys_path}/brif")
        return Finding(ERROR, "uplink", bridge,
                       f"node bridge {bridge} ({why}) has no ports: VMs on it reach each other on this node "
                       "only, and pass no traffic beyond it", code="KV512",
                       fix=fixes.enslave(bridge, None), caution=caution,
                       path=f"{sys_path}/brif")
    if uplink in ports:
        return Finding(OK, "uplink", uplink, f"uplink {uplink} is a port of node bridge {bridge}",
                       path=f"{sys_path}/brif/{uplink}")
    if not ctx.fs.lookup(f"{SYS_NET}/{uplink}").exists:
        return Finding(ERROR, "uplink", uplink,
                       f"uplink {uplink} of node bridge {bridge} ({why}) does not exist on this node "
                       f"({SYS_NET}/{uplink}); the plan's 'uplink' names the NIC on the segment",
                       code="KV514",
                       fix="ip -br link   # pick the NIC, then set 'uplink:' in the plan", path=f"{SYS_NET}/{uplink}")
    other = _master(ctx, uplink)
    taken = f"; it is a port of {other}" if other else ""
    fix = fixes.enslave(bridge, uplink, sorted(ctx.needs.vlans.get(bridge, {})))
    if other:
        fix = f"ip link set {fixes.q(uplink)} nomaster && {fix}"
    return Finding(ERROR, "uplink", uplink,
                   f"uplink {uplink} is not a port of node bridge {bridge} ({why}){taken}: VMs on the bridge run "
                   "but pass no traffic beyond this node", code="KV513",
                   fix=fix, caution=caution, path=f"{sys_path}/brif")


def check_bridges(ctx: Context) -> list[Finding]:
    """Each node bridge the plan's bridge networks use: it exists, is a Linux bridge, and has its
    uplink (the plan's ``uplink``, else any port) enslaved."""
    out = []
    for bridge, nets in ctx.needs.bridges.items():
        sys_path = f"{SYS_NET}/{bridge}"
        why = "needed by " + ", ".join(nets)
        uplink = ctx.needs.uplinks.get(bridge)
        vlans = sorted(ctx.needs.vlans.get(bridge, {}))
        if not ctx.fs.lookup(sys_path).exists:
            out.append(Finding(ERROR, "bridge", bridge,
                               f"node bridge {bridge} ({why}) does not exist ({sys_path}); make it persistent "
                               f"in the node's network config (netplan, NetworkManager) too",
                               code="KV510", fix=fixes.make_bridge(bridge, uplink, vlans),
                               caution=fixes.move_addresses(bridge, uplink),
                               path=sys_path))
        elif not ctx.fs.lookup(f"{sys_path}/bridge").exists:
            out.append(Finding(ERROR, "bridge", bridge,
                               f"{bridge} ({why}) exists but is not a Linux bridge", code="KV511", path=sys_path,
                               fix=f"ip link del {fixes.q(bridge)} && {fixes.make_bridge(bridge, uplink, vlans)}",
                               caution=fixes.move_addresses(bridge, uplink)))
        else:
            out.append(Finding(OK, "bridge", bridge, f"node bridge {bridge} exists", path=sys_path))
            out.append(_uplink(ctx, bridge, uplink, why))
    return out
