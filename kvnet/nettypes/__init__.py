"""The catalog of network types: one entry per ``type:`` of a plan network (SPEC §2, §9), and the
tables every stage reads, derived from it. A new network type is a module here with its entry,
listed in ``CATALOG`` (and its CNI schema in kvnet/schemas/cni/, its row in the README).

The names of the types appear as literals only in these modules and the JSON schemas
(tests/test_nettypes.py checks both); code elsewhere asks the entry (``get(net.type)``) what
the type does, or compares with the constants below for what only one type does.
"""

from __future__ import annotations

from kvnet.nettypes.bridge import BRIDGE
from kvnet.nettypes.external import EXTERNAL
from kvnet.nettypes.host_device import HOST_DEVICE
from kvnet.nettypes.macvlan import IPVLAN, MACVLAN
from kvnet.nettypes.macvtap import MACVTAP, MACVTAP_RESOURCE_PREFIX
from kvnet.nettypes.ovn import OVN_CNI_TYPE, OVN_LAYER2, OVN_LOCALNET
from kvnet.nettypes.ovs import OVS, OVS_RESOURCE_PREFIX
from kvnet.nettypes.spec import (GENERIC_KEYS, LINUX_BRIDGE, OVS_BRIDGE, PLAN_FIELDS, CniKey, DefaultResource,
                                 NadTarget, NetType, Requirement)
from kvnet.nettypes.sriov import SRIOV

__all__ = ["BRIDGE", "BRIDGE_TYPE", "CATALOG", "EXTERNAL_TYPE", "GENERIC_KEYS", "LINUX_BRIDGE",
           "MACVTAP_RESOURCE_PREFIX", "MACVTAP_TYPE", "NAMES", "OVN_CNI_TYPE", "OVS", "OVS_BRIDGE",
           "OVS_RESOURCE_PREFIX", "OVS_TYPE", "PLAN_FIELDS", "CniKey", "DefaultResource", "NadTarget", "NetType",
           "Requirement", "binding_owners", "by_config", "field_types", "get", "node_bridge", "plugin_types",
           "topology", "types_with"]

#: every network type, in the order messages list them (KV208's "used by type ...")
CATALOG: tuple[NetType, ...] = (BRIDGE, MACVLAN, IPVLAN, MACVTAP, OVS, OVN_LAYER2, OVN_LOCALNET, SRIOV, HOST_DEVICE,
                                EXTERNAL)
NAMES: tuple[str, ...] = tuple(t.name for t in CATALOG)
_BY_NAME = {t.name: t for t in CATALOG}

#: the types one piece of code is about (their rules, their node daemon); everything a type
#: shares with others is a field of its entry instead
BRIDGE_TYPE, OVS_TYPE, MACVTAP_TYPE, EXTERNAL_TYPE = BRIDGE.name, OVS.name, MACVTAP.name, EXTERNAL.name


def get(name: str) -> NetType | None:
    """The entry of type ``name``; None for a name the catalog does not have (``pod``, a CNI
    type of someone else's NAD)."""
    return _BY_NAME.get(name)


def types_with(predicate: str) -> tuple[str, ...]:
    """The names of the types whose entry has a true attribute ``predicate`` (catalog order)."""
    return tuple(t.name for t in CATALOG if getattr(t, predicate))


def field_types() -> dict[str, tuple[str, ...]]:
    """Plan field (``PLAN_FIELDS`` order) -> the types that take it (KV208)."""
    return {f: tuple(t.name for t in CATALOG if t.takes(f)) for f in PLAN_FIELDS}


def plugin_types() -> tuple[str, ...]:
    """The CNI plugin types kvnet's NADs use (sorted); each has ``schemas/cni/<type>.json``."""
    return tuple(sorted({t.cni_type for t in CATALOG if t.cni_type is not None}))


def by_config(cni_type: str, topology: object) -> NetType | None:
    """The type whose NAD has plugin ``cni_type`` (and, for one CNI type of several plan types,
    ``topology``); None for a plugin no plan type writes."""
    found = [t for t in CATALOG if t.cni_type == cni_type]
    if len(found) > 1:
        found = [t for t in found if t.topology == topology]
    return found[0] if len(found) == 1 else None


def node_bridge(type_name: str) -> str | None:
    """The kind of node bridge a network of ``type_name`` attaches to (LINUX_BRIDGE, OVS_BRIDGE, None)."""
    entry = get(type_name)
    return entry.node_bridge if entry is not None else None


def topology(type_name: str) -> str | None:
    """The OVN-Kubernetes topology of ``type_name`` (None: not an OVN-Kubernetes type)."""
    entry = get(type_name)
    return entry.topology if entry is not None else None


def binding_owners() -> dict[str, str]:
    """A KubeVirt binding only one type carries (its default, not ``bridge``) -> that type."""
    return {t.default_binding: t.name for t in CATALOG if t.default_binding != BRIDGE.default_binding}
