"""macvtap-cni, deployed when a plan has macvtap networks (SPEC §9): the device-plugin
ConfigMap built from the plan's macvtap ``master`` devices, and the DaemonSet that installs the
CNI plugin and runs the device plugin.

Facts from kubevirt/macvtap-cni v0.13.1 (README "Deployment", manifests/macvtap.yaml,
cmd/Dockerfile): ``DP_MACVTAP_CONF`` is a JSON array of ``{name, lowerDevice, mode, capacity}``,
each exposing resource ``macvtap.network.kubevirt.io/<name>``; the image holds
``/macvtap-cni`` (copied into the CNI bin dir as ``macvtap``) and ``/macvtap-deviceplugin``,
which registers with the kubelet in ``/var/lib/kubelet/device-plugins`` (mounted from the
profile's kubelet root).
"""

from __future__ import annotations

import json
from typing import Any

from kvnet import nettypes
from kvnet import labels as meta
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.profiles import Profile

NAME = "macvtap-cni"
CONFIG = "macvtap-deviceplugin-config"
RESOURCE_PREFIX = nettypes.MACVTAP_RESOURCE_PREFIX
CAPACITY = 100  # macvtap-cni's default number of macvtap interfaces per resource and node
LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "cni-plugin"}
DEVICE_PLUGIN_MOUNT = "/var/lib/kubelet/device-plugins"  # the kubelet device-plugin API's fixed path
BIN_MOUNT = "/host/opt/cni/bin"


def device_plugin_config(plan: Plan) -> list[dict[str, Any]]:
    """One resource per macvtap ``master``: named by the network's resourceName suffix when it is
    a macvtap.network.kubevirt.io resource, else by the master (the NAD's default resource)."""
    out: dict[str, dict[str, Any]] = {}
    for net in plan.networks:
        if net.type != nettypes.MACVTAP_TYPE or not net.master:
            continue
        rn = net.resource_name or RESOURCE_PREFIX + net.master
        if not rn.startswith(RESOURCE_PREFIX):
            continue  # another device plugin's resource: not macvtap-cni's to configure
        name = rn[len(RESOURCE_PREFIX):]
        out.setdefault(name, {"name": name, "lowerDevice": net.master, "mode": net.mode or "bridge",
                              "capacity": CAPACITY})
    return [out[k] for k in sorted(out)]


def configmap(plan: Plan, source: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta.metadata(CONFIG, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=LABELS),
        "data": {"DP_MACVTAP_CONF": json.dumps(device_plugin_config(plan), sort_keys=True, indent=2) + "\n"},
    }


def daemonset(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> dict[str, Any]:
    probe = {"exec": {"command": ["sh", "-c", f"ls {DEVICE_PLUGIN_MOUNT}/macvtap.network.kubevirt.io* >/dev/null "
                                                "2>&1"]}}
    pod = {
        "hostNetwork": True,
        "hostPID": True,
        "priorityClassName": "system-node-critical",
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
        "initContainers": [{
            "name": "install-cni",
            "image": cfg.macvtap_image,
            "command": ["cp", "/macvtap-cni", f"{BIN_MOUNT}/macvtap"],
            "resources": {"requests": {"cpu": "10m", "memory": "15Mi"}},
            "securityContext": {"privileged": True},
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"name": "cnibin", "mountPath": BIN_MOUNT}],
        }],
        "containers": [{
            "name": NAME,
            "image": cfg.macvtap_image,
            "command": ["/macvtap-deviceplugin", "-v", "3", "-logtostderr"],
            "envFrom": [{"configMapRef": {"name": CONFIG}}],
            "resources": {"requests": {"cpu": "60m", "memory": "30Mi"}},
            "securityContext": {"privileged": True},
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "readinessProbe": {**probe, "initialDelaySeconds": 5, "periodSeconds": 10},
            "livenessProbe": {**probe, "initialDelaySeconds": 15, "periodSeconds": 60},
            "volumeMounts": [{"name": "deviceplugin", "mountPath": DEVICE_PLUGIN_MOUNT}],
        }],
        "volumes": [{"name": "deviceplugin", "hostPath": {"path": profile.device_plugins_dir}},
                    {"name": "cnibin", "hostPath": {"path": profile.bin_dir}}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta.metadata(NAME, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=LABELS),
        "spec": {"selector": {"matchLabels": {"name": NAME}}, "updateStrategy": {"type": "RollingUpdate"},
                 "template": {"metadata": {"labels": {"name": NAME}}, "spec": pod}},
    }


def macvtap_objects(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> list[dict[str, Any]]:
    """The device-plugin ConfigMap and the macvtap-cni DaemonSet, pinned, with the profile's paths."""
    return [configmap(plan, source), daemonset(plan, source, profile, cfg)]
