"""NetworkAttachmentDefinitions from existing manifests: parse ``spec.config`` and check it with
kvnet's CNI schemas (SPEC §8 "each NAD"), the same output check every NAD kvnet emits passes.

Every finding is placed on the ``config`` key and names the JSON key inside it.
"""

from __future__ import annotations

import ipaddress
import json
from kvnet.record import dataclass
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.lint.objects import Found
from kvnet.outputcheck.cni_schemas import PLUGIN_TYPES, _did_you_mean, validate_cni_config
from kvnet.outputcheck.problem import Cause, Problem

#: CNI specification versions (containernetworking/cni SPEC.md, "Version" section); Multus v4
#: and the reference plugins v1.x read all of them.
CNI_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
#: plugin types of other projects that kvnet has no schema for; they are not flagged as unknown
#: (reference plugins, OVS/OVN/kube-ovn/Calico/Cilium/Flannel, OpenShift's cnv-bridge, KubeVirt's).
KNOWN_ELSEWHERE = frozenset({
    "bandwidth", "dummy", "firewall", "loopback", "portmap", "ptp", "sbr", "tap", "tuning", "vlan", "vrf",
    "ovs", "ovn-k8s-cni-overlay", "kube-ovn", "calico", "cilium-cni", "flannel", "cnv-bridge",
    "cnv-tuning", "kubevirt-tap", "passt-binding", "network-passt-binding", "route-override",
    "whereabouts", "ib-sriov", "macvtap",
})
CONFIG_INVALID = "KV300"
CONFIG_VALUE = "KV301"
UNKNOWN_TYPE = "KV302"
NO_PLUGINS = "KV303"
CNI_VERSION = "KV304"
DEFAULT_ROUTE = "KV305"


@dataclass
class NadInfo:
    """A NAD with its parsed config: ``plugin`` is the interface plugin (a conflist's first),
    with ``name`` and ``cniVersion`` as the runtime sees them (Multus fills a missing name in)."""

    found: Found
    plugin: dict[str, Any] | None = None
    resource_name: str | None = None

    @property
    def config_loc(self) -> Loc:
        """Where every finding about the config goes: its ``config`` key."""
        return self.config_at()

    def config_at(self) -> Loc:
        """:attr:`config_loc` as a method: a position to look up only when a finding needs it."""
        return _config_at(self.found)

    @property
    def ipam(self) -> dict[str, Any]:
        ipam = (self.plugin or {}).get("ipam")
        return ipam if isinstance(ipam, dict) else {}


def _code(problem: Problem) -> str:
    """The code of a cni_schemas problem: the plan rule's code where it is the same rule."""
    if problem.cause is Cause.HOST_BITS:
        return "KV210"
    if problem.cause is Cause.OUTSIDE:
        return "KV214" if problem.path[-1:] == ("gateway",) else "KV215"
    return CONFIG_VALUE


def _config_at(found: Found) -> Loc:
    return found.loc("spec", "config", key=True)


def _parse(found: Found, out: list[Diagnostic]) -> Any:
    raw = found.get("spec", "config")
    label = f"NAD {found.name!r}"
    if raw is None:
        return None  # Multus then reads a CNI config file of the NAD's name on the node
    if not isinstance(raw, str):
        out.append(error(CONFIG_INVALID, f"{label}: spec.config must be a JSON string, got {type(raw).__name__}",
                         _config_at(found),
                         hint="write the CNI configuration as a JSON string: config: '{\"cniVersion\": ...}'"))
        return None
    try:
        config = json.loads(raw)
    except ValueError as exc:
        out.append(error(CONFIG_INVALID, f"{label}: spec.config is not valid JSON: {exc}", _config_at(found)))
        return None
    if not isinstance(config, dict):
        out.append(error(CONFIG_INVALID, f"{label}: spec.config must be a JSON object", _config_at(found)))
        return None
    return config


