"""cloud-init networkData of a VM (inline or in a Secret of the input): the static guest
addresses it gives each NIC, and routes older cloud-init rejects (SPEC §8).

Both network config formats cloud-init reads are understood: version 2 (netplan: ``ethernets``
matched by ``macaddress`` or named ``eth<N>``) and version 1 (``config`` entries of ``type:
physical`` with ``mac_address`` and ``subnets``).
"""

from __future__ import annotations

import base64
import binascii
from kvnet.record import dataclass, field
from functools import partial
from typing import Any, Callable, Sequence

from kvnet.diagnostics import Diagnostic, Loc, error, warning
from kvnet.expand.cloudinit import DEFAULT_ROUTE_DESTINATIONS, GATEWAY_KEYS
from kvnet.input.embedded import Unreadable, read_texts
from kvnet.lint.objects import Found
from kvnet.lint.vms import VmInfo
from kvnet.netmath import parse_interface

OLD_CLOUD_INIT_ROUTE = "KV307"
ADMISSION = "KV313"
#: marks a reason KubeVirt's admission webhook refuses the VM for (validateVolumes: "must have
#: only one networkdata source set", "... is not a valid base64 value")
REJECTED = "rejected: "
UNREADABLE = "KV312"
CLOUD_INIT_SOURCES = ("cloudInitNoCloud", "cloudInitConfigDrive")


@dataclass
class CloudInit:
    """userData and networkData as text (None when absent), and where the volume is."""

    user_data: str | None = None
    network_data: str | None = None
    volume_index: int | None = None
    source: str = "cloudInitNoCloud"
    at: Callable[[], Loc] | None = None  # the position of the networkData (or its Secret ref) key
    addresses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # MAC or 'eth<N>' -> ip/prefix per family
    segments: dict[str, dict[str, Any]] = field(default_factory=dict)  # same keys -> gateway, nameservers, search
    vlans: dict[str, list[tuple[int, tuple[str, ...]]]] = field(default_factory=dict)  # -> [(VLAN id, addresses)]
    findings: list[Diagnostic] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)  # 'userData'/'networkData' -> why it cannot be read

    def address_for(self, mac: str | None, index: int) -> tuple[str, ...]:
        """The addresses networkData gives the NIC with ``mac``, else the ``index``-th (``eth<N>``):
        one, or one per family (issue 25); () when none."""
        return self.addresses.get((mac or "").lower()) or self.addresses.get(f"eth{index}") or ()

    def vlans_for(self, mac: str | None, index: int) -> list[tuple[int, tuple[str, ...]]]:
        """The VLAN sub-interfaces (id, address) networkData puts on that NIC (issue 24)."""
        return self.vlans.get((mac or "").lower()) or self.vlans.get(f"eth{index}") or []

    def segment_for(self, mac: str | None, index: int) -> dict[str, Any]:
        """What networkData says of that NIC's segment (gateway, nameservers, search); {} if nothing."""
        return self.segments.get((mac or "").lower()) or self.segments.get(f"eth{index}") or {}

    @property
    def loc(self) -> Loc | None:
        """Where the networkData is given; None without a cloud-init volume."""
        return self.at() if self.at is not None else None


def _decoded(value: str) -> tuple[str | None, bool]:
    """(the UTF-8 text base64 ``value`` holds, or None; whether ``value`` is base64 at all:
    KubeVirt's admission refuses a ``...Base64`` field that is not)."""
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        return None, False
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return None, True


def _secret(secrets: dict[tuple[str, str], Found], ns: str, name: str) -> Found | None:
    """The Secret ``name`` of the VM's namespace; one written without a namespace gets the
    namespace it is applied to, so it matches too (as a NAD does: kvnet.lint.convert.resolve_ref)."""
    found = secrets.get((ns, name)) or secrets.get(("", name))
    if found is None and not ns:
        matches = [f for (_, n), f in secrets.items() if n == name]
        found = matches[0] if len(matches) == 1 else None
    return found


