"""The effect classes of ``kvnet diff`` as data: which change of which field does what to a
running VM, with the KubeVirt source each entry comes from.

Two tables:

* :data:`OBJECT_RULES`: kind -> (object field pattern, operation) -> :class:`Rule`. This is
  what the comparison uses: emitted objects are compared field by field
  (:mod:`kvnet.diff.compare`), and each changed field is classified by the most specific
  pattern that matches it. A pattern is dotted; ``[]`` stands for one item of a list of named
  items (KubeVirt's interfaces, networks, volumes, disks are matched by ``name``, as its
  ``vmispec.IndexInterfaceSpecByName`` does), ``*`` at the end for everything below.
  The operation is ``add``/``remove`` (a named item appears or goes) or ``change``.
* :data:`PLAN_FIELDS`: NetworkPlan field path -> the classes a change of it can cause, and
  why. ``tests/diff`` walks the plan's JSON Schema and fails on a field this table does not
  cover; it documents the plan side for reviewers and ``kvnet diff --explain-classes``.

Sources (kubevirt/kubevirt, main of 2026-08):

* ``VM`` = pkg/virt-controller/watch/vm/vm.go ``syncRestartRequired``: RestartRequired is set
  when ``Template.Spec`` differs from the last-seen spec after copying over what may change
  live: volumes/disks that are hotplug (``validLiveUpdateVolumes``/``validLiveUpdateDisks``:
  any other volume change needs a restart), and with the ``LiveUpdate`` rollout strategy CPU
  sockets, ``memory.guest``, nodeSelector, affinity, tolerations; interfaces and networks when
  ``vmliveupdate.IsRestartRequired`` says no. ``metadata`` is outside ``Template.Spec``.
* ``NETRESTART`` = pkg/network/vmliveupdate/restart.go ``IsRestartRequired``: an interface or
  network removed from the VM (not through ``state: absent``), or changed (``state`` ignored),
  needs a restart; a changed ``multus.networkName`` needs one unless the VMI is migratable.
* ``HOTPLUG`` = pkg/network/controllers/vm.go ``applyDynamicIfaceRequestOnVMI``: a new
  interface is hot-plugged only with the bridge or SR-IOV binding and not ``state: absent``;
  a ``state`` change is applied to the running VMI unless it was ``absent``;
  ``clearDetachedIfacesFromVM`` drops an absent interface from the VM once it is unplugged.
* ``DOCS`` = kubevirt/user-guide docs/user_workloads/vm_rollout_strategies.md (``Stage`` makes
  every change wait for a restart), docs/network/hotplug/interfaces.md (hot-plug needs thick
  Multus and the multus-dynamic-networks-controller; unplug only with the bridge binding),
  docs/network/hotplug/nad_reference.md (KubeVirt >= 1.9 moves a live-migratable VM to a new
  NAD by migration).
"""

from __future__ import annotations

from kvnet.record import dataclass

NONE, METADATA, LIVE, RESTART, NEXT_BOOT, NAD, CREATE, PRUNE, ADDRESS = (
    "none", "metadata", "live", "restart", "next-boot", "nad", "create", "prune", "address")

# most serious first: a VM's headline class, the order of report sections
CLASSES: tuple[str, ...] = (PRUNE, RESTART, NAD, CREATE, LIVE, NEXT_BOOT, ADDRESS, METADATA, NONE)

MEANING: dict[str, str] = {
    NONE: "nothing changes",
    METADATA: "labels/annotations only",
    LIVE: "applied to the running VM (or cluster) without a restart",
    RESTART: "the VM must restart to get it (KubeVirt sets RestartRequired, or cannot apply it live)",
    NEXT_BOOT: "guest configuration (cloud-init): the guest gets it when the VM next starts",
    NAD: "a NAD's config changes in place: running VMs keep the old config until they restart or migrate",
    CREATE: "a new object (Argo CD creates it)",
    PRUNE: "an object goes (Argo CD deletes it; a rename is a prune and a create)",
    ADDRESS: "a kvnet.lock address changes",
}

