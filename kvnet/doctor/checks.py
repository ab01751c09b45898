"""The node checks of ``kvnet doctor``; each returns Findings."""

from __future__ import annotations

import json
from kvnet.record import dataclass
from typing import Any

from kvnet.doctor import fixes
from kvnet.doctor.findings import ERROR, OK, Finding
from kvnet.doctor.needs import Needs
from kvnet.doctor.rootfs import RootFS
from kvnet.doctor.tools import Tools
from kvnet.doctor.vlanstate import VlanState
from kvnet.profiles import DEPLOYABLE_PLUGINS, MULTUS_BINARIES, PROFILES, REFERENCE_PLUGINS, Profile

CONF_SUFFIXES = (".conf", ".conflist", ".json")  # what libcni loads from a conf dir
MULTUS_CONF_NAMES = ("00-multus.conf", "00-multus.conflist")
# Where a binary or config may have landed when Multus was deployed with other paths.
OTHER_BIN_DIRS = ("/opt/cni/bin", "/usr/lib/cni", "/usr/libexec/cni")
OTHER_CONF_DIRS = ("/etc/cni/net.d",)


@dataclass(frozen=True)
class Context:
    fs: RootFS
    profile: Profile
    needs: Needs
    flavor: str = "thin"  # the Multus flavor checked (and redeployed by the fixes)
    # bridge ports' VLANs (bridge -j vlan show, live or --bridge-vlan), or why they were not read
    vlan_state: VlanState | str | None = None
    tools: Tools = Tools()  # where the node's tools run (--host-tools: chroot into the root)


def _elsewhere_bin(ctx: Context, name: str) -> list[str]:
    """Other bin dirs (common ones, other profiles') holding ``name``."""
    seen: list[str] = []
    for d in list(OTHER_BIN_DIRS) + [p.bin_dir for p in PROFILES.values()]:
        if d == ctx.profile.bin_dir or d in seen:
            continue
        look = ctx.fs.lookup(f"{d}/{name}")
        if look.resolved is not None and ctx.fs.is_file(look.resolved):
            seen.append(d)
    return seen


def check_dirs(ctx: Context) -> list[Finding]:
    out = []
    for check, path, what in (("bin-dir", ctx.profile.bin_dir, "CNI bin dir"),
                              ("conf-dir", ctx.profile.conf_dir, "CNI conf dir")):
        if ctx.fs.is_dir(path):
            out.append(Finding(OK, check, path, f"{what} {path} exists", path=path))
        else:
            out.append(Finding(
                ERROR, check, path,
                f"{what} {path} of {ctx.profile.distribution} does not exist: is the node running "
                f"{ctx.profile.distribution} (else pass --distribution), and is its CNI set up?",
                code="KV500", fix=f"mkdir -p {fixes.q(path)}", path=path))
    return out


def _binary(ctx: Context, check: str, name: str, why: str) -> tuple[Finding | None, list[str]]:
    """A finding for a binary that is there (ok or broken), else None and where else it is."""
    path = f"{ctx.profile.bin_dir}/{name}"
    look = ctx.fs.lookup(path)
    if look.resolved is not None:
        if ctx.fs.is_executable_file(look.resolved):
            via = f" -> {look.resolved}" if look.via_link else ""
            return Finding(OK, check, name, f"{name} is in {ctx.profile.bin_dir}{via}", path=path), []
        if ctx.fs.is_file(look.resolved):
            return Finding(ERROR, check, name, f"{path} ({why}) is not executable",
                           code="KV503", fix=f"chmod 0755 {fixes.q(look.resolved)}", path=path), []
        return Finding(ERROR, check, name, f"{path} ({why}) is not a regular file", code="KV503", path=path,
                       fix=f"ls -l {fixes.q(look.resolved)}"), []
    if look.via_link:
        return Finding(ERROR, check, name, f"{path} ({why}) is a dangling symlink: {look.problem}",
                       code="KV503", fix=f"rm {fixes.q(path)}", path=path), []
    return None, _elsewhere_bin(ctx, name)


def check_multus_binary(ctx: Context, flavor: str) -> list[Finding]:
    name = MULTUS_BINARIES[flavor]
    found, other = _binary(ctx, "multus-binary", name, f"Multus {flavor}")
    if found is not None:
        return [found]
    where = (f"; it is in {', '.join(other)}, so Multus was deployed with another distribution's paths "
             f"(upstream defaults)" if other else "")
    return [Finding(ERROR, "multus-binary", name,
                    f"{name} (Multus {flavor}) is not in {ctx.profile.bin_dir}, where "
                    f"{ctx.profile.distribution} looks for CNI plugins{where}",
                    code="KV501",
                    fix=fixes.deploy_multus(ctx.profile, ctx.needs, ctx.flavor), path=f"{ctx.profile.bin_dir}/{name}")]


def check_plugins(ctx: Context) -> list[Finding]:
    out = []
    for plugin, nets in ctx.needs.plugins.items():
        why = "needed by " + ", ".join(nets)
        found, other = _binary(ctx, "plugin", plugin, why)
        if found is not None:
            out.append(found)
            continue
        path = f"{ctx.profile.bin_dir}/{plugin}"
        msg = f"CNI plugin {plugin} ({why}) is not in {ctx.profile.bin_dir}"
        if other:
            fix = fixes.copy_plugin(f"{other[0]}/{plugin}", ctx.profile, plugin)
            msg += f"; it is in {other[0]}, which {ctx.profile.distribution} does not search"
        elif plugin == "ovs":
            fix = fixes.deploy_ovs_cni(ctx.profile)
            msg += "; it comes with ovs-cni's DaemonSet (with Open vSwitch running on the node)"
        elif plugin in DEPLOYABLE_PLUGINS:
            fix = fixes.deploy_plugin(plugin, ctx.profile, ctx.needs)
            msg += "; it comes with its own DaemonSet, which kvnet deploys with this node's paths"
        elif plugin in fixes.OPERATOR_INSTALL:
            fix = fixes.OPERATOR_INSTALL[plugin]
            msg += f"; it comes with its own operator/DaemonSet (set its CNI bin dir to {ctx.profile.bin_dir})"
        elif plugin in REFERENCE_PLUGINS:
            fix = fixes.install_plugin(ctx.profile, plugin, ctx.needs)
        else:
            fix = None
        out.append(Finding(ERROR, "plugin", plugin, msg, code="KV502", fix=fix, path=path))
    return out