def _text(body: dict[str, Any], fields: tuple[str, str, str], key: str, secrets: dict[tuple[str, str], Found],
          ns: str) -> tuple[str | None, str | None, str | None]:
    """(text, the field that gives it, why it cannot be read) of userData or networkData: inline,
    base64 (``...Base64``) or a Secret's ``key`` (stringData first, then base64 data), as KubeVirt
    reads a cloudInitNoCloud/cloudInitConfigDrive volume."""
    inline, encoded, ref_field = fields
    given = [f for f in fields if body.get(f) is not None]
    if len(given) > 1:
        return None, given[0], f"{REJECTED}{' and '.join(given)} are both given; KubeVirt takes only one source"
    if inline in given or encoded in given:
        value = body[given[0]]
        if not isinstance(value, str):
            return None, given[0], f"{given[0]} is {type(value).__name__}, not text"
        if given[0] == inline:
            return value, inline, None
        text, is_base64 = _decoded(value)
        if not is_base64:
            return None, encoded, f"{REJECTED}{encoded} is not valid base64"
        return text, encoded, None if text is not None else f"{encoded} is not base64 of UTF-8 text"
    ref = body.get(ref_field)
    if ref is None:
        return None, None, None
    name = ref.get("name") if isinstance(ref, dict) else None
    if not isinstance(name, str) or not name:
        return None, ref_field, f"{ref_field} names no Secret ({ref_field}: {{name: ...}})"
    secret = _secret(secrets, ns, name)
    if secret is None:
        return None, ref_field, f"its Secret {name!r} is not in the input"
    # KubeVirt (pkg/cloud-init, readFirstFoundFileFromDir) reads networkdata, then networkData
    for secret_key in (key, key.replace("data", "Data")):
        for field_name in ("stringData", "data"):
            value = secret.get(field_name, secret_key)
            if value is None:
                continue
            if not isinstance(value, str):
                return None, ref_field, f"Secret {name!r} {field_name}.{secret_key} is {type(value).__name__}, not text"
            text = value if field_name == "stringData" else _decoded(value)[0]
            why = None if text is not None else f"Secret {name!r} data.{secret_key} is not base64 text"
            return text, ref_field, why
    return None, ref_field, f"Secret {name!r} has no {key!r} (stringData or data)"


def read_cloud_inits(vms: Sequence[VmInfo], secrets: dict[tuple[str, str], Found]) -> list[CloudInit]:
    """Each VM's cloud-init volume, its texts and the static addresses its networkData gives
    (the networkData texts of all VMs are read together: kvnet.input.embedded)."""
    found = [_cloud_init(vm, secrets) for vm in vms]
    wanted = [(vm, ci) for vm, ci in zip(vms, found, strict=True) if ci.network_data is not None and ci.at]
    for (vm, ci), data in zip(wanted, read_texts([ci.network_data or "" for _, ci in wanted]), strict=True):
        _read_network_data(vm, ci, data)
    return found


def _cloud_init(vm: VmInfo, secrets: dict[tuple[str, str], Found]) -> CloudInit:
    ci = CloudInit()
    volumes = vm.spec.get("volumes")
    for i, vol in enumerate(volumes if isinstance(volumes, list) else []):
        source = next((s for s in CLOUD_INIT_SOURCES if isinstance(vol, dict) and isinstance(vol.get(s), dict)), None)
        if source is None:
            continue
        body = vol[source]
        ns = vm.found.namespace
        ci.volume_index, ci.source = i, source
        ci.user_data, _, user_why = _text(body, ("userData", "userDataBase64", "secretRef"), "userdata", secrets, ns)
        if user_why:
            ci.unread["userData"] = user_why.removeprefix(REJECTED)
        ci.network_data, key, why = _text(body, ("networkData", "networkDataBase64", "networkDataSecretRef"),
                                          "networkdata", secrets, ns)
        ci.at = partial(vm.loc, "volumes", i, source, *((key,) if key else ()), key=True)
        for what, problem in (("userData", user_why), ("networkData", why)):
            if problem and problem.startswith(REJECTED):  # KubeVirt's admission refuses the VM
                ci.findings.append(error(ADMISSION, f"VM {vm.found.name!r}: {problem[len(REJECTED):]}",
                                         vm.loc("volumes", i, source, key=True),
                                         hint=f"give {what} one way: inline, base64 or a Secret"))
        if why and not why.startswith(REJECTED):
            ci.unread["networkData"] = why
            ci.findings.append(warning(UNREADABLE, f"VM {vm.found.name!r}: networkData cannot be read: {why}; "
                                       "the guest addresses and routes it gives are not checked", ci.at(),
                                       hint="lint the Secret together with the VM"
                                       if "not in the input" in why else None))
        elif why:
            ci.unread["networkData"] = why[len(REJECTED):]
        break
    return ci


def _read_network_data(vm: VmInfo, ci: CloudInit, data: Any) -> None:
    """``data``: the networkData as read with every scalar a string (an unquoted MAC stays a MAC)."""
    label = f"VM {vm.found.name!r}"
    if isinstance(data, Unreadable):
        ci.findings.append(warning(UNREADABLE, f"{label}: networkData is not YAML cloud-init can read: "
                                   f"{data.message}", ci.loc))
        return
    if not isinstance(data, dict):
        ci.findings.append(warning(UNREADABLE, f"{label}: networkData is not a mapping", ci.loc))
        return
    if "network" in data and isinstance(data["network"], dict):
        data = data["network"]
    if str(data.get("version")) == "2" and isinstance(data.get("ethernets"), dict):
        for name, eth in data["ethernets"].items():
            if isinstance(eth, dict):
                _v2_ethernet(label, str(name), eth, ci)
        if isinstance(data.get("vlans"), dict):
            _v2_vlans(data["ethernets"], data["vlans"], ci)
    elif str(data.get("version")) == "1" and isinstance(data.get("config"), list):
        for entry in data["config"]:
            if isinstance(entry, dict) and entry.get("type") == "physical":
                _v1_physical(entry, ci)


