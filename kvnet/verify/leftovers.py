"""What DEL should have removed and did not: links in the pod namespace, host-local reservations
(CNI SPEC "DEL": a plugin releases what ADD made; host-local keeps one file per reserved address,
containernetworking/plugins plugins/ipam/host-local/backend/disk)."""

from __future__ import annotations

import json
import os

from kvnet.verify.netns import Session


def leases_left(state_dir: str) -> list[str]:
    """host-local reservations still on disk after DEL (files named after the address)."""
    left = []
    for _root, _dirs, files in os.walk(state_dir):
        for name in files:
            if name == "lock" or name.startswith("last_reserved_ip"):
                continue
            left.append(name)
    return sorted(left)


def pod_links(session: Session, pod_ns: str) -> list[str]:
    """The links in network namespace ``pod_ns`` but ``lo`` (what DEL should have removed)."""
    res = session.ip("-n", pod_ns, "-j", "link", "show")
    try:
        links = json.loads(res.stdout or "[]") if res.ok else []
    except json.JSONDecodeError:
        return []
    return [str(link.get("ifname")) for link in links if isinstance(link, dict) and link.get("ifname") != "lo"]
