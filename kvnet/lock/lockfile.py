"""``kvnet.lock``: read with the position of every entry, written byte-stable (SPEC §7).

The file is YAML but not ``*.yaml``, so directory scans never take it for a plan::

    # kvnet.lock: addresses kvnet allocated. Written by `kvnet lock`; commit it with the plan.
    apiVersion: kvnet.dev/v1alpha1
    kind: AddressLock
    plans:
      vms/lab:                 # <namespace>/<plan>, or <plan>
        lan:                   # network
          web-1: 192.168.1.20  # VM: address (no prefix)
          db-1: [192.168.1.21, "fd00:1::15"]  # dual-stack: one per family, IPv4 first (issue 25)
"""

from __future__ import annotations

import functools
import json
import os
import re
from kvnet.record import dataclass, field
from typing import Any, Mapping

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.discover import UNREADABLE
from kvnet.input.loader import Document, LoadError, LoadReason, load_file
from kvnet.input.model import API_VERSION

LOCK_NAME = "kvnet.lock"
KIND = "AddressLock"
HEADER = "# kvnet.lock: addresses kvnet allocated. Written by `kvnet lock`; commit it with the plan.\n"
FIX_BY_HAND = (f"fix {LOCK_NAME} by hand (git log shows its history); deleting it makes 'kvnet lock' "
               "choose every address anew")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass(frozen=True)
class Entry:
    """One recorded address: its text as written, where the value and its VM key stand."""

    address: str
    loc: Loc
    key_loc: Loc


@dataclass
class LockFile:
    """A parsed kvnet.lock: plan key -> network -> VM -> its entries (one per family; empty when
    the file is absent)."""

    shown: str
    exists: bool = False
    plans: dict[str, dict[str, dict[str, list[Entry]]]] = field(default_factory=dict)
    network_locs: dict[tuple[str, str], Loc] = field(default_factory=dict)

    def addresses(self, key: str) -> dict[str, dict[str, list[str]]]:
        """The entries of plan ``key`` as network -> VM -> address texts."""
        return {net: {vm: [e.address for e in es] for vm, es in vms.items()}
                for net, vms in self.plans.get(key, {}).items()}


def lock_path(directory: str) -> str:
    """The kvnet.lock of a plan directory, as diagnostics show it."""
    return os.path.normpath(os.path.join(directory, LOCK_NAME))


def read_lock(path: str, shown: str | None = None) -> tuple[LockFile, list[Diagnostic]]:
    """Parse the lock at ``path``; a missing file is an empty, non-existing lock.

    Problems: the loader's KV001-KV004 (YAML, duplicate keys, bounds; unreadable: KV000) and
    KV285 (not an AddressLock), all at ``kvnet.lock:LINE:COL``.
    """
    shown = shown or os.path.normpath(path)
    lock = LockFile(shown)
    if not os.path.lexists(path):
        return lock, []
    lock.exists = True
    try:
        docs = [d for d in load_file(path, shown) if d.data is not None]
    except LoadError as exc:
        d = exc.diag
        if exc.reason is LoadReason.UNREADABLE:
            d = error(UNREADABLE, d.message, Loc(d.file, d.line, d.column), d.hint)
        return lock, [d]
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return lock, [error("KV285", f"{LOCK_NAME} must be one YAML mapping (apiVersion, kind, plans)",
                            docs[1].loc(()) if len(docs) > 1 else Loc(shown),
                            hint=FIX_BY_HAND)]
    diags = _parse(docs[0], lock)
    return lock, diags


