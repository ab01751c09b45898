"""spec.cluster settings that would deploy something other than what the user meant.

- images must be pinned (SPEC §3: never ``:snapshot``; nor ``:latest`` or no tag at all):
  a floating tag changes the node side under a GitOps tool without a commit;
- the Multus image must match the flavor (the thick image runs multus-daemon, the thin one
  does not have it: the DaemonSet would crash-loop);
- ``multus.deploy: true`` on a distribution whose Multus is operator-managed is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan

UNPINNED = "KV263"
FLAVOR_MISMATCH = "KV264"
DEPLOY_IGNORED = "KV262"

IMAGE_FIELDS = (("multus", "image"), ("multus", "dynamicNetworksImage"), ("plugins", "image"),
                ("plugins", "whereaboutsImage"), ("plugins", "macvtapImage"))
FLOATING_TAGS = re.compile(r"^(latest|snapshot.*|stable.*|master|main|nightly)$")


def image_problem(image: str) -> str | None:
    """Why ``image`` is not pinned, or None."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag, so it floats to :latest"
    tag = last.rsplit(":", 1)[1]
    if FLOATING_TAGS.match(tag):
        return f"uses the floating tag :{tag}"
    return None


def _flavor_mismatch(multus_image: str, flavor: str | None, at: Loc) -> Diagnostic | None:
    """KV263 when spec.cluster.multus.image's tag does not match the flavor (thick images' tags
    end in -thick; Multus docs/thick-plugin.md); a digest-pinned image is not judged thin."""
    tag = multus_image.rsplit("/", 1)[-1].partition(":")[2]
    is_thick_image = "thick" in tag
    if flavor == "thick" and not is_thick_image and "@" not in multus_image:
        return warning(FLAVOR_MISMATCH, f"multus.flavor is thick but image {multus_image!r} looks like the "
                       "thin image (thick tags end in -thick)", at,
                       hint="use e.g. ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick")
    if flavor == "thin" and is_thick_image:
        return warning(FLAVOR_MISMATCH, f"multus.flavor is thin but image {multus_image!r} is a thick "
                       "image", at, hint="set 'flavor: thick', or use the thin image")
    return None


def _unpinned(raw: dict[str, Any], at: Callable[..., Loc]) -> list[Diagnostic]:
    """KV262 for each image of IMAGE_FIELDS in spec.cluster that floats (no tag, or a floating
    tag such as :latest; Kubernetes docs concepts/containers/images "image tags")."""
    out = []
    for section, key in IMAGE_FIELDS:
        image = (raw.get(section) or {}).get(key)
        problem = image_problem(image) if image else None
        if problem:
            out.append(error(UNPINNED, f"spec.cluster.{section}.{key} {image!r} {problem}", at(section, key),
                             hint="pin a release tag or a digest (e.g. ghcr.io/k8snetworkplumbingwg/"
                                  "multus-cni:v4.3.0, or ...@sha256:...) so the node side changes only "
                                  "with a commit"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV262/KV263/KV264 on spec.cluster's images and Multus settings."""
    profile, cfg = facts.profile, facts.cluster
    if profile is None or cfg is None:
        return []
    out: list[Diagnostic] = []
    where = plan.cluster_where
    raw = plan.cluster or {}

    def at(*path: str) -> Loc:
        return where.at(*path) if where is not None else plan.where.at()

    out += _unpinned(raw, at)
    multus_image = (raw.get("multus") or {}).get("image")
    mismatch = _flavor_mismatch(multus_image, cfg.flavor, at("multus", "image")) \
        if multus_image and cfg.deploy_multus else None
    if mismatch is not None:
        out.append(mismatch)
    if not profile.deploy_multus and (raw.get("multus") or {}).get("deploy") is True:
        out.append(warning(DEPLOY_IGNORED, f"multus.deploy: true is ignored on {profile.distribution}: its Multus "
                           "is operator-managed; kvnet emits NADs and VMs only", at("multus", "deploy"),
                           hint="remove spec.cluster.multus.deploy"))
    return out
