"""Which distribution a node runs, from marker paths under the root, and which
profile to check: ``--distribution`` > the plan's spec.cluster > detected > generic."""

from __future__ import annotations

from typing import Any

from kvnet.doctor.rootfs import RootFS
from kvnet.profiles import PROFILES, Profile, resolve


def detect(fs: RootFS) -> str | None:
    for name, prof in PROFILES.items():
        if any(fs.is_dir(m) for m in prof.markers):
            return name
    return None


def choose_profile(fs: RootFS, option: str | None, cluster: dict[str, Any] | None) -> tuple[Profile, str]:
    """The profile to check and where its distribution came from."""
    cluster = dict(cluster or {})
    if option:
        dist, source = option, "option"
    elif cluster.get("distribution"):
        dist, source = cluster["distribution"], "plan"
    else:
        found = detect(fs)
        dist, source = (found, "detected") if found else ("generic", "default")
    if cluster.get("distribution") not in (None, dist):
        cluster = {}  # the plan's overrides describe another distribution
    prof = resolve(cluster, dist)
    k3s = cluster.get("k3s") or {}
    if dist == "k3s" and "legacyBinDir" not in k3s and not cluster.get("cniBinDir") and not fs.is_dir(prof.bin_dir):
        legacy = resolve({**cluster, "k3s": {**k3s, "legacyBinDir": True}}, dist)
        if fs.is_dir(legacy.bin_dir):
            prof = legacy  # k3s before v1.28.15/v1.29.10/v1.30.6/v1.31.2
    return prof, source
