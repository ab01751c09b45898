"""The ``address`` class: kvnet.lock entries that change between the two sides (SPEC §7),
and which VMs use a NAD (the ``nad`` class names them)."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Sequence

from kvnet.diff.classes import ADDRESS
from kvnet.diff.compare import Change, Detail
from kvnet.diagnostics import Loc
from kvnet.input.model import Plan
from kvnet.lock.lockfile import LockFile, lock_path, read_lock

#: (plan key, network, VM) -> (address, position, lock file as shown). Keyed by plan identity, not
#: by the lock's path: ``kvnet diff DIR1 --to DIR2`` compares locks at two paths (SPEC §7: an entry
#: is the address of one VM's interface on one network of one plan, wherever the lock lies).
LockEntries = dict[tuple[str, str, str], tuple[str, Loc, str]]


def lock_entries(plans: Iterable[Plan], show: Callable[[str], str]) -> LockEntries:
    """(plan key, network, VM) -> (address, position, lock as shown) of the locks beside
    ``plans`` (a lock that does not read is left out: the compile reported it)."""
    out: LockEntries = {}
    seen: set[str] = set()
    for plan in plans:
        first = plan.files[0] if plan.files else plan.where.doc.file
        path = lock_path(os.path.dirname(first))
        if path in seen:
            continue
        seen.add(path)
        lock, diags = read_lock(path, show(path))
        if diags:
            continue
        out.update(_entries(lock))
    return out


def _entries(lock: LockFile) -> LockEntries:
    return {(key, net, vm): (", ".join(e.address for e in es), es[0].loc, lock.shown)
            for key, nets in lock.plans.items() for net, vms in nets.items() for vm, es in vms.items()}


def address_changes(base: LockEntries, head: LockEntries) -> list[Change]:
    """One ``address`` change per VM whose locked address on a network changed, appeared or went."""
    changes: list[Change] = []
    for k in sorted(set(base) | set(head)):
        old, new = base.get(k), head.get(k)
        if old is not None and new is not None and old[0] == new[0]:
            continue
        plan_key, net, vm = k
        namespace = plan_key.split("/", 1)[0] if "/" in plan_key else ""
        shown = new[2] if new is not None else old[2] if old is not None else ""
        why = ("address allocated" if old is None else "address released" if new is None
               else "address re-allocated") + f" in {shown}"
        detail = Detail(f"{net}", old[0] if old else None, new[0] if new else None, why, "SPEC §7 kvnet.lock")
        changes.append(Change(ADDRESS, "AddressLock", namespace, vm, [detail], loc=new[1] if new else None))
    return changes


def nad_users(objects: Sequence[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(namespace, NAD name) -> the VMs whose networks name it (``multus.networkName`` is
    ``<namespace>/<name>`` or ``<name>`` in the VM's namespace), sorted."""
    users: dict[tuple[str, str], set[str]] = {}
    for obj in objects:
        if obj.get("kind") != "VirtualMachine":
            continue
        meta = obj.get("metadata") or {}
        ns = str(meta.get("namespace") or "")
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for net in spec.get("networks") or []:
            ref = ((net or {}).get("multus") or {}).get("networkName")
            if not isinstance(ref, str):
                continue
            nad_ns, _, name = ref.rpartition("/")
            vm = f"{ns}/{meta.get('name')}" if ns else str(meta.get("name"))
            users.setdefault((nad_ns or ns, name), set()).add(vm)
    return {k: sorted(v) for k, v in users.items()}
