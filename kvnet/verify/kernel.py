"""Kernel feature probes, run once per feature in a scratch namespace of the session.

A plugin that needs a link type the kernel lacks (no ipvlan, no 802.1q) cannot pass
here whatever its config says; such NADs are skipped with the probe's own error rather
than reported as failures. Probes create links only inside the session's probe
namespace.
"""

from __future__ import annotations

import threading
from kvnet.record import dataclass
from typing import Any

from kvnet.verify.netns import Session

# feature -> (what a reader is told, `ip link add` arguments after the link name)
FEATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "veth": ("veth", ("type", "veth", "peer", "name", "kvprobe-vp")),
    "bridge": ("bridge", ("type", "bridge")),
    "bridge-vlan-filtering": ("bridge VLAN filtering", ("type", "bridge", "vlan_filtering", "1")),
    "macvlan": ("macvlan", ("link", "kvprobe-up", "type", "macvlan", "mode", "bridge")),
    "ipvlan": ("ipvlan", ("link", "kvprobe-up", "type", "ipvlan", "mode", "l2")),
    "vlan": ("802.1q VLAN", ("link", "kvprobe-up", "type", "vlan", "id", "2")),
}

_NEEDS_PARENT = {"macvlan", "ipvlan", "vlan"}


@dataclass(frozen=True)
class Probe:
    feature: str
    supported: bool
    detail: str

    @property
    def reason(self) -> str:
        label = FEATURES[self.feature][0]
        return f"kernel lacks {label} support (probe: {self.detail})"


class KernelProbes:
    """Lazily probed, cached kernel features; thread-safe."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._lock = threading.Lock()
        self._cache: dict[str, Probe] = {}
        self._ns: str | None = None
        self._seq = 0

    def _namespace(self) -> str:
        if self._ns is None:
            name = f"{self._session.next_id()}-probe"
            res = self._session.add_netns(name)
            if not res.ok:
                raise RuntimeError(f"cannot create probe namespace: {res.error_text()}")
            self._ns = name
        return self._ns

    def probe(self, feature: str) -> Probe:
        with self._lock:
            if feature not in self._cache:
                self._cache[feature] = self._run(feature)
            return self._cache[feature]

    def _run(self, feature: str) -> Probe:
        ns = self._namespace()
        if feature in _NEEDS_PARENT and "parent" not in self._cache:
            res = self._session.ip("-n", ns, "link", "add", "kvprobe-up", "type", "veth", "peer", "name", "kvprobe-upp")
            self._cache["parent"] = Probe("veth", res.ok, res.error_text() if not res.ok else "ok")
        if feature in _NEEDS_PARENT and not self._cache["parent"].supported:
            return Probe(feature, False, f"no veth parent: {self._cache['parent'].detail}")
        self._seq += 1
        link = f"kvprobe{self._seq}"
        res = self._session.ip("-n", ns, "link", "add", link, *FEATURES[feature][1])
        if res.ok:
            self._session.ip("-n", ns, "link", "del", link)
            return Probe(feature, True, "ok")
        return Probe(feature, False, res.error_text())

    def first_missing(self, features: list[str]) -> Probe | None:
        for feature in features:
            probe = self.probe(feature)
            if not probe.supported:
                return probe
        return None


def required_features(plugins: list[dict[str, Any]]) -> list[str]:
    """Kernel link types the given plugin configs need, in a stable order."""
    needed: list[str] = []

    def need(feature: str) -> None:
        if feature not in needed:
            needed.append(feature)

    for conf in plugins:
        kind = conf.get("type")
        if kind in ("macvlan", "ipvlan", "vlan", "host-device", "ptp", "bridge"):
            need("veth")  # stand-in uplinks and the bridge/ptp pod side
        if kind == "macvlan":
            need("macvlan")
        elif kind == "ipvlan":
            need("ipvlan")
        elif kind == "vlan":
            need("vlan")
        elif kind == "bridge":
            need("bridge")
            if conf.get("vlan") or conf.get("vlanTrunk"):
                need("bridge-vlan-filtering")
    return needed
