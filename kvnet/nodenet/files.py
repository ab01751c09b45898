"""One entry point for the node-network renderers: format name -> node-root-relative files."""

from __future__ import annotations

from kvnet.nodenet import NodeLayout, netplan, networkd


def render_files(fmt: str, lay: NodeLayout, plan: str) -> dict[str, str]:
    """``fmt`` netplan or networkd (KeyError otherwise: the caller checked it)."""
    renderers = {"netplan": netplan.render, "networkd": networkd.render}
    return renderers[fmt](lay, plan)


def file_mode(path: str) -> int:
    """0600 for netplan's YAML (netplan warns about anything more open), 0644 for networkd's files,
    which systemd-networkd reads as the unprivileged systemd-network user."""
    return 0o600 if path.startswith("etc/netplan/") else 0o644
