"""``spec.cluster.nodeNetwork: netplan | networkd`` (SPEC §9): the plan's node bridges and bonds as
files (:mod:`kvnet.nodenet`) in a ConfigMap, and a privileged DaemonSet, limited to
``spec.cluster.nodeSelector``, that copies them into the node's /etc and applies them in the
host's namespaces (``nsenter -t 1``: ``netplan apply``, or ``networkctl reload`` and
``reconfigure``). The pod template carries a hash of the files, so a changed plan rolls it out.

Where it runs is where a NodeNetworkConfigurationPolicy of the plan applies (nodeNetwork
``nmstate``): the nodes of ``spec.cluster.nodeSelector``, all nodes without one, control-plane and
tainted nodes included. kubernetes-nmstate's handler tolerates every taint so that a policy can
configure any node, and leaves the choice of nodes to the policy's ``nodeSelector``
(nmstate/kubernetes-nmstate#755, "Change handler toleration to operator: Exists"); the DaemonSet
does the same (tolerations ``operator: Exists``, the plan's ``nodeSelector``).

It only copies files: a bridge or bond removed from the plan keeps its files (kvnet's names,
``60-kvnet-<plan>.yaml``, ``10-kvnet-*``) and its link on nodes that had it (README, node side)."""

from __future__ import annotations

import hashlib
from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.nodenet import NodeLayout, layout
from kvnet.nodenet.files import file_mode, render_files
from kvnet.profiles import NODE_NETWORK_IMAGE

FILES_HASH = "kvnet.dev/node-network-sha256"
NAME_PREFIX = "kvnet-node-network-"  # + the plan's name: the ConfigMap and the DaemonSet
SLEEP = "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done\n"
HOST = "nsenter -t 1 -m -u -i -n -p --"


def _apply(fmt: str, lay: NodeLayout) -> str:
    links = sorted({br.name for br in lay.bridges} | {br.uplink for br in lay.bridges}
                   | {b.name for b in lay.bonds} | {nic for b in lay.bonds for nic in b.interfaces})
    copy = "set -eu\ncp -RL /kvnet/etc/. /host/etc/\n"  # -L: the ConfigMap volume's files are symlinks
    if fmt == "netplan":
        return copy + f"chmod 600 /host/etc/netplan/60-kvnet-*.yaml\n{HOST} netplan apply\necho 'kvnet: applied'\n"
    return (copy + f"{HOST} networkctl reload\n{HOST} networkctl reconfigure {' '.join(links)} || true\n"
            "echo 'kvnet: applied'\n")


def _key(path: str) -> str:
    return path.replace("/", "_")


def node_config_objects(plan: Plan, source: str, cfg: ClusterSettings) -> list[dict[str, Any]]:
    """The ConfigMap and DaemonSet for nodeNetwork netplan|networkd; none otherwise or without bridges/bonds."""
    fmt = cfg.node_network
    if fmt not in ("netplan", "networkd"):
        return []
    lay = layout(plan)
    files = render_files(fmt, lay, plan.name)
    if not lay.bridges and not lay.bonds:
        return []
    name = f"{NAME_PREFIX}{plan.name}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "node-network"}
    digest = hashlib.sha256("".join(f"{k}\0{v}\0" for k, v in files.items()).encode()).hexdigest()
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": meta.metadata(name, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=labels),
                  "data": {_key(k): v for k, v in files.items()}}
    pod: dict[str, Any] = {
        "hostNetwork": True, "hostPID": True, "automountServiceAccountToken": False,
        "priorityClassName": "system-node-critical",
        # every node the selector picks, tainted or not, as kubernetes-nmstate's handler (module docstring)
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}],
        "initContainers": [{
            "name": "apply", "image": NODE_NETWORK_IMAGE, "command": ["/bin/sh", "-c", _apply(fmt, lay)],
            "securityContext": {"privileged": True}, "terminationMessagePolicy": "FallbackToLogsOnError",
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
            "volumeMounts": [{"name": "files", "mountPath": "/kvnet", "readOnly": True},
                             {"name": "host-etc", "mountPath": "/host/etc"}]}],
        "containers": [{
            "name": "idle", "image": NODE_NETWORK_IMAGE, "command": ["/bin/sh", "-c", SLEEP],
            "resources": {"requests": {"cpu": "1m", "memory": "4Mi"}, "limits": {"memory": "16Mi"}},
            "terminationMessagePolicy": "FallbackToLogsOnError"}],
        "terminationGracePeriodSeconds": 5,
        "volumes": [{"name": "files", "configMap": {"name": name, "items": [
                        {"key": _key(k), "path": k, "mode": file_mode(k)} for k in files]}},
                    {"name": "host-etc", "hostPath": {"path": "/etc", "type": "Directory"}}],
    }
    if cfg.node_selector:
        pod["nodeSelector"] = dict(cfg.node_selector)
    daemonset = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": meta.metadata(name, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=labels),
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                 "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                 "template": {"metadata": {"labels": dict(labels), "annotations": {FILES_HASH: digest}},
                              "spec": pod}},
    }
    return [config_map, daemonset]
