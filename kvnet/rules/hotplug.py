"""KV239, KV270-KV274: a plan that plugs NICs into (or out of) running VMs says what it needs.

A VM interface marked ``hotplug: true`` is added to a VM that is already running; ``state:
absent`` unplugs one. What KubeVirt then does (kubevirt/kubevirt):

- only the ``LiveUpdate`` VM rollout strategy applies a changed VM spec to the running VMI; with
  ``Stage`` the VM gets ``RestartRequired`` and the NIC comes at the next restart
  (pkg/virt-controller/watch/vm/vm.go, ``IsVMRolloutStrategyLiveUpdate``; the default since
  KubeVirt v1.6.0, pkg/virt-config/virt-config.go ``DefaultVMRolloutStrategy``): KV270, a
  reminder with the KubeVirt CR fragment, since kvnet cannot see the cluster's CR;
- only ``bridge`` and ``sriov`` interfaces are hot-plugged (pkg/network/controllers/vm.go
  ``applyDynamicIfaceRequestOnVMI``: ``shouldHotplugIface``); any other waits for a restart:
  KV239, an error, since the plan asked for a hot-plug;
- a bridge NIC is plugged in place when the virt-launcher pod gets the network within 15 s, which
  takes thick Multus and multus-dynamic-networks-controller (``spec.cluster.multus.hotplug:
  true``); otherwise KubeVirt live-migrates the VM to plug it
  (pkg/network/migration/evaluator.go ``shouldMigrateOnIfaceHotplug``, ``pendingMigration``, and
  ``shouldMigrateOnIfaceUnplug`` for unplugging): KV271; ``multus.hotplug`` with thin Multus,
  which has no daemon for the controller to talk to, is KV272;
- an SR-IOV NIC is always plugged by migrating the VM (``immediateMigration``): KV273;
- the guest names NICs ``eth<N>`` in the order of ``interfaces:``, so a hot-plugged NIC put
  before existing ones renames them at the next boot: KV274.
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts
from kvnet.input.model import VM, Interface, Plan
from kvnet.rules.bindings import binding_of, known_interfaces

HOTPLUGGED_BINDINGS = ("bridge", "sriov")
LIVE_UPDATE_CR = ('kubectl patch kubevirts -n kubevirt kubevirt --type=merge -p '
                  '\'{"spec":{"configuration":{"vmRolloutStrategy":"LiveUpdate"}}}\'')
LIVE_UPDATE_FRAGMENT = "spec: {configuration: {vmRolloutStrategy: LiveUpdate}}"


def _changes(plan: Plan) -> list[tuple[VM, Interface, str]]:
    """Interfaces that plug into or out of a running VM: ``hotplug: true`` or ``state: absent``."""
    return [(vm, iface, t) for vm, iface, t in known_interfaces(plan) if iface.hotplug or iface.state == "absent"]


def _interface_problems(vm: VM, iface: Interface, net_type: str) -> list[Diagnostic]:
    """KV239 (binding KubeVirt does not hot-plug), KV273 (SR-IOV migrates), KV274 (not at the end)."""
    if not iface.hotplug:
        return []
    binding = binding_of(iface, net_type)
    label = f"VM {vm.name!r} interface {iface.network!r}"
    at = iface.where.at("hotplug")
    if binding not in HOTPLUGGED_BINDINGS:
        return [error("KV239", f"{label}: hotplug: true, but KubeVirt hot-plugs only bridge and SR-IOV "
                      f"interfaces, not {binding!r} (pkg/network/controllers/vm.go applyDynamicIfaceRequestOnVMI): "
                      "the VM gets RestartRequired", at,
                      hint="remove 'hotplug: true' and restart the VM after the sync (virtctl restart), or use a "
                           "bridge network")]
    out: list[Diagnostic] = []
    if binding == "sriov":
        out.append(warning("KV273", f"{label}: KubeVirt plugs an SR-IOV NIC into a running VM by live-migrating "
                           "it (pkg/network/migration/evaluator.go: immediate migration)", at,
                           hint="the VM must be live-migratable (shared storage, a node with a free VF), else "
                                "restart it"))
    later = [i for i in vm.interfaces[iface.index + 1:] if not i.hotplug]
    if later:
        out.append(warning("KV274", f"{label}: a hot-plugged interface before interface {later[0].network!r}, "
                           "which the VM already has: the guest names NICs eth<N> in the order of "
                           "'interfaces:', so the next boot renames the NICs after it", at,
                           hint="add hot-plugged interfaces at the end of 'interfaces:'"))
    return out


def _cluster_problems(plan: Plan, facts: Facts, first: Interface) -> list[Diagnostic]:
    """KV270 (LiveUpdate) always; KV271 unless kvnet deploys thick Multus with the controller."""
    out = [warning(
        "KV270", f"plan {plan.name!r} plugs interfaces into running VMs (hotplug: true or state: absent): "
        "KubeVirt applies that only with the LiveUpdate VM rollout strategy (the default since KubeVirt 1.6); "
        "otherwise the VMs get RestartRequired and change on their next restart",
        first.where.at("hotplug" if first.hotplug else "state"),
        hint=f"in the KubeVirt CR: {LIVE_UPDATE_FRAGMENT} (e.g. {LIVE_UPDATE_CR})")]
    cfg, profile = facts.cluster, facts.profile
    operator_managed = profile is not None and not profile.deploy_multus
    if not operator_managed and not (cfg is not None and cfg.deploy_multus and cfg.hotplug):
        out.append(warning(
            "KV271", f"plan {plan.name!r} plugs interfaces into running VMs, but kvnet does not deploy thick Multus "
            "with multus-dynamic-networks-controller: KubeVirt then live-migrates each VM to plug or unplug a NIC "
            "(pkg/network/migration/evaluator.go)", first.where.at("hotplug" if first.hotplug else "state"),
            hint="set 'spec.cluster.multus: {hotplug: true}' (thick Multus and the controller, with the "
                 "distribution's paths), or keep the VMs live-migratable, or restart them"))
    return out


def _flavor_problem(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV272: multus.hotplug with thin Multus (the controller talks to the thick daemon's socket)."""
    cfg = facts.cluster
    if cfg is None or not cfg.hotplug or cfg.flavor != "thin" or plan.cluster_where is None:
        return []
    return [error("KV272", "spec.cluster.multus.hotplug: true needs thick Multus: multus-dynamic-networks-controller "
                  "asks the thick Multus daemon (its socket /run/multus/multus.sock) to attach the network",
                  plan.cluster_where.at("multus", "flavor"),
                  hint="remove 'flavor: thin' (hotplug: true makes thick the default)")]


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out = _flavor_problem(plan, facts)
    changes = _changes(plan)
    for vm, iface, net_type in changes:
        out.extend(_interface_problems(vm, iface, net_type))
    if changes:
        out.extend(_cluster_problems(plan, facts, changes[0][1]))
    return out
