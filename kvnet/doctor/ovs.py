"""Open vSwitch on the node, for the plan's ``ovs`` networks (SPEC §9; ovs-cni
docs/cni-plugin.md: "Open vSwitch must be installed and running on the host", and the bridge
is the host administrator's to create).

Running Open vSwitch shows as its database socket (``db.sock`` in ``/run/openvswitch``, or
``/var/run/openvswitch`` where ``/var/run`` is not a link to ``/run``), which ovs-cni connects
to; each OVS bridge is a netdev in ``/sys/class/net``.
"""

from __future__ import annotations

from kvnet.doctor import fixes
from kvnet.doctor.checks import Context
from kvnet.doctor.findings import ERROR, OK, Finding

DB_SOCKETS = ("/run/openvswitch/db.sock", "/var/run/openvswitch/db.sock")
START_OVS = ("apt-get install -y openvswitch-switch && systemctl enable --now openvswitch-switch"
             "   # Debian/Ubuntu; RHEL-like: dnf install -y openvswitch && systemctl enable --now openvswitch")


def check_ovs(ctx: Context) -> list[Finding]:
    """Open vSwitch running, and every OVS bridge the plan's ovs networks name present."""
    if not ctx.needs.ovs_bridges:
        return []
    out: list[Finding] = []
    sock = next((s for s in DB_SOCKETS if ctx.fs.lookup(s).exists), None)
    users = sorted({n for nets in ctx.needs.ovs_bridges.values() for n in nets})
    if sock is None:
        out.append(Finding(ERROR, "ovs", "openvswitch",
                           f"Open vSwitch is not running on this node (no {' or '.join(DB_SOCKETS)}), which the "
                           f"ovs networks {', '.join(users)} need: ovs-cni cannot plug VMs in", code="KV520",
                           fix=START_OVS,
                           path=DB_SOCKETS[0]))
    else:
        out.append(Finding(OK, "ovs", "openvswitch", f"Open vSwitch is running ({sock})", path=sock))
    for bridge, nets in ctx.needs.ovs_bridges.items():
        sys_path = f"/sys/class/net/{bridge}"
        if ctx.fs.lookup(sys_path).exists:
            out.append(Finding(OK, "ovs-bridge", bridge, f"Open vSwitch bridge {bridge} exists", path=sys_path))
            continue
        out.append(Finding(ERROR, "ovs-bridge", bridge,
                           f"Open vSwitch bridge {bridge} (needed by {', '.join(nets)}) does not exist ({sys_path})",
                           code="KV521",
                           fix=f"ovs-vsctl --may-exist add-br {fixes.q(bridge)}   # then: ovs-vsctl add-port "
                               f"{fixes.q(bridge)} <UPLINK>, after moving the uplink's addresses to the bridge",
                           path=sys_path))
    return out
