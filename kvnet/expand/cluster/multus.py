"""The Multus DaemonSet ``kube-multus-ds`` (thin or thick) with the profile's host paths.

The thin DaemonSet is upstream v4.3.0's with the patches that ``overlays/<dist>/``
apply to it (args, hostPaths, pinned image, priorityClassName, no unused ConfigMap);
``thin_patch_values`` is the single source of those patches for both.
"""

from __future__ import annotations

import json
from typing import Any

from kvnet import labels as meta
from kvnet.expand.cluster.rbac import NAME as SERVICE_ACCOUNT
from kvnet.input.cluster_settings import NAMESPACE, ClusterSettings
from kvnet.input.model import Plan
from kvnet.profiles import Profile

DAEMONSET = "kube-multus-ds"
DAEMON_CONFIG = "multus-daemon-config"
PRIORITY_CLASS = "system-node-critical"
CONF_MOUNT = "/host/etc/cni/net.d"  # where upstream mounts the conf dir in the container
BIN_MOUNT = "/host/opt/cni/bin"  # where upstream's installers write the binaries
POD_LABELS = {"tier": "node", "app": "multus", "name": "multus"}
_TOLERATIONS = [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}]
_PRIVILEGED = {"privileged": True}


def thin_args(profile: Profile) -> list[str]:
    """thin_entrypoint arguments: upstream's, plus the host kubeconfig path inside the
    profile's conf dir (SPEC §1 row 8) and config cleanup on exit; no --cni-version."""
    return [
        "--multus-conf-file=auto",
        f"--multus-autoconfig-dir={CONF_MOUNT}",
        f"--cni-conf-dir={CONF_MOUNT}",
        f"--multus-kubeconfig-file-host={profile.multus_kubeconfig}",
        "--cleanup-config-on-exit=true",
    ]


def thin_host_paths(profile: Profile) -> dict[str, str]:
    """Volume name -> host path of the thin DaemonSet (upstream's volume names)."""
    return {"cni": profile.conf_dir, "cnibin": profile.bin_dir}


def _host_volume(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "hostPath": {"path": path}}


def _resources(cpu: str, memory: str, limits: bool) -> dict[str, Any]:
    req = {"cpu": cpu, "memory": memory}
    return {"requests": req, "limits": dict(req)} if limits else {"requests": req}