def _main_plugin(found: Found, config: dict[str, Any], out: list[Diagnostic]) -> dict[str, Any] | None:
    """The interface plugin: the config itself, or a conflist's first plugin with the list's
    name and cniVersion (libcni passes them to every plugin of a list)."""
    label = f"NAD {found.name!r}"
    plugins = config.get("plugins")
    if "plugins" not in config and "type" not in config:
        out.append(error(NO_PLUGINS, f"{label}: spec.config has neither 'type' (a plugin) nor 'plugins' "
                         "(a conflist)", _config_at(found),
                         hint="a conflist lists its plugins under \"plugins\": [...]"))
        return None
    if "plugins" in config:
        if not isinstance(plugins, list) or not plugins or not all(isinstance(p, dict) for p in plugins):
            out.append(error(NO_PLUGINS, f"{label}: spec.config 'plugins' must be a non-empty list of plugin "
                             "objects", _config_at(found)))
            return None
        for i, plugin in enumerate(plugins):
            if not isinstance(plugin.get("type"), str) or not plugin["type"]:
                keys = ", ".join(repr(k) for k in sorted(plugin)[:4])
                out.append(error(NO_PLUGINS, f"{label}: spec.config plugins[{i}] has no 'type' (keys: {keys}); "
                                 "libcni cannot parse the conflist", _config_at(found)))
                return None
        main = dict(plugins[0])
        main["cniVersion"] = config.get("cniVersion")
        main["name"] = config.get("name")
        return main
    return dict(config)


def _check_version(label: str, version: Any, at: Loc, out: list[Diagnostic]) -> None:
    if version not in CNI_VERSIONS:
        shown = "missing" if version is None else f"{version!r} is not a CNI specification version"
        out.append(error(CNI_VERSION, f"{label}: spec.config cniVersion {shown}", at,
                         hint="use \"cniVersion\": \"1.0.0\" (or 0.3.1 / 0.4.0 for older plugins)"))


def _default_routes(label: str, ipam: dict[str, Any], at: Loc, out: list[Diagnostic]) -> None:
    routes = ipam.get("routes")
    for i, route in enumerate(routes if isinstance(routes, list) else []):
        dst = route.get("dst") if isinstance(route, dict) else None
        try:
            net = ipaddress.ip_network(str(dst), strict=False) if dst is not None else None
        except ValueError:
            continue
        if net is not None and net.prefixlen == 0:
            out.append(error(DEFAULT_ROUTE, f"{label}: spec.config ipam.routes[{i}].dst {dst!r} is a default "
                             "route on a secondary network; the pod network already owns the pod's default "
                             "route, so CNI ADD fails ('file exists') and the VM stays in Starting", at,
                             hint="remove the route; give the guest its default route with cloud-init networkData"))


def check_nad(found: Found) -> tuple[NadInfo, list[Diagnostic]]:
    """Parse and check one NAD (SPEC §8): JSON, conflist shape, cniVersion, plugin type, the
    CNI schema values and pools (host bits, ranges and gateways inside the subnet), default routes."""
    out: list[Diagnostic] = []
    info = NadInfo(found)
    rn = found.get("metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName")
    info.resource_name = rn if isinstance(rn, str) else None
    config = _parse(found, out)
    if config is None:
        return info, out
    main = _main_plugin(found, config, out)
    if main is None:
        return info, out
    if not main.get("name"):
        main["name"] = found.name  # Multus fills the NAD's name in
    at = info.config_loc
    label = f"NAD {found.name!r}"
    _check_version(label, main.get("cniVersion"), at, out)
    ptype = main.get("type")
    if not isinstance(ptype, str) or not ptype:
        out.append(error(CONFIG_VALUE, f"{label}: spec.config 'type' must name a CNI plugin", at))
        return info, out
    info.plugin = main
    _default_routes(label, info.ipam, at, out)
    if ptype not in PLUGIN_TYPES:
        if ptype not in KNOWN_ELSEWHERE:
            out.append(warning(UNKNOWN_TYPE, f"{label}: CNI plugin type {ptype!r} is not one kvnet knows"
                               f"{_did_you_mean(ptype, PLUGIN_TYPES)}; its config is not checked", at,
                               hint="kvnet checks " + ", ".join(PLUGIN_TYPES)))
        return info, out
    checked = {k: v for k, v in main.items() if k not in ("cniVersion", "name")}
    checked.update(cniVersion="1.0.0", name=found.name if _dns_label(found.name) else "x")
    for problem in validate_cni_config(checked, foreign=True):
        out.append(error(_code(problem), f"{label}: spec.config {problem}", at))
    return info, out


def _dns_label(name: str) -> bool:
    return bool(name) and len(name) <= 63 and name.replace("-", "").isalnum() and name.islower() \
        and name[0].isalnum() and name[-1].isalnum()
