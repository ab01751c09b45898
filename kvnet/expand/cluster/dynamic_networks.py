"""multus-dynamic-networks-controller, deployed with ``spec.cluster.multus.hotplug: true``: it lets
KubeVirt plug a NIC into (and unplug it from) a running VM in place, without migrating it.

KubeVirt adds a hot-plugged interface to the virt-launcher pod's network-selection annotation;
the controller watches that annotation and asks the thick Multus daemon (over its socket) to run
the CNI ADD/DEL in the pod's netns, which it finds through the node's CRI runtime. Without it,
KubeVirt gives the pod 15 s and then live-migrates the VM to a pod that has the new network
(kubevirt pkg/network/migration/evaluator.go ``DynamicNetworkControllerGracePeriod``).

Facts from k8snetworkplumbingwg/multus-dynamic-networks-controller v0.3.7
(manifests/dynamic-networks-controller.yaml, pkg/config/types.go): a ConfigMap holding
``dynamic-networks-config.json`` (``criSocketPath``, ``multusSocketPath``, as seen in the
container), a privileged DaemonSet mounting the Multus daemon socket (thick Multus:
``/run/multus/multus.sock`` on the host, from its ``socketDir``) and the CRI socket (the
profile's ``cri_socket``), and RBAC to read NADs and update pods. The image is pinned (upstream's
manifest floats on ``:latest-amd64``).
"""

from __future__ import annotations

import json
from typing import Any

from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.profiles import Profile

NAME = "dynamic-networks-controller"
CONFIG = "dynamic-networks-controller-config"
DAEMONSET = "dynamic-networks-controller-ds"
LABELS = {"tier": "node", "app": "dynamic-networks-controller", "name": "dynamic-networks-controller"}
MULTUS_SOCKET = "/run/multus/multus.sock"  # the thick daemon's socketDir /host/run/multus/ is the host's /run
SOCKET_MOUNTS = "/host"  # both sockets appear under /host in the container, at their host paths
CONFIG_MOUNT = "/etc/dynamic-networks-controller/"


def controller_config(profile: Profile) -> dict[str, str]:
    """``dynamic-networks-config.json``: the sockets' paths inside the container."""
    return {"criSocketPath": SOCKET_MOUNTS + profile.cri_socket, "multusSocketPath": SOCKET_MOUNTS + MULTUS_SOCKET}


def _rbac(plan: Plan, source: str) -> list[dict[str, Any]]:
    def md(namespace: str | None) -> dict[str, Any]:
        return meta.metadata(NAME, namespace, plan.name, source, meta.WAVE_CLUSTER)

    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md(NAMESPACE)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": md(None), "rules": [
            {"apiGroups": ["k8s.cni.cncf.io"], "resources": ["network-attachment-definitions"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["pods", "pods/status"], "verbs": ["get", "list", "update", "watch"]},
            {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch", "update"]},
        ]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": md(None),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
         "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}]},
    ]


def _configmap(plan: Plan, source: str, profile: Profile) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta.metadata(CONFIG, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER,
                                  labels={"tier": "node", "app": "multus-dynamic-networks-controller"}),
        "data": {"dynamic-networks-config.json": json.dumps(controller_config(profile), indent=2, sort_keys=True)
                 + "\n"},
    }


def _daemonset(plan: Plan, source: str, profile: Profile, image: str) -> dict[str, Any]:
    health = {"exec": {"command": ["curl", "--fail", "--unix-socket", SOCKET_MOUNTS + MULTUS_SOCKET,
                                   "localhost/healthz"]}, "initialDelaySeconds": 15, "periodSeconds": 5}
    container = {
        "name": NAME,
        "image": image,
        "command": ["/dynamic-networks-controller"],
        "args": [f"-config={CONFIG_MOUNT}dynamic-networks-config.json", "-v=5"],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "livenessProbe": dict(health),
        "readinessProbe": dict(health),
        "resources": {"requests": {"cpu": "100m", "memory": "50Mi"}},
        "securityContext": {"privileged": True},
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": [
            {"name": "dynamic-networks-controller-config-dir", "mountPath": CONFIG_MOUNT, "readOnly": True},
            {"name": "multus-server-socket", "mountPath": SOCKET_MOUNTS + MULTUS_SOCKET},
            {"name": "cri-socket", "mountPath": SOCKET_MOUNTS + profile.cri_socket},
        ],
    }
    pod = {
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}],
        "serviceAccountName": NAME,
        "priorityClassName": "system-node-critical",
        "containers": [container],
        "terminationGracePeriodSeconds": 10,
        "volumes": [
            {"name": "dynamic-networks-controller-config-dir", "configMap": {
                "name": CONFIG, "items": [{"key": "dynamic-networks-config.json",
                                           "path": "dynamic-networks-config.json"}]}},
            {"name": "multus-server-socket", "hostPath": {"path": MULTUS_SOCKET, "type": "Socket"}},
            {"name": "cri-socket", "hostPath": {"path": profile.cri_socket, "type": "Socket"}},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta.metadata(DAEMONSET, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=LABELS),
        "spec": {"selector": {"matchLabels": {"name": NAME}}, "updateStrategy": {"type": "RollingUpdate"},
                 "template": {"metadata": {"labels": dict(LABELS)}, "spec": pod}},
    }


def dynamic_networks_objects(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> list[dict[str, Any]]:
    """RBAC, ConfigMap and DaemonSet of the controller (kube-system), pinned, with the profile's CRI socket."""
    return [*_rbac(plan, source), _configmap(plan, source, profile),
            _daemonset(plan, source, profile, cfg.dynamic_networks_image)]
