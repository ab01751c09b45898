"""The shape of a network-type entry (kvnet/nettypes): what one type of plan network is, as data.

One entry drives every artifact that depends on the type (as kustomize's ``fieldspec`` and
check-jsonschema's ``catalog``): the plan fields it takes (rules/network_fields KV208/KV209),
its CNI config keys both ways (expand/nads writes them, lint/nad_network and kvnet import read
them back), its KubeVirt bindings (rules/bindings), who assigns its addresses, its device-plugin
resource and the node side it needs (doctor, nmstate).

This package imports nothing of kvnet: every stage may read it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from kvnet.record import dataclass, field
from typing import Any

#: the plan spelling of each type-specific network field -> the attribute of
#: ``kvnet.input.model.Network`` holding it, in the order KV208 checks them
PLAN_FIELDS: dict[str, str] = {
    "bridge": "bridge", "vlan": "vlan", "trunk": "trunk", "master": "master", "mode": "mode", "mtu": "mtu",
    "resourceName": "resource_name", "allowPersistentIPs": "allow_persistent_ips", "nad": "nad",
    "spoofchk": "spoofchk", "trust": "trust", "uplink": "uplink", "cniVersion": "cni_version",
}


#: fields about the IPAM that assigns a network's addresses (persistent IPs, issue 25): every
#: type whose addresses the plan's ``ipam`` assigns takes them (kvnet/nettypes/ipam.py)
PLAN_IPAM_FIELDS = ("allowPersistentIPs",)

#: ``NetType.node_bridge``: a Linux bridge (nmstate, doctor's ip link) or an Open vSwitch bridge
LINUX_BRIDGE, OVS_BRIDGE = "linux", "ovs"


@dataclass(frozen=True)
class NadTarget:
    """What a CNI config is written for besides the network: the NAD's namespace and name and
    the network's parsed subnet (``str`` of it; None without one)."""

    namespace: str | None
    name: str
    subnet: str | None


def _attr(field: str) -> Callable[[Any, NadTarget], Any]:
    attr = PLAN_FIELDS.get(field, field)
    return lambda net, _target: getattr(net, attr)


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class CniKey:
    """One key of the plugin's CNI config. ``field``: the plan field it carries (None: computed,
    not read back); ``encode(network, target)`` gives the config value (None: key left out);
    ``decode(config value)`` the field's value read back from a NAD (lint, import)."""

    key: str
    field: str | None = None
    encode: Callable[[Any, NadTarget], Any] | None = None
    decode: Callable[[Any], Any] = _same
    manifest_only: bool = False  # read back only (``field`` is a model attribute no plan sets)

    def value(self, net: Any, target: NadTarget) -> Any:
        """The config value for ``net`` (None: leave the key out)."""
        if self.manifest_only:
            return None
        if self.encode is not None:
            return self.encode(net, target)
        return _attr(self.field or self.key)(net, target)


def key(field: str, cni_key: str | None = None, decode: Callable[[Any], Any] | None = None,
        encode: Callable[[Any, NadTarget], Any] | None = None) -> CniKey:
    """The config key ``cni_key`` (default: the plan spelling) carrying plan field ``field``."""
    return CniKey(cni_key or field, field, encode, decode or DECODERS.get(field, _same))


def read_back(cni_key: str, attr: str, decode: Callable[[Any], Any]) -> CniKey:
    """A config key read from existing manifests into model attribute ``attr`` (lint), which
    expansion does not write through the entry (it writes the key itself, or not at all)."""
    return CniKey(cni_key, attr, None, decode, manifest_only=True)


def computed(cni_key: str, encode: Callable[[Any, NadTarget], Any]) -> CniKey:
    """A config key kvnet computes (no plan field of its own: not read back)."""
    return CniKey(cni_key, None, encode)


@dataclass(frozen=True)
class Requirement:
    """KV209: one of ``any_of`` (plan spellings) must be set; ``text`` completes
    "type T needs ...", ``hint`` the fix."""

    any_of: tuple[str, ...]
    text: str
    hint: str | None = None


@dataclass(frozen=True)
class DefaultResource:
    """The device-plugin resource a NAD requests when the plan gives none: ``prefix`` + the
    value of plan field ``field`` (k8s.v1.cni.cncf.io/resourceName)."""

    prefix: str
    field: str


