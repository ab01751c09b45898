"""KV239, KV270-KV274: a plan that plugs NICs into (or out of) running VMs says what it needs.

A VM interface marked ``hotplug: true`` is added to a VM that is already running; ``state:
absent`` unplugs one. What KubeVirt then does (kubevirt/kubevirt; user guide
network/hotplug_interfaces.md):

- the VM controller copies the new interface into the running VMI (pkg/network/controllers/vm.go
  ``applyDynamicIfaceRequestOnVMI``) only for ``bridge`` and ``sriov`` bindings and the ``virtio``
  model; any other stays for the next restart: KV239, an error, since the plan asked for a
  hot-plug;
- the virt-launcher pod gets the new network in place only with thick Multus and
  multus-dynamic-networks-controller (``spec.cluster.multus.hotplug: true``); otherwise KubeVirt
  plugs it by live-migrating the VM (pkg/network/migration/evaluator.go
  ``shouldMigrateOnIfaceHotplug``/``shouldMigrateOnIfaceUnplug``): KV271; ``multus.hotplug``
  with thin Multus, which has no daemon for the controller to talk to, is KV272;
- that migration starts by itself only with the ``LiveUpdate`` VM rollout strategy (KubeVirt
  v1.6+, where it is the default: pkg/virt-config/virt-config.go ``DefaultVMRolloutStrategy``);
  KubeVirt v1.1-v1.3 also need the ``HotplugNICs`` feature gate: KV270, a reminder with the
  KubeVirt CR fragment, since kvnet cannot see the cluster's CR;
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
    if binding not in HOTPLUGGED_BINDINGS or iface.model not in (None, "virtio"):
        what = f"binding {binding!r}" if binding not in HOTPLUGGED_BINDINGS else f"model {iface.model!r}"
        return [error("KV239", f"{label}: hotplug: true, but KubeVirt hot-plugs only virtio interfaces with the "
                      f"bridge or SR-IOV binding, not {what} (pkg/network/controllers/vm.go "
                      "applyDynamicIfaceRequestOnVMI): the VM gets RestartRequired", at,
                      hint="remove 'hotplug: true' and restart the VM after the sync (virtctl restart), or use a "
                           "bridge network with the virtio model")]
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
        "KV270", f"plan {plan.name!r} plugs interfaces into running VMs (hotplug: true or state: absent): KubeVirt "
        "migrates a VM by itself to plug what it cannot plug in place only with the LiveUpdate VM rollout strategy "
        "(KubeVirt 1.6+, the default there; 1.1-1.3 also need the HotplugNICs feature gate); otherwise the NIC "
        "waits for a migration (virtctl migrate) or a restart", first.where.at("hotplug" if first.hotplug else "state"),
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