VM = "pkg/virt-controller/watch/vm/vm.go syncRestartRequired"
NETRESTART = "pkg/network/vmliveupdate/restart.go IsRestartRequired"
HOTPLUG = "pkg/network/controllers/vm.go applyDynamicIfaceRequestOnVMI"
DOCS_ROLLOUT = "user-guide vm_rollout_strategies.md (LiveUpdate)"

IFACES = "spec.template.spec.domain.devices.interfaces[]"
NETS = "spec.template.spec.networks[]"
VOLUMES = "spec.template.spec.volumes[]"
NOCLOUD = VOLUMES + ".cloudInitNoCloud"


@dataclass(frozen=True)
class Rule:
    """The class of a change, ``why`` in a few words, ``source`` (KubeVirt file/function or
    doc), and ``refine``: the name of a check in :mod:`kvnet.diff.refine` that may give another
    class from the two objects (e.g. a hot-plug only for bridge/SR-IOV bindings)."""

    cls: str
    why: str
    source: str = ""
    refine: str | None = None


ADD, REMOVE, CHANGE = "add", "remove", "change"

_VM_RULES: dict[tuple[str, str], Rule] = {
    ("metadata.*", CHANGE): Rule(METADATA, "VM labels/annotations", VM + ": metadata is not compared"),
    ("spec.runStrategy", CHANGE): Rule(LIVE, "run strategy: KubeVirt starts or stops the VM at once",
                                       "vm.go syncRunStrategy"),
    ("spec.template.metadata.*", CHANGE): Rule(
        METADATA, "virt-launcher pod labels/annotations (the pod gets them when the VM next starts)",
        VM + ": only Template.Spec is compared"),
    (IFACES, ADD): Rule(LIVE, "NIC hot-plug (in place with thick Multus and the dynamic-networks controller, "
                              "else KubeVirt migrates the VM)", HOTPLUG + "; user-guide hotplug/interfaces.md",
                        refine="hotplug"),
    (IFACES, REMOVE): Rule(RESTART, "interface removed without 'state: absent' first", NETRESTART,
                           refine="unplugged"),
    (IFACES + ".state", CHANGE): Rule(LIVE, "interface state (link up/down, 'absent' hot-unplugs)", HOTPLUG,
                                      refine="state"),
    (IFACES + ".*", CHANGE): Rule(RESTART, "interface changed (MAC, binding, model)", NETRESTART),
    (NETS, ADD): Rule(LIVE, "network of a hot-plugged interface", HOTPLUG, refine="hotplug"),
    (NETS, REMOVE): Rule(RESTART, "network removed without 'state: absent' first", NETRESTART, refine="unplugged"),
    (NETS + ".multus.networkName", CHANGE): Rule(
        RESTART, "another NAD (KubeVirt >= 1.9 moves a live-migratable VM by migration instead)",
        NETRESTART + "; user-guide hotplug/nad_reference.md"),
    (NETS + ".*", CHANGE): Rule(RESTART, "network source changed", NETRESTART),
    (NOCLOUD + ".networkData", CHANGE): Rule(
        NEXT_BOOT, "networkData (KubeVirt shows RestartRequired: the cloud-init volume changed)",
        VM + " validLiveUpdateVolumes"),
    (NOCLOUD + ".*", CHANGE): Rule(NEXT_BOOT, "cloud-init data (KubeVirt shows RestartRequired: the volume changed)",
                                   VM + " validLiveUpdateVolumes"),
    (VOLUMES, ADD): Rule(RESTART, "volume added", VM + " validLiveUpdateVolumes"),
    (VOLUMES, REMOVE): Rule(RESTART, "volume removed", VM + " validLiveUpdateVolumes"),
    (VOLUMES + ".*", CHANGE): Rule(RESTART, "volume changed (root disk image, source)", VM + " validLiveUpdateVolumes"),
    ("spec.template.spec.domain.devices.disks[]", ADD): Rule(RESTART, "disk added", VM + " validLiveUpdateDisks"),
    ("spec.template.spec.domain.devices.disks[]", REMOVE): Rule(RESTART, "disk removed",
                                                                VM + " validLiveUpdateDisks"),
    ("spec.template.spec.domain.cpu.sockets", CHANGE): Rule(
        LIVE, "CPU sockets (hot-plug with the LiveUpdate rollout strategy)", VM + "; " + DOCS_ROLLOUT),
    ("spec.template.spec.domain.memory.guest", CHANGE): Rule(
        LIVE, "guest memory (hot-plug with the LiveUpdate rollout strategy)", VM + "; " + DOCS_ROLLOUT),
    ("spec.template.spec.nodeSelector.*", CHANGE): Rule(LIVE, "node selector (LiveUpdate)", VM),
    ("spec.template.spec.affinity.*", CHANGE): Rule(LIVE, "affinity (LiveUpdate)", VM),
    ("spec.template.spec.tolerations.*", CHANGE): Rule(LIVE, "tolerations (LiveUpdate)", VM),
    ("spec.template.spec.*", CHANGE): Rule(RESTART, "a non-live-updatable field of the template spec", VM),
    ("spec.*", CHANGE): Rule(RESTART, "VM spec (instancetype, preference, data volumes)", VM),
    ("*", CHANGE): Rule(RESTART, "VM object", VM),
}