@dataclass(frozen=True)
class NetType:
    """One network type of the plan (SPEC §2, §9).

    - ``cni_type``: the NAD config's plugin ``type``; None: kvnet writes no NAD (the plan names one)
    - ``fields``: the type-specific plan fields it takes (``PLAN_FIELDS`` spellings); the others
      are KV208; ``required``: KV209
    - ``cni_keys``: its plugin config keys, written by expansion and read back by lint and import
    - ``topology``: OVN-Kubernetes ``topology`` (one CNI type, several plan types)
    - ``modes``: the values ``mode`` takes (KV104)
    - ``default_binding``: the KubeVirt binding an interface gets without ``binding:``;
      ``bridge_binding``: (message, hint) when KubeVirt's ``bridge`` binding cannot carry it;
      ``no_binding_fix``: the hint when KubeVirt has no binding for it at all;
      ``any_binding``: the plugin is not kvnet's, so no binding is refused
    - ``ipam_owner``: who assigns its addresses instead of the plan's ``ipam`` (None: the plan)
      — the KV208 reason; ``address_pool``: who hands them out from ``subnet`` (interface
      addresses are then refused)
    - ``resource``: the device-plugin resource without ``resourceName``; ``resource_annotation``:
      the NAD carries k8s.v1.cni.cncf.io/resourceName
    - ``ipam_claims``: where its own IPAM (``ipam_owner``) is documented to honour IPAMClaims
      (``allowPersistentIPs``; None: it does not); a type whose addresses the plan's ``ipam``
      assigns takes ``allowPersistentIPs`` too, and kvnet/nettypes/ipam.py says whether that
      IPAM honours them
    - ``node_bridge``: the node bridge it attaches to (``linux`` | ``ovs``; doctor, nmstate)
    - ``example``: a network of this type (plan fields but ``name``) that compiles, lints clean
      and is imported back as it is (tests/test_nettypes.py round-trips every entry)
    """

    name: str
    cni_type: str | None
    fields: tuple[str, ...]
    required: tuple[Requirement, ...] = ()
    cni_keys: tuple[CniKey, ...] = ()
    topology: str | None = None
    modes: tuple[str, ...] = ()
    default_binding: str = "bridge"
    bridge_binding: tuple[str, str] | None = None
    no_binding_fix: str | None = None
    any_binding: bool = False
    ipam_owner: str | None = None
    address_pool: str | None = None
    resource: DefaultResource | None = None
    resource_annotation: bool = False
    ipam_claims: str | None = None
    node_bridge: str | None = None
    example: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def takes(self, field: str) -> bool:
        """Whether plan field ``field`` (plan spelling) applies to this type: one of ``fields``,
        or a field of the plan's IPAM (``PLAN_IPAM_FIELDS``) on a type whose NAD carries it."""
        if field in PLAN_IPAM_FIELDS and self.ipam_owner is None and self.cni_type is not None:
            return True
        return field in self.fields

    def carries(self, field: str) -> bool:
        """Whether a key of this type's CNI config carries plan field ``field``."""
        return any(k.field == field for k in self.cni_keys)

    @property
    def writes_nad(self) -> bool:
        """Whether kvnet writes this network's NAD (False: it names someone else's)."""
        return self.cni_type is not None

    @property
    def config_keys(self) -> tuple[str, ...]:
        """The plugin config keys a NetworkPlan expresses for this type (kvnet import)."""
        return tuple(k.key for k in self.cni_keys)


# ---------------------------------------------------------------- value conversions


def str_or_none(value: Any) -> str | None:
    """``value`` when it is a non-empty string."""
    return value if isinstance(value, str) and value else None


def int_or_none(value: Any) -> int | None:
    """``value`` when it is an integer (not a bool)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def loose_network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network of ``a.b.c.d/n`` (host bits masked off), None when ``text`` is not one."""
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False) if isinstance(text, str) else None
    except ValueError:
        return None


def on_off(value: bool | None) -> str | None:
    """sriov-cni's ``on``/``off`` for a plan boolean (None: left out)."""
    return None if value is None else ("on" if value else "off")


def from_on_off(value: Any) -> bool | None:
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def trunk_items(value: Any) -> list[dict[str, int]]:
    """ovs-cni ``trunk`` read back: its items of integers."""
    items = value if isinstance(value, list) else []
    return [t for t in items if isinstance(t, dict)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in t.values())]


def trunk_encode(net: Any, _target: NadTarget) -> list[dict[str, int]] | None:
    """A plan ``trunk`` as ovs-cni's ``trunk`` / the bridge plugin's ``vlanTrunk`` (same items)."""
    return [dict(sorted(item.items())) for item in net.trunk] or None


#: how a NAD's config value is read back into each plan field (lint, import)
DECODERS: dict[str, Callable[[Any], Any]] = {
    "bridge": str_or_none, "vlan": int_or_none, "master": str_or_none, "mode": str_or_none,
    "mtu": int_or_none, "trunk": trunk_items, "spoofchk": from_on_off, "trust": from_on_off,
}

#: the keys read off any plugin's config, known to the catalog or not (lint models every NAD)
GENERIC_KEYS: tuple[CniKey, ...] = tuple(key(f) for f in ("bridge", "vlan", "master", "mode", "mtu"))
