"""CNI network configs and plugin execution as the CNI spec describes it.

A config is either a single plugin config or a conflist (``plugins: [...]``). For a
conflist each plugin gets ``name`` and ``cniVersion`` of the list and, from the second
on, the previous plugin's result as ``prevResult``. ADD runs the plugins in order, CHECK
(cniVersion 0.4.0 and later) in order with the final ADD result, DEL in reverse order.
Plugins run inside the node namespace through ``ip netns exec`` so that they see the
stand-in links; ``CNI_NETNS`` names the pod namespace.
"""

from __future__ import annotations

import copy
import json
import os
from kvnet.record import dataclass, field
from typing import Any

from kvnet.verify.netns import Session, netns_path

# Reference IPAM and main/meta plugins; anything else must be found in the bin dir.
# Third-party plugins that kvnet plans (or common NADs) use but a reference set never
# ships: absent here, the NAD is skipped rather than failed.
THIRD_PARTY = {
    "whereabouts": "whereabouts IPAM",
    "sriov": "SR-IOV CNI",
    "ib-sriov": "InfiniBand SR-IOV CNI",
    "macvtap": "KubeVirt macvtap CNI",
    "multus": "Multus",
    "multus-shim": "Multus (thick)",
    "ovs": "OVS CNI",
    "kube-ovn": "Kube-OVN",
    "ovn-k8s-cni-overlay": "OVN-Kubernetes",
    "bond": "bond CNI",
    "route-override": "route-override CNI",
    "cnv-bridge": "OpenShift cnv-bridge",
    "calico": "Calico",
    "cilium-cni": "Cilium",
    "flannel": "flannel",
}

# IPAM plugins that need something a throwaway namespace cannot offer.
NEEDS_SERVICE = {
    "dhcp": "dhcp IPAM needs the CNI dhcp daemon and a DHCP server on the segment; verify sends no traffic",
}


class ConfigError(Exception):
    """The network config cannot be understood well enough to run it."""


@dataclass(frozen=True)
class NetConf:
    name: str
    cni_version: str
    plugins: tuple[dict[str, Any], ...]
    is_list: bool
    disable_check: bool = False

    @property
    def types(self) -> list[str]:
        return [str(p.get("type")) for p in self.plugins]

    def supports_check(self) -> bool:
        return version_tuple(self.cni_version) >= (0, 4, 0)


def version_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (0,)


def parse_netconf(text: str, nad_name: str = "") -> NetConf:
    """Parse a ``spec.config`` string; raises ConfigError with a reader-facing message.

    A config without ``name`` gets ``nad_name``, as Multus does: it sets the network name of a
    NAD's config to the NAD's own name when the config has none (multus-cni
    pkg/k8sclient getCNIConfigFromSpec), so such a NAD is valid and its real problems are reported.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"spec.config is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"spec.config must be a JSON object, got {type(data).__name__}")
    version = data.get("cniVersion", "")
    if not isinstance(version, str):
        raise ConfigError("cniVersion must be a string")
    if not data.get("name") and nad_name:
        data["name"] = nad_name
    name = data.get("name", "")
    if not isinstance(name, str):
        raise ConfigError("name must be a string")
    if "plugins" in data:
        plugins = data["plugins"]
        if not isinstance(plugins, list) or not plugins:
            raise ConfigError("plugins must be a non-empty list")
        for i, plugin in enumerate(plugins):
            if not isinstance(plugin, dict):
                raise ConfigError(f"plugins[{i}] must be an object")
            _check_type(plugin, f"plugins[{i}]")
        return NetConf(name, version, tuple(plugins), True, bool(data.get("disableCheck", False)))
    _check_type(data, "config")
    return NetConf(name, version, (data,), False)


def _check_type(plugin: dict[str, Any], where: str) -> None:
    kind = plugin.get("type")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where} has no plugin type")
    if "/" in kind or kind in (".", ".."):
        raise ConfigError(f"{where}: plugin type {kind!r} is not a plugin name")
    ipam = plugin.get("ipam")
    if ipam is not None and not isinstance(ipam, dict):
        raise ConfigError(f"{where}: ipam must be an object")
    if isinstance(ipam, dict) and ipam:
        ipam_type = ipam.get("type")
        if not isinstance(ipam_type, str) or not ipam_type or "/" in ipam_type:
            raise ConfigError(f"{where}: ipam has no valid type")


def ipam_type(plugin: dict[str, Any]) -> str | None:
    ipam = plugin.get("ipam")
    if isinstance(ipam, dict) and ipam.get("type"):
        return str(ipam["type"])
    return None


def rewrite_state_dirs(netconf: NetConf, state_dir: str) -> NetConf:
    """Point host-local's dataDir at a private directory so no node state is touched."""
    plugins = []
    for i, plugin in enumerate(netconf.plugins):
        plugin = copy.deepcopy(plugin)
        if ipam_type(plugin) == "host-local":
            plugin["ipam"]["dataDir"] = os.path.join(state_dir, f"host-local-{i}")
        plugins.append(plugin)
    return NetConf(netconf.name, netconf.cni_version, tuple(plugins), netconf.is_list, netconf.disable_check)


# Where CNI plugins usually live (distribution packages, upstream tarballs, k3s, OpenShift).
COMMON_BIN_DIRS = ("/opt/cni/bin", "/usr/lib/cni", "/usr/libexec/cni", "/var/lib/rancher/k3s/data/cni",
                   "/var/lib/cni/bin")


