"""IP and MAC arithmetic on top of the standard library's ``ipaddress``."""

from __future__ import annotations

import hashlib
import functools
import ipaddress
from typing import Union

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPInterface = Union[ipaddress.IPv4Interface, ipaddress.IPv6Interface]


def parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class CidrProblem(str):
    """What is wrong with a CIDR, as the message words it; ``host_bits``: it is a valid network
    but for its host bits (callers offer the network address as the fix)."""

    host_bits: bool

    def __new__(cls, text: str, host_bits: bool = False) -> CidrProblem:
        problem = super().__new__(cls, text)
        problem.host_bits = host_bits
        return problem


def parse_network_strict(text: str) -> tuple[IPNetwork | None, CidrProblem | None]:
    """(network, problem). Host bits set is a problem, reported with the fix."""
    if "/" not in text:
        return None, CidrProblem("is not in CIDR notation (address/prefix)")
    try:
        return ipaddress.ip_network(text.strip(), strict=True), None
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None, CidrProblem("is not a valid IPv4 or IPv6 network")
    return None, CidrProblem(f"has host bits set; the network address is {loose}", host_bits=True)


@functools.lru_cache(maxsize=None)
def parse_interface(text: str) -> IPInterface | None:
    """``address/prefix`` (or a bare address) as an interface, None when it is not one; cached,
    since the rules, the NAD and the cloud-init builders all read each VM address."""
    try:
        return ipaddress.ip_interface(text.strip())
    except ValueError:
        return None


def is_network_or_broadcast(addr: IPAddress, net: IPNetwork) -> str | None:
    if net.num_addresses <= 2:
        return None  # /31, /32 (and v6 /127, /128) have no reserved addresses
    if addr == net.network_address:
        return "the network address"
    if net.version == 4 and addr == net.broadcast_address:
        return "the broadcast address"
    return None


def normalize_mac(text: str) -> str:
    return text.strip().lower().replace("-", ":")


def mac_problem(mac: str) -> str | None:
    first = int(mac[:2], 16)
    if first & 1:
        return "is a multicast address (lowest bit of the first octet set)"
    if mac == "00:00:00:00:00:00":
        return "is the all-zero address"
    return None


def derive_mac(seed: str, salt: int = 0) -> str:
    """A locally administered unicast MAC derived from ``seed``; never 02:00:00:00:00:00."""
    digest = hashlib.sha256(f"{seed}#{salt}".encode()).digest()
    octets = bytearray(digest[:6])
    octets[0] = (octets[0] & 0xFC) | 0x02  # unicast + locally administered
    mac = ":".join(f"{b:02x}" for b in octets)
    if mac == "02:00:00:00:00:00":
        return derive_mac(seed, salt + 1)
    return mac


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def bounded_name(name: str, limit: int = 63) -> str:
    """``name`` if it fits, else a prefix with a stable hash suffix."""
    if len(name) <= limit:
        return name
    suffix = short_hash(name)
    return name[: limit - len(suffix) - 1].rstrip("-") + "-" + suffix
