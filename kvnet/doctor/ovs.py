"""Open vSwitch on the node, for the plan's ``ovs`` networks (SPEC §9; ovs-cni
docs/cni-plugin.md: "Open vSwitch must be installed and running on the host", and the bridge
is the host administrator's to create).

Running Open vSwitch shows as its database socket (``db.sock`` in ``/run/openvswitch``, or
``/var/run/openvswitch`` where ``/var/run`` is not a link to ``/run``), which ovs-cni connects
to. Whether a bridge is Open vSwitch's is asked of that database (``ovs-vsctl --db=unix:SOCK
list-br``, the socket under ``--root``): a netdev of the name proves nothing, and a Linux bridge of
the name (``/sys/class/net/<br>/bridge``) is the confusion of ovs-cni#223: ovs-cni finds no such
bridge in ovsdb and every VM on the network fails to start.
"""

from __future__ import annotations

from kvnet.doctor import fixes
from kvnet.doctor.checks import Context
from kvnet.doctor.findings import ERROR, OK, WARNING, Finding
from kvnet.doctor.tools import Tools

DB_SOCKETS = ("/run/openvswitch/db.sock", "/var/run/openvswitch/db.sock")
START_OVS = ("apt-get install -y openvswitch-switch && systemctl enable --now openvswitch-switch"
             "   # Debian/Ubuntu; RHEL-like: dnf install -y openvswitch && systemctl enable --now openvswitch")
SYS_NET = "/sys/class/net"


def ovsdb_bridges(socket: str, tools: Tools | None = None) -> list[str] | str:
    """The bridges in the Open vSwitch database at ``socket`` (``ovs-vsctl list-br``; a local
    path, or with ``tools`` running inside the node's root a node path), or why they could not
    be read."""
    done = (tools or Tools()).run("ovs-vsctl", f"--db=unix:{socket}", "--timeout=5", "list-br", timeout=15)
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return f"ovs-vsctl list-br: {done.stderr.strip() or 'exit ' + str(done.returncode)}"
    return sorted(line.strip() for line in done.stdout.splitlines() if line.strip())


def _add_br(bridge: str) -> str:
    return (f"ovs-vsctl --may-exist add-br {fixes.q(bridge)}   # then: ovs-vsctl add-port {fixes.q(bridge)} "
            "<UPLINK>, after moving the uplink's addresses to the bridge")


def _bridge(ctx: Context, bridge: str, nets: list[str], known: list[str] | str) -> Finding:
    """One OVS bridge: in ovsdb (when it could be read), not a Linux bridge of that name, a netdev."""
    sys_path = f"{SYS_NET}/{bridge}"
    why = f"needed by {', '.join(nets)}"
    if ctx.fs.lookup(f"{sys_path}/bridge").exists:
        ports = ctx.fs.listdir(f"{sys_path}/brif")
        moved = f" (move its ports {', '.join(ports)} over)" if ports else ""
        return Finding(ERROR, "ovs-bridge", bridge,
                       f"{bridge} ({why}) is a Linux bridge, not an Open vSwitch bridge: ovs-cni looks it up in "
                       "Open vSwitch's database and plugs no VM into a Linux bridge of the same name", code="KV522",
                       fix=f"ip link del {fixes.q(bridge)} && {_add_br(bridge)}{moved}", path=f"{sys_path}/bridge")
    netdev = ctx.fs.lookup(sys_path).exists
    if isinstance(known, list):
        if bridge not in known:
            what = "a netdev of that name exists, but " if netdev else ""
            return Finding(ERROR, "ovs-bridge", bridge,
                           f"Open vSwitch bridge {bridge} ({why}) does not exist: {what}Open vSwitch's database has "
                           f"{'only ' + ', '.join(known) if known else 'no bridges'}", code="KV521",
                           fix=_add_br(bridge), path=sys_path)
        return Finding(OK, "ovs-bridge", bridge, f"Open vSwitch bridge {bridge} exists (ovsdb)", path=sys_path)
    if not netdev:
        return Finding(ERROR, "ovs-bridge", bridge, f"Open vSwitch bridge {bridge} ({why}) does not exist ({sys_path})",
                       code="KV521", fix=_add_br(bridge), path=sys_path)
    return Finding(WARNING, "ovs-bridge", bridge,
                   f"{bridge} ({why}) is a netdev and not a Linux bridge, but Open vSwitch's database was not read "
                   f"({known}), so whether it is an Open vSwitch bridge is not known", code="KV523",
                   fix=f"ovs-vsctl br-exists {fixes.q(bridge)} && echo 'Open vSwitch bridge'", path=sys_path)


def check_ovs(ctx: Context) -> list[Finding]:
    """Open vSwitch running, and every OVS bridge the plan's ovs networks name in its database."""
    if not ctx.needs.ovs_bridges:
        return []
    out: list[Finding] = []
    sock = next((s for s in DB_SOCKETS if ctx.fs.lookup(s).exists), None)
    users = sorted({n for nets in ctx.needs.ovs_bridges.values() for n in nets})
    known: list[str] | str = "Open vSwitch is not running"
    if sock is None:
        out.append(Finding(ERROR, "ovs", "openvswitch",
                           f"Open vSwitch is not running on this node (no {' or '.join(DB_SOCKETS)}), which the "
                           f"ovs networks {', '.join(users)} need: ovs-cni cannot plug VMs in", code="KV520",
                           fix=START_OVS, path=DB_SOCKETS[0]))
    else:
        node_sock = ctx.fs.lookup(sock).resolved or sock
        known = ovsdb_bridges(node_sock if ctx.tools.chroot else ctx.fs.real(node_sock), ctx.tools)
        if isinstance(known, str) and ctx.tools.command("ovs-vsctl") is not None:
            out.append(Finding(ERROR, "ovs", "openvswitch",
                               f"{sock} exists, but Open vSwitch's database does not answer ({known}): ovsdb-server "
                               f"is not running, so ovs-cni cannot plug VMs of {', '.join(users)} in", code="KV520",
                               fix=START_OVS, path=sock))
        else:
            out.append(Finding(OK, "ovs", "openvswitch", f"Open vSwitch is running ({sock})", path=sock))
    for bridge, nets in ctx.needs.ovs_bridges.items():
        out.append(_bridge(ctx, bridge, nets, known))
    return out