def find_plugin(bin_dir: str, kind: str) -> str | None:
    path = os.path.join(bin_dir, kind)
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


@dataclass(frozen=True)
class Target:
    """Where plugins run: the node namespace, the pod namespace and interface."""

    bin_dir: str
    node_ns: str
    pod_ns: str
    container_id: str
    ifname: str = "net1"
    pod_name: str = "kvnet-verify"
    pod_namespace: str = "kvnet-verify"


@dataclass
class Outcome:
    """Result of one CNI command over a whole config."""

    command: str
    ok: bool
    result: dict[str, Any] | None = None
    error: str = ""
    plugin: str = ""
    calls: list[str] = field(default_factory=list)


def _conf_bytes(netconf: NetConf, plugin: dict[str, Any], prev: dict[str, Any] | None) -> bytes:
    conf = dict(plugin)
    if netconf.is_list:
        conf["name"] = netconf.name
        conf["cniVersion"] = netconf.cni_version
    if prev is not None:
        conf["prevResult"] = prev
    else:
        conf.pop("prevResult", None)
    return json.dumps(conf).encode()


def _env(target: Target, command: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        "CNI_COMMAND": command,
        "CNI_CONTAINERID": target.container_id,
        "CNI_NETNS": netns_path(target.pod_ns),
        "CNI_IFNAME": target.ifname,
        "CNI_PATH": target.bin_dir,
        "CNI_ARGS": (f"IgnoreUnknown=1;K8S_POD_NAMESPACE={target.pod_namespace};"
                     f"K8S_POD_NAME={target.pod_name};K8S_POD_INFRA_CONTAINER_ID={target.container_id}"),
    }
    return env


def plugin_error(stdout: str, stderr: str, returncode: int, timed_out: bool) -> str:
    """The plugin's own error message (CNI error JSON on stdout), else its stderr."""
    if timed_out:
        return "plugin timed out"
    try:
        data = json.loads(stdout)
    except (json.JSONDecodeError, ValueError):
        data = None
    if isinstance(data, dict) and ("msg" in data or "code" in data):
        msg = str(data.get("msg") or f"error code {data.get('code')}")
        details = data.get("details")
        if details:
            msg = f"{msg}: {details}"
        return msg
    text = (stderr.strip() or stdout.strip() or f"exit status {returncode}")
    return " ".join(text.split())


def exec_plugin(session: Session, target: Target, command: str, kind: str,
                conf: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Run one plugin binary; returns (parsed result or None, error message or None)."""
    binary = os.path.join(target.bin_dir, kind)
    argv = ["ip", "netns", "exec", target.node_ns, binary]
    res = session.run(argv, stdin=conf, env=_env(target, command))
    if not res.ok:
        return None, plugin_error(res.stdout, res.stderr, res.returncode, res.timed_out)
    if command != "ADD":
        return None, None
    try:
        result = json.loads(res.stdout)
    except (json.JSONDecodeError, ValueError):
        return None, f"ADD succeeded but printed no JSON result: {res.stdout.strip()[:200]!r}"
    if not isinstance(result, dict):
        return None, "ADD succeeded but its result is not a JSON object"
    return result, None


def add(session: Session, target: Target, netconf: NetConf) -> Outcome:
    out = Outcome("ADD", True)
    prev: dict[str, Any] | None = None
    for plugin in netconf.plugins:
        kind = str(plugin["type"])
        out.calls.append(kind)
        result, error = exec_plugin(session, target, "ADD", kind, _conf_bytes(netconf, plugin, prev))
        if error is not None:
            out.ok, out.error, out.plugin = False, error, kind
            return out
        prev = result
    out.result = prev
    return out


def check(session: Session, target: Target, netconf: NetConf, result: dict[str, Any] | None) -> Outcome:
    out = Outcome("CHECK", True)
    for plugin in netconf.plugins:
        kind = str(plugin["type"])
        out.calls.append(kind)
        _, error = exec_plugin(session, target, "CHECK", kind, _conf_bytes(netconf, plugin, result))
        if error is not None:
            out.ok, out.error, out.plugin = False, error, kind
            return out
    return out


def delete(session: Session, target: Target, netconf: NetConf, result: dict[str, Any] | None) -> Outcome:
    """DEL in reverse order; every plugin is called even if one fails (first error kept)."""
    out = Outcome("DEL", True)
    prev = result if netconf.supports_check() else None  # prevResult on DEL since 0.4.0
    for plugin in reversed(netconf.plugins):
        kind = str(plugin["type"])
        out.calls.append(kind)
        _, error = exec_plugin(session, target, "DEL", kind, _conf_bytes(netconf, plugin, prev))
        if error is not None and out.ok:
            out.ok, out.error, out.plugin = False, error, kind
    return out


def reported_ips(result: dict[str, Any] | None) -> list[str]:
    """Addresses (CIDR strings) in a CNI result of any version."""
    if not result:
        return []
    ips: list[str] = []
    for entry in result.get("ips") or []:
        if isinstance(entry, dict) and isinstance(entry.get("address"), str):
            ips.append(entry["address"])
    for legacy in ("ip4", "ip6"):  # cniVersion 0.1.0/0.2.0
        entry = result.get(legacy)
        if isinstance(entry, dict) and isinstance(entry.get("ip"), str):
            ips.append(entry["ip"])
    return ips