def conf_files(ctx: Context, conf_dir: str) -> list[str]:
    """Names in ``conf_dir`` that libcni would load, in the order it sorts them."""
    out = []
    for name in ctx.fs.listdir(conf_dir):
        if not name.endswith(CONF_SUFFIXES):
            continue
        look = ctx.fs.lookup(f"{conf_dir}/{name}")
        if look.resolved is not None and ctx.fs.is_file(look.resolved):
            out.append(name)
    return sorted(out)


def read_multus_conf(ctx: Context) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """(file name, parsed first plugin config, parse problem) of 00-multus.* in the conf dir."""
    files = conf_files(ctx, ctx.profile.conf_dir)
    name = next((n for n in MULTUS_CONF_NAMES if n in files), None)
    if name is None:
        return None, None, None
    text = ctx.fs.read_text(f"{ctx.profile.conf_dir}/{name}") or ""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return name, None, str(exc)
    if isinstance(data, dict) and isinstance(data.get("plugins"), list) and data["plugins"]:
        first = data["plugins"][0]
        return name, first if isinstance(first, dict) else None, None
    return name, data if isinstance(data, dict) else None, None


def check_multus_conf(ctx: Context) -> list[Finding]:
    conf_dir = ctx.profile.conf_dir
    if not ctx.fs.is_dir(conf_dir):
        return []  # reported by check_dirs
    files = conf_files(ctx, conf_dir)
    name, data, problem = read_multus_conf(ctx)
    deploy = fixes.deploy_multus(ctx.profile, ctx.needs, ctx.flavor)
    if name is None:
        other = [d for d in _elsewhere_conf(ctx) if d != conf_dir]
        first = f"; the runtime uses {files[0]}, so pods get no Multus attachments" if files else ""
        where = (f"; a 00-multus config is in {', '.join(other)}, which {ctx.profile.distribution} does not "
                 f"read" if other else "")
        return [Finding(ERROR, "multus-conf", "00-multus.conf",
                        f"no 00-multus.conf or 00-multus.conflist in {conf_dir}{first}{where}",
                        code="KV504", fix=deploy, path=f"{conf_dir}/00-multus.conf")]
    path = f"{conf_dir}/{name}"
    out = []
    if files[0] != name:
        out.append(Finding(ERROR, "multus-conf", name,
                           f"{files[0]} sorts before {name} in {conf_dir}, so the runtime bypasses Multus",
                           code="KV505",
                           fix=f"mv {fixes.q(conf_dir + '/' + files[0])} {fixes.q(conf_dir + '/99-' + files[0])}",
                           path=path))
    else:
        out.append(Finding(OK, "multus-conf", name, f"{name} sorts first in {conf_dir}", path=path))
    if problem is not None or data is None:
        out.append(Finding(ERROR, "multus-conf", name,
                           f"{path} is not a CNI config ({problem or 'not a JSON object'}); Multus invalidates it "
                           f"when its pod stops (--cleanup-config-on-exit), so the Multus pod is not running",
                           code="KV506", fix=fixes.restart_multus(ctx.profile), path=path))
    return out


def _elsewhere_conf(ctx: Context) -> list[str]:
    dirs = list(OTHER_CONF_DIRS) + [p.conf_dir for p in PROFILES.values()]
    out: list[str] = []
    for d in dirs:
        if d in out:
            continue
        if any(n in conf_files(ctx, d) for n in MULTUS_CONF_NAMES):
            out.append(d)
    return out


def check_kubeconfig(ctx: Context) -> list[Finding]:
    name, data, _ = read_multus_conf(ctx)
    if name is None or data is None or not isinstance(data.get("kubeconfig"), str):
        return []
    kubeconfig = data["kubeconfig"]
    look = ctx.fs.lookup(kubeconfig)
    if look.resolved is not None and ctx.fs.is_file(look.resolved):
        return [Finding(OK, "kubeconfig", kubeconfig, f"the kubeconfig {name} names exists", path=kubeconfig)]
    if not kubeconfig.startswith(ctx.profile.conf_dir + "/"):
        return [Finding(ERROR, "kubeconfig", kubeconfig,
                        f"{name} names the kubeconfig {kubeconfig}, which does not exist: it is outside "
                        f"{ctx.profile.conf_dir}, so thin Multus ran without "
                        f"--multus-kubeconfig-file-host={ctx.profile.multus_kubeconfig}",
                        code="KV507", fix=fixes.deploy_multus(ctx.profile, ctx.needs, ctx.flavor), path=kubeconfig)]
    return [Finding(ERROR, "kubeconfig", kubeconfig,
                    f"{name} names the kubeconfig {kubeconfig}, which does not exist",
                    code="KV507", fix=fixes.restart_multus(ctx.profile), path=kubeconfig)]


def multus_flavor(ctx: Context, given: str | None) -> str:
    """The flavor to check: given (option or plan), else what 00-multus names, else thin."""
    if given:
        return given
    _, data, _ = read_multus_conf(ctx)
    if data is not None and data.get("type") == MULTUS_BINARIES["thick"]:
        return "thick"
    return "thin"

