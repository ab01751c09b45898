"""The node's primary CNI beside Multus: which one it is (from its config in the conf dir), and the
ways it defeats Multus, named by cause.

- Cilium with ``cni.exclusive`` (its default) renames every other config in the conf dir to
  ``*.cilium_bak`` at start (cilium daemon/cmd/cni.go, ``renameOldConfigs``): a missing
  ``00-multus.conf`` beside ``00-multus.conf.cilium_bak`` is Cilium's doing, and comes back after
  every Multus restart until the Helm value ``cni.exclusive=false`` is set (multus-cni#972, #1132,
  talos#10468, rke2#9040).
- A distribution's own pod network left on beside another (k3s's embedded flannel, rke2's canal,
  Talos's flannel...) leaves two primary configs; the runtime and Multus take whichever sorts first.
- Thin Multus copies the primary config into ``delegates`` when it writes ``00-multus``
  (``--multus-conf-file=auto``); after the primary CNI changed it still delegates to the old one.
"""

from __future__ import annotations

import json
from typing import Any

from kvnet.doctor import fixes
from kvnet.doctor.checks import MULTUS_CONF_NAMES, Context, conf_files, read_multus_conf
from kvnet.doctor.findings import ERROR, OK, WARNING, Finding
from kvnet.profiles import SHIPPED_CNI

CILIUM_BAK = ".cilium_bak"
CILIUM_FIX = ("helm upgrade cilium cilium/cilium -n kube-system --reuse-values --set cni.exclusive=false && "
              "kubectl -n kube-system rollout status daemonset/cilium")
# plugin type of a config's first plugin -> the CNI it belongs to
CNI_OF_TYPE = {"cilium-cni": "cilium", "calico": "calico", "flannel": "flannel", "kube-router": "kube-router",
               "ovn-k8s-cni-overlay": "ovn-kubernetes", "weave-net": "weave", "antrea": "antrea",
               "ptp": "kindnet", "bridge": "bridge"}


def _first_plugin(data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("plugins"), list) and data["plugins"]:
        first = data["plugins"][0]
        return first if isinstance(first, dict) else {}
    return data if isinstance(data, dict) else {}


def primaries(ctx: Context) -> list[tuple[str, str, str | None]]:
    """(file, CNI, config name) of each non-Multus config in the conf dir, in the order libcni loads them."""
    out = []
    for name in conf_files(ctx, ctx.profile.conf_dir):
        if name in MULTUS_CONF_NAMES:
            continue
        try:
            data = json.loads(ctx.fs.read_text(f"{ctx.profile.conf_dir}/{name}") or "")
        except ValueError:
            continue
        kind = str(_first_plugin(data).get("type", "?"))
        cni = "canal" if "canal" in name and kind == "calico" else CNI_OF_TYPE.get(kind, kind)
        out.append((name, cni, data.get("name") if isinstance(data, dict) else None))
    return out


def cilium_renamed(ctx: Context) -> list[str]:
    """The Multus configs Cilium's cni.exclusive renamed (``00-multus.conf.cilium_bak``)."""
    return [n for n in ctx.fs.listdir(ctx.profile.conf_dir)
            if n.endswith(CILIUM_BAK) and n[: -len(CILIUM_BAK)] in MULTUS_CONF_NAMES]


def cilium_finding(ctx: Context, renamed: list[str]) -> Finding:
    """KV530: the cause of a missing 00-multus config when Cilium renamed it."""
    conf = ctx.profile.conf_dir
    return Finding(ERROR, "primary-cni", "cilium",
                   f"Cilium renamed {', '.join(renamed)} in {conf}: its cni.exclusive (on by default) keeps the CNI "
                   "conf dir to Cilium alone, so the runtime bypasses Multus; restoring the file lasts only until "
                   "Cilium's next restart", code="KV530",
                   fix=f"{CILIUM_FIX} && {fixes.restart_multus(ctx.profile)}", path=f"{conf}/{renamed[0]}")


def _delegate(ctx: Context, found: list[tuple[str, str, str | None]]) -> Finding | None:
    name, data, _ = read_multus_conf(ctx)
    delegates = (data or {}).get("delegates")
    if not found or not isinstance(delegates, list) or not delegates or not isinstance(delegates[0], dict):
        return None
    want = delegates[0].get("name")
    file, cni, net = found[0]
    if want is None or want == net:
        return None
    return Finding(ERROR, "primary-cni", cni,
                   f"{name} delegates to network {want!r}, but the primary CNI config is now {file} ({cni}, network "
                   f"{net!r}): Multus wrote its config from a primary CNI that has since been replaced, so pods "
                   "get the old pod network", code="KV532", fix=fixes.restart_multus(ctx.profile),
                   path=f"{ctx.profile.conf_dir}/{name}")


def _shipped(ctx: Context, found: list[tuple[str, str, str | None]]) -> Finding | None:
    cnis = list(dict.fromkeys(cni for _, cni, _ in found))
    if len(cnis) < 2:
        return None
    shipped = SHIPPED_CNI.get(ctx.profile.distribution)
    files = ", ".join(f"{f} ({c})" for f, c, _ in found)
    if shipped and shipped[0] in cnis:
        others = ", ".join(c for c in cnis if c != shipped[0])
        cause = f"{ctx.profile.distribution}'s own {shipped[0]} is still on beside {others}"
        fix = f"{shipped[1]}, then: rm {fixes.q(ctx.profile.conf_dir)}/<its config>"
    else:
        cause = "a CNI that was replaced left its config behind"
        fix = f"mv {fixes.q(ctx.profile.conf_dir + '/' + found[1][0])} /root/   # the one not running"
    return Finding(WARNING, "primary-cni", cnis[0],
                   f"more than one primary CNI config in {ctx.profile.conf_dir}: {files}; {cause}, and the runtime "
                   f"and Multus take {found[0][0]} because it sorts first", code="KV533", fix=fix,
                   path=f"{ctx.profile.conf_dir}/{found[0][0]}")


def check_primary(ctx: Context) -> list[Finding]:
    """The primary CNI and what it does to Multus (the missing-config case is reported by the
    Multus config check, with :func:`cilium_finding` as its cause)."""
    if not ctx.fs.is_dir(ctx.profile.conf_dir):
        return []
    found = primaries(ctx)
    out: list[Finding] = []
    if found:
        file, cni, _ = found[0]
        out.append(Finding(OK, "primary-cni", cni, f"primary CNI: {cni} ({file})",
                           path=f"{ctx.profile.conf_dir}/{file}"))
    multus, _, _ = read_multus_conf(ctx)
    # without a 00-multus config (and no *.cilium_bak, KV530) the Multus install KV504 proposes is
    # the config Cilium renames next: say so, so that fix is not the one that does not last
    if any(cni == "cilium" for _, cni, _ in found) and (multus is not None or not cilium_renamed(ctx)):
        name = multus or "00-multus.conf"
        out.append(Finding(WARNING, "primary-cni", "cilium",
                           f"Cilium is the primary CNI; unless its Helm value cni.exclusive is false (it is true by "
                           f"default), Cilium renames {name} to {name}{CILIUM_BAK} at its next restart",
                           code="KV531", fix=CILIUM_FIX, path=f"{ctx.profile.conf_dir}/{name}"))
    for finding in (_delegate(ctx, found), _shipped(ctx, found)):
        if finding is not None:
            out.append(finding)
    return out