def _v2_ethernet(label: str, name: str, eth: dict[str, Any], ci: CloudInit) -> None:
    match = eth.get("match")
    mac = match.get("macaddress") if isinstance(match, dict) else None
    key = str(mac).lower() if isinstance(mac, str) else str(eth.get("set-name") or name)
    addresses = eth.get("addresses")
    if isinstance(addresses, list) and addresses and isinstance(addresses[0], str):
        ci.addresses[key] = _per_family([with_prefix(a) for a in addresses if isinstance(a, str)])
    routes = eth.get("routes")
    facts: dict[str, Any] = {}
    ns = eth.get("nameservers")
    if isinstance(ns, dict):
        facts.update(nameservers=ns.get("addresses"), search=ns.get("search"))
    gateways = [eth[k] for k in GATEWAY_KEYS if isinstance(eth.get(k), str)]
    if gateways:  # kvnet writes gateway6 for a static IPv6 NIC (cloud-init 22.4 mangles ::/0)
        facts["gateway"] = gateways[0]
        facts["gateways"] = gateways
    for route in routes if isinstance(routes, list) else []:
        if not isinstance(route, dict):
            continue
        if route.get("to") in DEFAULT_ROUTE_DESTINATIONS:
            facts.setdefault("gateway", route.get("via"))
            facts.setdefault("gateways", []).append(route.get("via"))
        elif isinstance(route.get("to"), str) and isinstance(route.get("via"), str):
            extra = {"to": route["to"], "via": route["via"]}
            if str(route.get("metric", "")).isdigit():
                extra["metric"] = int(str(route["metric"]))
            facts.setdefault("routes", []).append(extra)
    ci.segments[key] = facts
    for route in routes if isinstance(routes, list) else []:
        if isinstance(route, dict) and route.get("to") == "default":
            ci.findings.append(warning(
                OLD_CLOUD_INIT_ROUTE, f"{label}: networkData route 'to: default' on {name!r}: cloud-init before "
                "25.3 rejects it with every renderer but netplan (Debian, RHEL, Alpine guests)", ci.loc,
                hint="write 'to: 0.0.0.0/0' (IPv6: '::/0')"))
            break


def _v2_vlans(ethernets: dict[Any, Any], vlans: dict[Any, Any], ci: CloudInit) -> None:
    """netplan ``vlans`` with ``id``, ``link`` (an ``ethernets`` key) and the first address of each
    family (issue 25), under the key of the NIC they link to (cloud-init network_state ``handle_vlans``)."""
    for vlan in vlans.values():
        if not isinstance(vlan, dict) or not str(vlan.get("id", "")).isdigit():
            continue
        eth = ethernets.get(vlan.get("link"))
        addresses = vlan.get("addresses")
        if not isinstance(eth, dict) or not isinstance(addresses, list) or not addresses or \
                not isinstance(addresses[0], str):
            continue
        match = eth.get("match")
        mac = match.get("macaddress") if isinstance(match, dict) else None
        key = str(mac).lower() if isinstance(mac, str) else str(eth.get("set-name") or vlan.get("link"))
        texts = [with_prefix(a) for a in addresses if isinstance(a, str)]
        ci.vlans.setdefault(key, []).append((int(str(vlan["id"])), _per_family(texts)))


def _per_family(addresses: list[str]) -> tuple[str, ...]:
    """The first address of each family, in the order given (a plan interface has one per family)."""
    seen: dict[bool, str] = {}
    for a in addresses:
        seen.setdefault(":" in a, a)
    return tuple(seen.values())


def with_prefix(address: str) -> str:
    """``ip/prefix`` for ``ip/netmask`` (cloud-init v1 writes either); other text unchanged."""
    parsed = parse_interface(address) if "/" in address else None  # cached: the rules read it again
    return parsed.with_prefixlen if parsed is not None else address


def _v1_physical(entry: dict[str, Any], ci: CloudInit) -> None:
    mac = entry.get("mac_address")
    key = str(mac).lower() if isinstance(mac, str) else str(entry.get("name"))
    subnets = entry.get("subnets")
    for subnet in subnets if isinstance(subnets, list) else []:
        if isinstance(subnet, dict) and subnet.get("type") in ("static", "static6") and \
                isinstance(subnet.get("address"), str):
            addr = subnet["address"]
            if "/" not in addr and isinstance(subnet.get("netmask"), str):
                addr = f"{addr}/{subnet['netmask']}"
            ci.addresses[key] = _per_family([*ci.addresses.get(key, ()), with_prefix(addr)])
