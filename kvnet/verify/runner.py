"""One ADD/CHECK/DEL cycle per NAD, several NADs at a time.

For each NAD: parse ``spec.config``; decide whether it can run here at all (plugin
binaries, kernel features, hardware); create a node namespace with stand-in links and
a pod namespace; run ADD, compare the addresses with the config, CHECK, DEL; make sure
DEL left nothing behind; delete both namespaces whatever happened.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from kvnet.record import dataclass, field
from enum import Enum
from typing import Any

from kvnet import nettypes
from kvnet.verify import checks
from kvnet.verify.inputs import NadCase
from kvnet.verify.kernel import KernelProbes, required_features
from kvnet.verify.leftovers import leases_left, pod_links
from kvnet.verify.netns import Session
from kvnet.verify.plugins import (
    COMMON_BIN_DIRS,
    NEEDS_SERVICE,
    THIRD_PARTY,
    ConfigError,
    NetConf,
    Target,
    add,
    check,
    delete,
    find_plugin,
    ipam_type,
    parse_netconf,
    reported_ips,
    rewrite_state_dirs,
)
from kvnet.verify.standins import Unverifiable, create_standins, standins_for
from kvnet.verify.trunk import check_trunk

IFNAME = "net1"


class Status(str, Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class CaseResult:
    case: NadCase
    status: Status
    message: str = ""
    plugins: list[str] = field(default_factory=list)
    ipam: str | None = None
    steps: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _availability(netconf: NetConf, bin_dir: str) -> tuple[list[str], list[str]]:
    """(failures, skip reasons) about plugin binaries."""
    failures: list[str] = []
    skips: list[str] = []
    for plugin in netconf.plugins:
        for kind, role in ((str(plugin["type"]), "plugin"), (ipam_type(plugin), "IPAM plugin")):
            if kind is None:
                continue
            if kind in NEEDS_SERVICE:
                skips.append(f"{kind}: {NEEDS_SERVICE[kind]}")
            elif find_plugin(bin_dir, kind):
                continue
            elif kind in THIRD_PARTY:
                skips.append(f"{role} {kind!r} ({THIRD_PARTY[kind]}) is not installed in {bin_dir}")
            else:
                elsewhere = [d for d in COMMON_BIN_DIRS if d != bin_dir and find_plugin(d, kind)]
                if elsewhere:
                    failures.append(f"CNI {role} {kind!r} is not in {bin_dir} (found in {elsewhere[0]}; "
                                    "pass --cni-bin-dir)")
                else:
                    failures.append(f"unknown CNI {role} type {kind!r}: no such plugin in {bin_dir}")
    return failures, skips


def _check_lacks_l2_support(netconf: NetConf, plugin: str, error: str) -> bool:
    """Older reference plugins (bridge in v1.1.1) run IPAM CHECK even without IPAM.

    CHECK then fails with ``no plugin name provided`` on a valid L2-only config; kubelet
    never issues CHECK, so this is a limitation of the plugin release, not of the NAD.
    """
    confs = [p for p in netconf.plugins if p.get("type") == plugin]
    return error.strip() == "no plugin name provided" and bool(confs) and all(ipam_type(p) is None for p in confs)


_VLAN_KEYS = ("vlan", "vlanTrunk", "preserveDefaultVlan")
_BRIDGE_PLUGIN = nettypes.BRIDGE.cni_type  # the reference bridge plugin's VLAN checks


def _vlan_problems(plugins: list[dict[str, Any]]) -> list[str]:
    """VLAN ids of bridge configs the plugin would reject (checked when it cannot run them)."""
    problems = []
    for conf in plugins:
        if conf.get("type") != _BRIDGE_PLUGIN:
            continue
        vlan = conf.get("vlan", 0)
        if isinstance(vlan, bool) or not isinstance(vlan, int) or not 0 <= vlan <= 4094:
            problems.append(f"bridge vlan {vlan!r} is not a VLAN ID (0-4094)")
    return problems


def _without_bridge_vlans(netconf: NetConf) -> NetConf:
    plugins = tuple({k: v for k, v in p.items() if p.get("type") != _BRIDGE_PLUGIN or k not in _VLAN_KEYS}
                    for p in netconf.plugins)
    return NetConf(netconf.name, netconf.cni_version, plugins, netconf.is_list, netconf.disable_check)


class _Stop(Exception):
    """A case ends early with ``status`` and ``message`` (verify_case's steps raise it)."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _netconf(case: NadCase, result: CaseResult, bin_dir: str) -> NetConf:
    """The case's parsed config, its plugins all on the node; _Stop when it cannot run."""
    if case.config is None:
        raise _Stop(Status.FAILED, "NAD has no spec.config: nothing to verify (Multus would look for a "
                                   "CNI config file of that name on the node)")
    if not isinstance(case.config, str):
        raise _Stop(Status.FAILED, f"spec.config must be a JSON string, found {type(case.config).__name__}")
    if not case.config.strip():
        raise _Stop(Status.FAILED, "spec.config is empty")
    try:
        netconf = parse_netconf(case.config, case.name)
    except ConfigError as exc:
        raise _Stop(Status.FAILED, str(exc)) from None
    result.plugins = netconf.types
    result.ipam = next((t for t in (ipam_type(p) for p in netconf.plugins) if t), None)
    failures, skips = _availability(netconf, bin_dir)
    if failures:
        raise _Stop(Status.FAILED, "; ".join(failures))
    if skips:
        raise _Stop(Status.SKIPPED, "; ".join(skips))
    return netconf


def _runnable(probes: KernelProbes, netconf: NetConf, result: CaseResult) -> NetConf:
    """``netconf`` as this kernel can run it (bridge VLANs checked here, not exercised, without
    VLAN filtering); _Stop(SKIPPED) when a kernel feature is missing."""
    plugins = list(netconf.plugins)
    missing = probes.first_missing(required_features(plugins))
    if missing is not None and missing.feature == "bridge-vlan-filtering":
        # Everything but the VLAN can still run: check the VLAN ids here, exercise the rest.
        vlan_problems = _vlan_problems(plugins)
        if vlan_problems:
            raise _Stop(Status.FAILED, "; ".join(vlan_problems))
        netconf = _without_bridge_vlans(netconf)
        result.notes.append(f"VLAN tagging not exercised: {missing.reason}")
        missing = probes.first_missing(required_features(list(netconf.plugins)))
    if missing is not None:
        raise _Stop(Status.SKIPPED, missing.reason)
    return netconf


def _check_step(session: Session, target: Target, netconf: NetConf, added: Any, result: CaseResult
                ) -> list[str]:
    """CHECK after ADD, when the config's version has it and it is not disabled."""
    if netconf.disable_check:
        result.notes.append("CHECK disabled by disableCheck")
    elif not netconf.supports_check():
        result.notes.append(f"CHECK not run: cniVersion {netconf.cni_version or '(none)'} predates CHECK")
    else:
        checked = check(session, target, netconf, added)
        if checked.ok:
            result.steps.append("CHECK")
        elif _check_lacks_l2_support(netconf, checked.plugin, checked.error):
            result.notes.append(f"CHECK not usable: this {checked.plugin} plugin release cannot CHECK a "
                                f"config without IPAM ({checked.error!r}); ADD and DEL still ran")
        else:
            return [f"CHECK {checked.plugin}: {checked.error}"]
    return []


def _exercise(session: Session, target: Target, netconf: NetConf, plugins: list[dict[str, Any]],
              result: CaseResult, state_dir: str) -> list[str]:
    """ADD, what it reported and configured, CHECK, DEL and what DEL left: the problems found
    (``plugins``: the config as checked, before its state directories were rewritten)."""
    problems = checks.config_problems(plugins)
    added = add(session, target, netconf)
    if not added.ok:
        delete(session, target, netconf, None)  # as a runtime would; namespaces go anyway
        raise _Stop(Status.FAILED, "; ".join([f"ADD {added.plugin}: {added.error}", *problems]))
    result.steps.append("ADD")
    note, problem = check_trunk(session, target.node_ns, plugins)
    result.notes += [note] if note else []
    problems += [problem] if problem else []
    result.ips = reported_ips(added.result)
    # The loopback plugin configures "lo" whatever CNI_IFNAME says, and reports lo's addresses.
    loopback = plugins[0].get("type") == "loopback"
    if not loopback:
        problems += checks.check_reported(checks.expectation(plugins), result.ips)
    ifname = "lo" if loopback else IFNAME
    shown = session.ip("-n", target.pod_ns, "-j", "addr", "show", "dev", ifname)
    problems += checks.check_configured(result.ips, shown.stdout if shown.ok else "[]", ifname)
    problems += _check_step(session, target, netconf, added.result, result)
    deleted = delete(session, target, netconf, added.result)
    if deleted.ok:
        result.steps.append("DEL")
    else:
        problems.append(f"DEL {deleted.plugin}: {deleted.error}")
    left = pod_links(session, target.pod_ns)
    if left:
        problems.append(f"DEL left {', '.join(left)} in the pod namespace")
    leases = leases_left(state_dir)
    if leases:
        problems.append(f"DEL left host-local reservation(s) {', '.join(leases)}")
    return problems


def _run(session: Session, probes: KernelProbes, case: NadCase, bin_dir: str, result: CaseResult) -> list[str]:
    """The case in namespaces of its own, always removed; the problems found (_Stop: it ended early)."""
    netconf = _netconf(case, result, bin_dir)
    try:
        standins = standins_for(list(netconf.plugins))
    except Unverifiable as exc:
        raise _Stop(Status.SKIPPED, str(exc)) from None
    netconf = _runnable(probes, netconf, result)
    plugins = list(netconf.plugins)
    cid = session.next_id()
    node_ns, pod_ns = f"{cid}-node", f"{cid}-pod"
    state_dir = os.path.join(session.scratch_dir(), cid)
    netconf = rewrite_state_dirs(netconf, state_dir)
    try:
        for ns in (node_ns, pod_ns):
            res = session.add_netns(ns)
            if not res.ok:
                raise _Stop(Status.FAILED, f"cannot create network namespace {ns}: {res.error_text()}")
        error = create_standins(session, node_ns, standins)
        if error:
            raise _Stop(Status.FAILED, error)
        target = Target(bin_dir, node_ns, pod_ns, cid, IFNAME, pod_name=case.name)
        return _exercise(session, target, netconf, plugins, result, state_dir)
    finally:
        session.del_netns(pod_ns)
        session.del_netns(node_ns)
        shutil.rmtree(state_dir, ignore_errors=True)


def verify_case(session: Session, probes: KernelProbes, case: NadCase, bin_dir: str) -> CaseResult:
    """Run one NAD through its plugins; raises Cancelled when the session is cancelled."""
    started = time.monotonic()
    result = CaseResult(case, Status.OK)
    try:
        problems = _run(session, probes, case, bin_dir, result)
        result.status, result.message = (Status.FAILED, "; ".join(problems)) if problems else (Status.OK, "")
    except _Stop as stop:
        result.status, result.message = stop.status, stop.message
    result.seconds = time.monotonic() - started
    return result


def verify_all(session: Session, cases: list[NadCase], bin_dir: str, jobs: int) -> list[CaseResult]:
    """Verify every case with at most ``jobs`` at a time; results in input order.

    If anything interrupts the wait (a signal handler raising in the main thread), the
    session is cancelled, queued cases are dropped and running ones stop at their next
    step, deleting their namespaces on the way out.
    """
    probes = KernelProbes(session)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="kvnet-verify")
    futures: list[Future[CaseResult]] = []
    finished = False
    try:
        futures = [pool.submit(verify_case, session, probes, case, bin_dir) for case in cases]
        pending: set[Future[CaseResult]] = set(futures)
        while pending:
            _done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in _done:
                if fut.exception() is not None:
                    raise fut.exception()  # type: ignore[misc]
        finished = True
        return [f.result() for f in futures]
    finally:
        if not finished:
            session.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