def _parse(doc: Document, lock: LockFile) -> list[Diagnostic]:
    data = doc.data
    for fname, want in (("apiVersion", API_VERSION), ("kind", KIND)):
        if data.get(fname) != want:
            return [error("KV285", f"{LOCK_NAME}: {fname} is {data.get(fname)!r}, not {want!r}",
                          doc.loc((fname,)) if fname in data else doc.loc(()))]
    extra = sorted(str(k) for k in data if k not in ("apiVersion", "kind", "plans"))
    if extra:
        return [error("KV285", f"{LOCK_NAME}: unknown field {extra[0]!r}", doc.loc((extra[0],), key=True),
                      hint="a lock has apiVersion, kind and plans")]
    plans = data.get("plans")
    if plans is None:
        return []
    diags: list[Diagnostic] = []
    for key, nets in _mapping(doc, ("plans",), plans, "plans", diags):
        for net, vms in _mapping(doc, ("plans", key), nets, f"plan {key!r}", diags):
            lock.network_locs[(key, net)] = doc.loc(("plans", key, net), key=True)
            for vm, value in _mapping(doc, ("plans", key, net), vms, f"network {net!r}", diags):
                at = ("plans", key, net, vm)
                listed = isinstance(value, list) and 0 < len(value) <= 2
                items = value if listed else [value]
                if any(isinstance(v, (dict, list)) for v in items):
                    diags.append(error("KV285", f"{LOCK_NAME}: VM {vm!r} on network {net!r} must map to one "
                                       "address", doc.loc(at), hint="dual-stack: a list of one address per family"))
                    continue
                lock.plans.setdefault(key, {}).setdefault(net, {})[vm] = [
                    Entry("" if v is None else str(v), doc.loc(at + (i,)) if listed else doc.loc(at),
                          doc.loc(at, key=True)) for i, v in enumerate(items)]
    return diags


def _mapping(doc: Document, path: tuple[Any, ...], value: Any, what: str,
             diags: list[Diagnostic]) -> list[tuple[str, Any]]:
    """The (name, value) items of a lock mapping; KV285 for a non-mapping or a non-name key."""
    if value is None:
        return []
    if not isinstance(value, dict):
        diags.append(error("KV285", f"{LOCK_NAME}: {what} must be a mapping", doc.loc(path)))
        return []
    items: list[tuple[str, Any]] = []
    for k, v in value.items():
        if isinstance(k, bool) or not isinstance(k, (str, int)):
            diags.append(error("KV285", f"{LOCK_NAME}: key {k!r} under {what} is not a name",
                               doc.loc(path + (k,), key=True), hint="quote it: \"...\""))
            continue
        items.append((str(k), v))
    return items


def render(plans: Mapping[str, Mapping[str, Mapping[str, list[str]]]]) -> str:
    """The lock text for ``plans`` (plan key -> network -> VM -> addresses): header comment, keys
    sorted at every level, empty maps left out, scalars plain where YAML reads them back as the
    same string, else double-quoted; one address as a scalar, two (dual-stack) as a flow list.
    Same input, same bytes."""
    lines = [HEADER.rstrip("\n"), f"apiVersion: {API_VERSION}", f"kind: {KIND}"]
    body: list[str] = []
    for key in sorted(plans):
        nets = {n: vms for n, vms in plans[key].items() if vms}
        if not nets:
            continue
        body.append(f"  {_scalar(key)}:")
        for net in sorted(nets):
            body.append(f"    {_scalar(net)}:")
            body.extend(f"      {_scalar(vm)}: {_value(nets[net][vm])}" for vm in sorted(nets[net]))
    lines.append("plans:" if body else "plans: {}")
    return "\n".join(lines + body) + "\n"


def _value(addresses: list[str]) -> str:
    if len(addresses) == 1:
        return _scalar(addresses[0])
    return "[" + ", ".join(_scalar(a) for a in addresses) + "]"


def _scalar(text: str) -> str:
    if _PLAIN.fullmatch(text) and _resolves_to_str(text):
        return text
    return json.dumps(text)


@functools.lru_cache(maxsize=1)
def _resolver() -> Any:
    import yaml

    return yaml.resolver.Resolver()


def _resolves_to_str(text: str) -> bool:
    """Whether YAML (1.1, as PyYAML reads it) takes the plain scalar ``text`` as a string."""
    import yaml

    return bool(_resolver().resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str")
