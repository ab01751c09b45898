"""Whether the installed bridge plugin applied a config's ``vlanTrunk`` (issue 24).

containernetworking/plugins added ``vlanTrunk`` to the bridge plugin in v1.3.0 (PR #829);
older releases (Debian 12's 1.1.1) ignore the key and ADD succeeds with an access port. So the
trunk is judged by what ADD did: the VLANs on the bridge's ports in the node namespace
(``bridge -j vlan show``). None of the trunk's VLANs there: the plugin lacks vlanTrunk, and the
trunk is "not exercised" rather than failed; some of them: a real failure.
"""

from __future__ import annotations

import json
from typing import Any

from kvnet import nettypes
from kvnet.verify.netns import Session

LACKS = "trunk not exercised: plugin lacks vlanTrunk (containernetworking/plugins v1.3.0 or newer has it)"


def trunk_vlans(plugins: list[dict[str, Any]]) -> set[int]:
    """The VLAN IDs a bridge plugin config's ``vlanTrunk`` asks for (empty without one)."""
    out: set[int] = set()
    for conf in plugins:
        if conf.get("type") != nettypes.BRIDGE.cni_type or not isinstance(conf.get("vlanTrunk"), list):
            continue
        for item in conf["vlanTrunk"]:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                out.add(item["id"])
            elif isinstance(item, dict) and isinstance(item.get("minID"), int) and isinstance(item.get("maxID"), int):
                out.update(range(item["minID"], item["maxID"] + 1))
    return out


def port_vlans(vlan_json: str) -> set[int]:
    """VLAN IDs on any port of ``bridge -j vlan show`` output (ranges expanded)."""
    try:
        ports = json.loads(vlan_json or "[]")
    except ValueError:
        return set()
    out: set[int] = set()
    for port in ports if isinstance(ports, list) else []:
        for v in port.get("vlans", []) if isinstance(port, dict) else []:
            if isinstance(v, dict) and isinstance(v.get("vlan"), int):
                end = v.get("vlanEnd")
                out.update(range(v["vlan"], (end if isinstance(end, int) else v["vlan"]) + 1))
    return out


def judge(want: set[int], have: set[int]) -> tuple[str | None, str | None]:
    """(note, problem) for a trunk of ``want`` when the ports carry ``have``."""
    if not want:
        return None, None
    got = want & have
    if not got:
        return LACKS, None
    if got != want:
        missing = sorted(want - have)
        return None, f"vlanTrunk: VLANs {missing[:5]}{'...' if len(missing) > 5 else ''} are not on the port"
    return f"vlanTrunk exercised: {len(want)} VLAN(s) on the port", None


def check_trunk(session: Session, node_ns: str, plugins: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """Run after ADD: (note, problem) about the config's vlanTrunk in ``node_ns``."""
    want = trunk_vlans(plugins)
    if not want:
        return None, None
    shown = session.run(["bridge", "-netns", node_ns, "-j", "vlan", "show"])
    if not shown.ok:
        return None, f"cannot list the bridge's VLANs: {shown.error_text()}"
    return judge(want, port_vlans(shown.stdout))
