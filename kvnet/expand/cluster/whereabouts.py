"""whereabouts, deployed when a plan's NADs use it (SPEC §9): its CRDs, RBAC and DaemonSet.

Facts from whereabouts v0.9.4 (doc/crds/*.yaml, doc/crds/daemonset-install.yaml,
script/install-cni.sh and lib.sh): the DaemonSet copies the plugin into ``$CNI_BIN_DIR`` and
writes ``whereabouts.d/whereabouts.kubeconfig`` and ``whereabouts.d/whereabouts.conf`` into
``$CNI_CONF_DIR``, naming the kubeconfig by that path with ``/host`` removed. kvnet therefore
mounts the profile's dirs at ``/host<dir>``: the host-side paths written into the config are
the profile's own (``<confDir>/whereabouts.d/whereabouts.kubeconfig`` on k3s, not
``/etc/cni/net.d``), which is what the NADs' ``configuration_path`` points at. The container
then runs the IP reconciler (``ip-control-loop``) and the token watcher.
"""

from __future__ import annotations

from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.profiles import Profile

NAME = "whereabouts"
GROUP = "whereabouts.cni.cncf.io"
LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "ipam"}
POD_LABELS = {"app": NAME, "name": NAME, "tier": "node"}
PRIORITY_CLASS = "system-node-critical"
START = ("SLEEP=false source /install-cni.sh\n"
         "/token-watcher.sh &\n"
         "exec /ip-control-loop -log-level info\n")

_STR = {"type": "string"}


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


# kind -> (plural, spec schema, status schema or None), from the v0.9.4 CRDs' Go types
_KINDS: dict[str, tuple[str, dict[str, Any], dict[str, Any] | None]] = {
    "IPPool": ("ippools", _obj({
        "range": _STR,
        "allocations": {"type": "object", "additionalProperties": _obj(
            {"id": _STR, "ifname": _STR, "podref": _STR}, ["id", "podref"])},
    }, ["allocations", "range"]), None),
    "OverlappingRangeIPReservation": ("overlappingrangeipreservations", _obj(
        {"containerid": _STR, "ifname": _STR, "podref": _STR}, ["podref"]), None),
    "NodeSlicePool": ("nodeslicepools", _obj({"range": _STR, "sliceSize": _STR}, ["range", "sliceSize"]),
                      _obj({"allocations": {"type": "array", "items": _obj(
                          {"nodeName": _STR, "sliceRange": _STR}, ["nodeName", "sliceRange"])}}, ["allocations"])),
}


def _md(plan: Plan, source: str, name: str, namespace: str | None) -> dict[str, Any]:
    return meta.metadata(name, namespace, plan.name, source, meta.WAVE_CLUSTER, labels=LABELS)


def crds(plan: Plan, source: str) -> list[dict[str, Any]]:
    out = []
    for kind, (plural, spec, status) in _KINDS.items():
        props: dict[str, Any] = {"apiVersion": _STR, "kind": _STR, "metadata": {"type": "object"}, "spec": spec}
        if status is not None:
            props["status"] = status
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if kind == "OverlappingRangeIPReservation":
            schema["required"] = ["spec"]
        out.append({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": _md(plan, source, f"{plural}.{GROUP}", None),
            "spec": {
                "group": GROUP,
                "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
                "scope": "Namespaced",
                "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                              "schema": {"openAPIV3Schema": schema}}],
            },
        })
    return out


def rbac(plan: Plan, source: str) -> list[dict[str, Any]]:
    """What the plugin and its reconciler use (v0.9.4 ClusterRole whereabouts-cni)."""
    read = ["get", "list", "watch"]
    rules = [
        {"apiGroups": [GROUP], "resources": [p for p, _, _ in _KINDS.values()],
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["*"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": read},
        {"apiGroups": [""], "resources": ["nodes"], "verbs": read},
        {"apiGroups": ["k8s.cni.cncf.io"], "resources": ["network-attachment-definitions"], "verbs": read},
        {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "get", "patch", "update"]},
    ]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _md(plan, source, NAME, NAMESPACE)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": _md(plan, source, "whereabouts-cni", None), "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": _md(plan, source, NAME, None),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "whereabouts-cni"},
         "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}]},
    ]


def host_mount(path: str) -> str:
    """Where a host dir is mounted in the container: ``/host`` + the host path, so that
    install-cni.sh's '/host'-stripped paths are the host's own."""
    return "/host" + path


def daemonset(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> dict[str, Any]:
    field = {"valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}
    env = [
        {"name": "NODENAME", **field},
        {"name": "WHEREABOUTS_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "CNI_BIN_DIR", "value": host_mount(profile.bin_dir) + "/"},
        {"name": "CNI_CONF_DIR", "value": host_mount(profile.conf_dir)},
    ]
    pod = {
        "hostNetwork": True,
        "serviceAccountName": NAME,
        "priorityClassName": PRIORITY_CLASS,
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
        "containers": [{
            "name": NAME,
            "image": cfg.whereabouts_image,
            "command": ["/bin/sh", "-c", START],
            "env": env,
            "resources": {"requests": {"cpu": "100m", "memory": "100Mi"},
                          "limits": {"cpu": "100m", "memory": "200Mi"}},
            "securityContext": {"privileged": True},
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"name": "cnibin", "mountPath": host_mount(profile.bin_dir)},
                             {"name": "cni-net-dir", "mountPath": host_mount(profile.conf_dir)}],
        }],
        "volumes": [{"name": "cnibin", "hostPath": {"path": profile.bin_dir}},
                    {"name": "cni-net-dir", "hostPath": {"path": profile.conf_dir}}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _md(plan, source, NAME, NAMESPACE),
        "spec": {"selector": {"matchLabels": {"name": NAME}}, "updateStrategy": {"type": "RollingUpdate"},
                 "template": {"metadata": {"labels": dict(POD_LABELS)}, "spec": pod}},
    }


def whereabouts_objects(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> list[dict[str, Any]]:
    """CRDs, RBAC and DaemonSet of whereabouts with the profile's paths and a pinned image."""
    return [*crds(plan, source), *rbac(plan, source), daemonset(plan, source, profile, cfg)]
