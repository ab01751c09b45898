"""The VLAN membership of bridge ports, as ``bridge -j vlan show`` (iproute2) prints it.

iproute2 5.x and later print a list of ``{"ifname": PORT, "vlans": [{"vlan": VID, "vlanEnd": VID,
"flags": ["PVID", "Egress Untagged"]}]}``; iproute2 4.x printed an object ``{PORT: [{"vlan": VID,
...}]}`` (bridge/vlan.c, print_vlan_info / the json writer). Both are read. Ports without VLAN
filtering on their bridge are not listed. The text is read from the live node (``bridge -j vlan
show`` when doctor checks ``/``) or from a file recorded there (``--bridge-vlan``).
"""

from __future__ import annotations

import json
from kvnet.record import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.doctor.tools import Tools

UNTAGGED = "Egress Untagged"
PVID = "PVID"
BAD_STATE = "KV519"


@dataclass(frozen=True)
class VlanState:
    """Port name -> VLAN ID -> its flags; ``source`` says where it was read (for messages)."""

    source: str
    ports: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)


def _entries(data: Any) -> list[tuple[Any, Any]]:
    """(port name, vlan list) pairs of either JSON layout; ValueError when it is neither."""
    if isinstance(data, list):
        out = []
        for item in data:
            if not isinstance(item, dict) or "ifname" not in item:
                raise ValueError("a list entry is not {ifname, vlans}")
            out.append((item["ifname"], item.get("vlans", [])))
        return out
    if isinstance(data, dict):
        return list(data.items())
    raise ValueError("neither a list of ports nor an object of ports")


def parse(text: str, source: str) -> VlanState:
    """``bridge -j vlan show`` output as a VlanState. Raises ValueError naming what is wrong."""
    data = json.loads(text) if text.strip() else []
    ports: dict[str, dict[int, frozenset[str]]] = {}
    for name, vlans in _entries(data):
        if not isinstance(name, str) or not isinstance(vlans, list):
            raise ValueError(f"port {name!r}: its VLANs are not a list")
        have = ports.setdefault(name, {})
        for v in vlans:
            vid, end = (v.get("vlan"), v.get("vlanEnd", v.get("vlan"))) if isinstance(v, dict) else (None, None)
            if not isinstance(vid, int) or not isinstance(end, int) or not 1 <= vid <= end <= 4094:
                raise ValueError(f"port {name}: {v!r} is not a VLAN entry {{vlan[, vlanEnd], flags}}")
            flags = frozenset(f for f in v.get("flags", []) if isinstance(f, str))
            for n in range(vid, end + 1):
                have[n] = flags
    return VlanState(source, ports)


def read_file(path: str) -> VlanState | Diagnostic:
    """A recorded ``bridge -j vlan show``; a KV519 diagnostic when it is unreadable or not that output."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(1 << 22)
    except (OSError, UnicodeDecodeError) as exc:
        return error(BAD_STATE, f"--bridge-vlan {path}: cannot be read ({exc})", Loc(path))
    try:
        return parse(text, path)
    except json.JSONDecodeError as exc:
        return error(BAD_STATE, f"--bridge-vlan: not JSON ({exc.msg})", Loc(path, exc.lineno, exc.colno),
                     hint="record it on the node with: bridge -j vlan show > FILE")
    except ValueError as exc:
        return error(BAD_STATE, f"--bridge-vlan: not 'bridge -j vlan show' output: {exc}", Loc(path),
                     hint="record it on the node with: bridge -j vlan show > FILE")


def read_live(tools: Tools | None = None) -> VlanState | str:
    """``bridge -j vlan show`` on this machine (``tools``: the node's own, :mod:`kvnet.doctor.tools`),
    or why it could not be read."""
    done = (tools or Tools()).run("bridge", "-j", "vlan", "show")
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return f"'bridge -j vlan show' failed: {done.stderr.strip() or done.returncode}"
    try:
        return parse(done.stdout, "bridge -j vlan show")
    except ValueError as exc:
        return f"'bridge -j vlan show' printed what kvnet cannot read: {exc}"