_NAD_RULES: dict[tuple[str, str], Rule] = {
    ("metadata.*", CHANGE): Rule(METADATA, "NAD labels/annotations"),
    ("spec.config.*", CHANGE): Rule(NAD, "CNI config (Multus reads it when a pod's network is set up)",
                                  "multus-cni: the NAD is read at pod sandbox creation"),
    ("*", CHANGE): Rule(NAD, "NAD"),
}

_SECRET_RULES: dict[tuple[str, str], Rule] = {
    ("metadata.*", CHANGE): Rule(METADATA, "Secret labels/annotations"),
    ("*", CHANGE): Rule(NEXT_BOOT, "cloud-init Secret (read when the VM next starts)",
                        "KubeVirt reads userDataSecretRef/networkDataSecretRef/accessCredentials at VMI start"),
}

_POLICY_RULES: dict[tuple[str, str], Rule] = {
    ("metadata.*", CHANGE): Rule(METADATA, "policy labels/annotations"),
    ("*", CHANGE): Rule(LIVE, "network policy: its enforcer applies it to running VMs (no restart)"),
}

_OTHER_RULES: dict[tuple[str, str], Rule] = {
    ("metadata.*", CHANGE): Rule(METADATA, "labels/annotations"),
    ("*", CHANGE): Rule(LIVE, "node side: applied in place by its controller (no VM restarts)"),
}

OBJECT_RULES: dict[str, dict[tuple[str, str], Rule]] = {
    "VirtualMachine": _VM_RULES,
    "NetworkAttachmentDefinition": _NAD_RULES,
    "Secret": _SECRET_RULES,
    "MultiNetworkPolicy": _POLICY_RULES,
    "*": _OTHER_RULES,
}


def rule_for(kind: str, pattern: str, op: str) -> Rule:
    """The rule of the most specific entry for ``pattern`` (dotted, named items as ``[]``) and
    ``op`` in ``kind``'s table: an exact entry, else the longest ``prefix.*`` entry. An add or
    remove without its own entry is a change of the item."""
    table = OBJECT_RULES.get(kind, OBJECT_RULES["*"])
    exact = table.get((pattern, op))
    if exact is not None:
        return exact
    probe = pattern
    while True:
        hit = table.get((probe + ".*", CHANGE)) if probe else table.get(("*", CHANGE))
        if hit is not None:
            return hit
        if not probe:
            return Rule(RESTART, "unclassified change")
        probe = probe.rpartition(".")[0] if "." in probe else ""
