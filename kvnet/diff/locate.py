"""Where in the head plan each change comes from: the line a reviewer edits, for the GitHub
annotations (``--format github``) and the JSON report. A change the head has no line for
(an object that goes with its plan element) points at the list it left (``spec.vms``)."""

from __future__ import annotations

from typing import Callable, Sequence

from kvnet.diff.compare import Change
from kvnet.diagnostics import Loc
from kvnet.input.model import VM, Network, Plan, Where

_VM_FIELDS = (  # a shown field's first part -> the VM's plan field that writes it (kvnet/expand/vms.py)
    ("cpu", ("cpu",)), ("resources", ("memory",)), ("memory", ("memory",)),
    ("volumes[cloudinitdisk]", ("cloudInit",)), ("accessCredentials", ("sshKeys",)),
    ("spec.runStrategy", ("runStrategy",)), ("spec.instancetype", ("instancetype",)),
    ("spec.preference", ("preference",)), ("metadata.labels", ("labels",)),
    ("metadata.annotations", ("annotations",)), ("template.metadata", ("labels",)),
)
_IFACE_FIELDS = (("macAddress", "mac"), ("model", "model"), ("state", "state"), ("multus", "network"),
                 ("pod", "network"))


class Locator:
    """Plan elements of the head side by (namespace, name); ``show`` maps file names back."""

    def __init__(self, plans: Sequence[Plan], show: Callable[[str], str]) -> None:
        self.show = show
        self.plans = {p.namespace or "": p for p in plans}
        self.vms = {(p.namespace or "", vm.name): vm for p in plans for vm in p.vms}
        self.nets = {(p.namespace or "", n.name): n for p in plans for n in p.networks}

    def _loc(self, where: Where, *sub: str, key: bool = False) -> Loc:
        loc = where.at(*sub, key=key)
        return Loc(self.show(loc.file), loc.line, loc.column)

    def locate(self, change: Change) -> Loc | None:
        """The head plan line of ``change`` (None when the head has no plan in its namespace)."""
        if change.loc is not None:
            return change.loc
        ns, name = change.namespace, change.name
        if change.kind == "VirtualMachine":
            vm = self.vms.get((ns, name))
            if vm is None:
                return self._list(ns, "vms")
            return self._vm_field(vm, change.details[0].field if change.details else "")
        if change.kind == "NetworkAttachmentDefinition":
            net = self._network(ns, name)
            return self._loc(net.where, "name") if net else self._list(ns, "networks")
        if change.kind == "Secret":
            for suffix, fld in (("-cloudinit", "cloudInit"), ("-ssh-keys", "sshKeys")):
                vm = self.vms.get((ns, name[: -len(suffix)])) if name.endswith(suffix) else None
                if vm is not None:
                    return self._loc(vm.where, fld)
        plan = self.plans.get(ns) or next(iter(self.plans.values()), None)
        if plan is None:
            return None
        where = plan.cluster_where or plan.where
        return self._loc(where, key=True) if plan.cluster_where else self._loc(where, "spec", key=True)

    def _list(self, ns: str, what: str) -> Loc | None:
        plan = self.plans.get(ns)
        return self._loc(plan.where, "spec", what, key=True) if plan else None

    def _network(self, ns: str, nad: str) -> Network | None:
        """The network a NAD was written for: its own name, or ``<vm>-<network>`` (ipam: static)."""
        net = self.nets.get((ns, nad))
        if net is not None:
            return net
        for (net_ns, net_name), net in self.nets.items():
            if net_ns == ns and nad.endswith("-" + net_name):
                return net
        return None

    def _vm_field(self, vm: VM, shown: str) -> Loc:
        if shown.startswith(("interfaces[", "networks[")):
            item = shown.split("[", 1)[1].split("]", 1)[0]
            rest = shown.split("]", 1)[1].lstrip(".")
            iface = next((i for i in vm.interfaces if i.network == item), None)
            if iface is None:
                return self._loc(vm.where, "interfaces", key=True)
            sub = next((fld for head, fld in _IFACE_FIELDS if rest.startswith(head)), "binding" if rest else "")
            return self._loc(iface.where, sub) if sub else self._loc(iface.where)
        if shown.startswith("volumes[rootdisk]"):
            return self._loc(vm.where, "image" if vm.image else "rootDisk")
        for head, fld in _VM_FIELDS:
            if shown.startswith(head):
                return self._loc(vm.where, *fld)
        return self._loc(vm.where, "template") if vm.template else self._loc(vm.where, "name")


def locate_all(changes: Sequence[Change], locator: Locator) -> None:
    """Fill ``loc`` of every change from the head plan."""
    for change in changes:
        change.loc = locator.locate(change)
