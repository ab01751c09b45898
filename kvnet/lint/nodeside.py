"""The node side of existing manifests (SPEC §8, §1 rows 1, 6-8): the NAD CRD's names, and a
Multus DaemonSet's CNI hostPaths and ``--multus-kubeconfig-file-host`` against the profile of
the distribution (``--distribution``, or the ``spec.cluster`` of a NetworkPlan beside them).

The expected values come from where kvnet's own node-side objects get them: the CRD builder's
names and the profile's directories.
"""

from __future__ import annotations

from typing import Any, Sequence

from kvnet.diagnostics import Diagnostic, error
from kvnet.expand.cluster.crd import CRD_NAME
from kvnet.expand.cluster.multus import BIN_MOUNT, CONF_MOUNT
from kvnet.lint.objects import CRD, DAEMONSET, Found
from kvnet.profiles import Profile

CRD_NAMES = "KV308"
HOST_PATH = "KV309"
KUBECONFIG = "KV310"
GROUP = "k8s.cni.cncf.io"
PLURAL = "network-attachment-definitions"
KIND = "NetworkAttachmentDefinition"


def crd_findings(found: Found) -> list[Diagnostic]:
    """The NAD CRD under its one name (SPEC §1 row 1)."""
    if found.get("spec", "names", "kind") != KIND and found.get("spec", "group") != GROUP:
        return []
    out: list[Diagnostic] = []
    for path, want in ((("metadata", "name"), CRD_NAME), (("spec", "group"), GROUP),
                       (("spec", "names", "plural"), PLURAL), (("spec", "names", "kind"), KIND)):
        got = found.get(*path)
        if got != want:
            out.append(error(CRD_NAMES, f"NAD CRD: {'.'.join(path)} is {got!r}, Multus and KubeVirt look for "
                             f"{want!r}", found.loc(*path), hint=f"set {'.'.join(path)}: {want}"))
    return out


def _containers(found: Found) -> list[tuple[str, int, dict[str, Any]]]:
    spec = found.get("spec", "template", "spec")
    out = []
    for group in ("initContainers", "containers"):
        items = spec.get(group) if isinstance(spec, dict) else None
        for i, c in enumerate(items if isinstance(items, list) else []):
            if isinstance(c, dict):
                out.append((group, i, c))
    return out


def is_multus(found: Found) -> bool:
    """A DaemonSet running the Multus image."""
    return any("multus" in str(c.get("image", "")) for _, _, c in _containers(found))


def _mounted(found: Found, want: dict[str, str]) -> dict[str, str]:
    """Volume name -> the host path it should have, for each volume a container mounts at a
    path of ``want`` (mount path -> host path); the first mount of a volume wins."""
    mounted: dict[str, str] = {}
    for _, _, c in _containers(found):
        for m in c.get("volumeMounts") or [] if isinstance(c.get("volumeMounts"), list) else []:
            if isinstance(m, dict) and m.get("mountPath") in want and isinstance(m.get("name"), str):
                mounted.setdefault(m["name"], want[m["mountPath"]])
    return mounted


def daemonset_findings(found: Found, profile: Profile) -> list[Diagnostic]:
    """hostPaths of the CNI conf and bin mounts, and the host kubeconfig path (thin Multus)."""
    out: list[Diagnostic] = []
    want = {CONF_MOUNT: profile.conf_dir, BIN_MOUNT: profile.bin_dir, profile.bin_dir: profile.bin_dir}
    mounted = _mounted(found, want)
    volumes = found.get("spec", "template", "spec", "volumes")
    for i, vol in enumerate(volumes if isinstance(volumes, list) else []):
        if not isinstance(vol, dict) or vol.get("name") not in mounted:
            continue
        path = (vol.get("hostPath") or {}).get("path") if isinstance(vol.get("hostPath"), dict) else None
        expected = mounted[vol["name"]]
        if path is not None and str(path).rstrip("/") != expected:
            out.append(error(HOST_PATH, f"Multus DaemonSet {found.name!r}: volume {vol['name']!r} mounts host "
                             f"path {path!r}; {profile.distribution} keeps it in {expected!r}",
                             found.loc("spec", "template", "spec", "volumes", i, "hostPath", "path"),
                             hint=f"set hostPath.path: {expected}"))
    out.extend(_kubeconfig(found, profile))
    return out


def _kubeconfig(found: Found, profile: Profile) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for group, i, c in _containers(found):
        args = [a for a in (c.get("args") or []) if isinstance(a, str)] if isinstance(c.get("args"), list) else []
        if not any(a.startswith("--multus-conf-file") for a in args):
            continue  # not the thin entrypoint
        flag = "--multus-kubeconfig-file-host="
        given = [(n, a[len(flag):]) for n, a in enumerate(c["args"]) if isinstance(a, str) and a.startswith(flag)]
        if not given and profile.conf_dir != "/etc/cni/net.d":
            out.append(error(KUBECONFIG, f"Multus DaemonSet {found.name!r}: no --multus-kubeconfig-file-host, so "
                             f"00-multus.conf names /etc/cni/net.d/multus.d/multus.kubeconfig, not in "
                             f"{profile.distribution}'s conf dir", found.loc("spec", "template", "spec", group, i,
                                                                             "args", key=True),
                             hint=f"add {flag}{profile.multus_kubeconfig}"))
        for n, value in given:
            if value != profile.multus_kubeconfig:
                out.append(error(KUBECONFIG, f"Multus DaemonSet {found.name!r}: {flag}{value} is not in "
                                 f"{profile.distribution}'s conf dir", found.loc("spec", "template", "spec", group,
                                                                                 i, "args", n),
                                 hint=f"use {flag}{profile.multus_kubeconfig}"))
    return out


def node_findings(objects: Sequence[Found], profile: Profile | None) -> list[Diagnostic]:
    """CRD names always; Multus DaemonSets when a profile is known."""
    out: list[Diagnostic] = []
    for found in objects:
        if found.kind == CRD:
            out.extend(crd_findings(found))
        elif found.kind == DAEMONSET and profile is not None and is_multus(found):
            out.extend(daemonset_findings(found, profile))
    return out