def _container(name: str, image: str, command: list[str], args: list[str] | None, resources: dict[str, Any],
               mounts: list[dict[str, Any]], env: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A privileged Multus container (upstream's fields, in upstream's order)."""
    c: dict[str, Any] = {"name": name, "image": image, "command": command}
    if args:
        c["args"] = args
    c.update({
        "resources": resources,
        "securityContext": dict(_PRIVILEGED),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": mounts,
    })
    if env:
        c["env"] = env
    return c


def _install_container(image: str, command: list[str], args: list[str] | None) -> dict[str, Any]:
    """The init container that copies the multus binary into the node's CNI bin dir."""
    mounts = [{"name": "cnibin", "mountPath": BIN_MOUNT, "mountPropagation": "Bidirectional"}]
    return _container("install-multus-binary", image, command, args, _resources("10m", "15Mi", limits=False), mounts)


def _multus_container(image: str, command: list[str], args: list[str] | None, mounts: list[dict[str, Any]],
                      env: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The kube-multus container."""
    return _container("kube-multus", image, command, args, _resources("100m", "50Mi", limits=True), mounts, env)


def _pod_spec(container: dict[str, Any], init: dict[str, Any], volumes: list[dict[str, Any]],
              host_pid: bool) -> dict[str, Any]:
    """The Multus pod spec: host network (and PID for thick), kube-system's tolerations and priority."""
    pod: dict[str, Any] = {"hostNetwork": True}
    if host_pid:
        pod["hostPID"] = True
    pod.update({
        "tolerations": [dict(t) for t in _TOLERATIONS],
        "serviceAccountName": SERVICE_ACCOUNT,
        "priorityClassName": PRIORITY_CLASS,
        "containers": [container],
        "initContainers": [init],
        "terminationGracePeriodSeconds": 10,
        "volumes": volumes,
    })
    return pod


def _daemonset(plan: Plan, source: str, pod_spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta.metadata(DAEMONSET, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER, labels=POD_LABELS),
        "spec": {
            "selector": {"matchLabels": {"name": "multus"}},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {"metadata": {"labels": dict(POD_LABELS)}, "spec": pod_spec},
        },
    }


def thin_daemonset(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> dict[str, Any]:
    paths = thin_host_paths(profile)
    mounts = [{"name": "cni", "mountPath": CONF_MOUNT}, {"name": "cnibin", "mountPath": BIN_MOUNT}]
    container = _multus_container(cfg.multus_image, ["/thin_entrypoint"], thin_args(profile), mounts)
    init = _install_container(cfg.multus_image, ["/install_multus"], ["--type", "thin"])
    pod = _pod_spec(container, init, [_host_volume(name, path) for name, path in paths.items()], host_pid=False)
    return _daemonset(plan, source, pod)


def daemon_config(profile: Profile) -> dict[str, Any]:
    """The thick daemon's daemon-config.json: upstream's with the profile's bin dir."""
    return {
        "binDir": profile.bin_dir,
        "chrootDir": "/hostroot",
        "cniConfigDir": CONF_MOUNT,
        "cniVersion": "0.3.1",
        "logLevel": "verbose",
        "logToStderr": True,
        "multusAutoconfigDir": CONF_MOUNT,
        "multusConfigFile": "auto",
        "socketDir": "/host/run/multus/",
    }


def daemon_configmap(plan: Plan, source: str, profile: Profile) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta.metadata(DAEMON_CONFIG, NAMESPACE, plan.name, source, meta.WAVE_CLUSTER,
                                  labels={"tier": "node", "app": "multus"}),
        "data": {"daemon-config.json": json.dumps(daemon_config(profile), indent=2, sort_keys=True) + "\n"},
    }


def thick_host_paths(profile: Profile) -> dict[str, str]:
    """Volume name -> host path of the thick DaemonSet."""
    paths = {
        "cni": profile.conf_dir,
        "cnibin": profile.bin_dir,
        "hostroot": "/",
        "host-run": "/run",
        "host-var-lib-cni-multus": "/var/lib/cni/multus",
        "host-var-lib-kubelet": profile.kubelet_root,
        "host-run-k8s-cni-cncf-io": "/run/k8s.cni.cncf.io",
        "host-run-netns": profile.netns_dir,
        "multus-conf-dir": "/etc/cni/multus/net.d",
    }
    if profile.k3s_data_dir:
        paths["k3s-data"] = f"{profile.k3s_data_dir.rstrip('/')}/data"
    return paths


def thick_daemonset(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> dict[str, Any]:
    paths = thick_host_paths(profile)
    htc = "HostToContainer"
    mounts: list[dict[str, Any]] = [
        {"name": "cni", "mountPath": CONF_MOUNT},
        # multus-daemon runs plugins from binDir: the bin dir must sit at the same path as on the host.
        {"name": "cnibin", "mountPath": profile.bin_dir},
        {"name": "host-run", "mountPath": "/host/run"},
        {"name": "host-var-lib-cni-multus", "mountPath": "/var/lib/cni/multus"},
        {"name": "host-var-lib-kubelet", "mountPath": "/var/lib/kubelet", "mountPropagation": htc},
        {"name": "host-run-k8s-cni-cncf-io", "mountPath": "/run/k8s.cni.cncf.io"},
        {"name": "host-run-netns", "mountPath": profile.netns_dir, "mountPropagation": htc},
        {"name": DAEMON_CONFIG, "mountPath": "/etc/cni/net.d/multus.d", "readOnly": True},
        {"name": "hostroot", "mountPath": "/hostroot", "mountPropagation": htc},
        {"name": "multus-conf-dir", "mountPath": "/etc/cni/multus/net.d"},
    ]
    if "k3s-data" in paths:
        # k3s plugin entries are absolute symlinks into <dataDir>/data/<hash>/bin.
        mounts.append({"name": "k3s-data", "mountPath": paths["k3s-data"], "readOnly": True,
                       "mountPropagation": htc})
    volumes = [_host_volume(name, path) for name, path in paths.items()]
    volumes.append({"name": DAEMON_CONFIG, "configMap": {
        "name": DAEMON_CONFIG, "items": [{"key": "daemon-config.json", "path": "daemon-config.json"}]}})
    env = [{"name": "MULTUS_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
    container = _multus_container(cfg.multus_image, ["/usr/src/multus-cni/bin/multus-daemon"], None, mounts, env)
    init = _install_container(
        cfg.multus_image, ["/usr/src/multus-cni/bin/install_multus", "-d", BIN_MOUNT, "-t", "thick"], None)
    pod = _pod_spec(container, init, volumes, host_pid=True)
    return _daemonset(plan, source, pod)


def multus_objects(plan: Plan, source: str, profile: Profile, cfg: ClusterSettings) -> list[dict[str, Any]]:
    if cfg.flavor == "thick":
        return [daemon_configmap(plan, source, profile), thick_daemonset(plan, source, profile, cfg)]
    return [thin_daemonset(plan, source, profile, cfg)]
