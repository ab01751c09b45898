"""A network's address families and an interface's addresses, each value parsed once.

Dual-stack (issue 25): a network may have one ``subnet`` per family, and a ``gateway``,
``range`` and ``allocate`` range per family; an interface one ``address`` per family. Each is
written as one string or a list of one per family (SPEC §2). ``gather`` parses them here into
:class:`Family` and :class:`IfaceFacts`; the rules, the lock stage and expansion read these facts
and never parse the text again (issue 19 "parse each value once").
"""

from __future__ import annotations

from kvnet.record import dataclass, field

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.model import POD_NETWORK, VM, Interface, Network
from kvnet.netmath import IPAddress, IPInterface, IPNetwork, parse_interface, parse_ip, parse_network_strict

#: KubeVirt's masquerade binding on a dual-stack pod network: the guest's IPv6 address and the
#: virt-launcher's gateway on the VM side of its NAT, from the default vmIPv6NetworkCIDR
#: fd10:0:2::/120 (kubevirt/kubevirt pkg/virt-launcher/virtwrap/api/defaults.go
#: DefaultVMIpv6CIDR; the first host is the gateway, the second the VM: virt-launcher's
#: GetHostAndGwAddressesFromCIDR, whose unit test maps fd10:0:2::/120 to fd10:0:2::1/120 and
#: fd10:0:2::2/120). KubeVirt's DHCPv6 server hands the guest this address
#: (pkg/network/dhcp/serverv6) but no route, and there are no router adverts
#: (kubevirt/kubevirt#19193), so KubeVirt's own VM examples set it statically with
#: ``gateway6: fd10:0:2::1`` (tools/vms-generator VmiMasquerade networkData; openshift-docs
#: modules/virt-configuring-masquerade-mode-dual-stack.adoc).
MASQUERADE_IPV6 = parse_interface("fd10:0:2::2/120")
MASQUERADE_IPV6_GATEWAY = "fd10:0:2::1"
#: spec.cluster.ipFamilies as Kubernetes spells them (Service spec.ipFamilies) -> version
IP_FAMILIES = {"IPv4": 4, "IPv6": 6}


@dataclass
class Family:
    """One address family of a network: its subnet, gateway, pool (``range``), ``allocate``
    range (with its text, for messages) and ``exclude`` CIDRs, parsed."""

    version: int
    subnet: IPNetwork | None = None
    gateway: IPAddress | None = None
    pool: tuple[IPAddress, IPAddress] | None = None
    allocate: tuple[IPAddress, IPAddress] | None = None
    allocate_text: str | None = None
    excluded: list[IPNetwork] = field(default_factory=list)


@dataclass
class NetFacts:
    """A network's parsed values: one :class:`Family` per address family, in the order the
    plan writes them (issue 25); the properties read the first family, the only one of a
    single-family network."""

    network: Network
    families: dict[int, Family] = field(default_factory=dict)
    broken: bool = False  # a value could not be parsed; dependent checks are skipped

    def family(self, version: int) -> Family:
        """The family ``version``, added (empty) when the network has none yet."""
        return self.families.setdefault(version, Family(version))

    @property
    def primary(self) -> Family | None:
        return next(iter(self.families.values()), None)

    @property
    def subnet(self) -> IPNetwork | None:
        return self.primary.subnet if self.primary is not None else None

    @property
    def gateway(self) -> IPAddress | None:
        return self.primary.gateway if self.primary is not None else None

    @property
    def pool(self) -> tuple[IPAddress, IPAddress] | None:
        return self.primary.pool if self.primary is not None else None

    @property
    def subnets(self) -> list[IPNetwork]:
        """Every parsed subnet, in plan order."""
        return [f.subnet for f in self.families.values() if f.subnet is not None]

    @property
    def gateways(self) -> list[IPAddress]:
        return [f.gateway for f in self.families.values() if f.gateway is not None]


@dataclass(slots=True)
class IfaceFacts:
    """One interface's addresses (issue 19: parsed in ``gather``, read everywhere else).

    ``written``: family -> the plan's address with the prefix it gets (as written, else the
    subnet's of its family, else the host prefix); ``texts``: family -> the value as written;
    ``allocated``: family -> the address kvnet.lock gives it (the lock stage fills it, SPEC §7);
    ``bad``: indexes of written values that are no address; ``twice``: indexes of written
    values of a family an earlier value already has (KV600).
    """

    written: dict[int, IPInterface] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    allocated: dict[int, IPInterface] = field(default_factory=dict)
    bad: list[int] = field(default_factory=list)
    twice: list[int] = field(default_factory=list)

    @property
    def addresses(self) -> list[IPInterface]:
        """Every address the guest gets, IPv4 first: written and allocated."""
        merged = {**self.written, **self.allocated}
        return [merged[v] for v in sorted(merged)]

    @property
    def static(self) -> bool:
        """Whether the interface has any address (written or allocated)."""
        return bool(self.written or self.allocated)


def interface_facts(iface: Interface, families: dict[int, Family] | None) -> IfaceFacts:
    """Parse ``iface``'s written addresses; ``families`` of its network (None: unknown network)."""
    out = IfaceFacts()
    for i, text in enumerate(iface.addresses):
        parsed = parse_interface(text)
        if parsed is None:
            out.bad.append(i)
            continue
        if parsed.version in out.written:
            out.twice.append(i)
            continue
        fam = (families or {}).get(parsed.version)
        if "/" not in text and fam is not None and fam.subnet is not None:
            parsed = parse_interface(f"{parsed.ip}/{fam.subnet.prefixlen}") or parsed
        out.written[parsed.version] = parsed
        out.texts[parsed.version] = text
    return out


def pod_families(ip_families: list[str] | None) -> tuple[int, ...]:
    """The address families of the pod network: spec.cluster.ipFamilies (issue 25), IPv4 when
    not given (KubeVirt's masquerade DHCP is IPv4)."""
    if not ip_families:
        return (4,)
    return tuple(sorted({IP_FAMILIES[f] for f in ip_families if f in IP_FAMILIES})) or (4,)


def iface_key(vm: VM, iface: Interface) -> tuple[str, int]:
    """The key of an interface's facts: (VM name, interface index)."""
    return (vm.name, iface.index)


def is_pod(iface: Interface) -> bool:
    return iface.network == POD_NETWORK


def network_facts(net: Network, diags: list[Diagnostic]) -> NetFacts:
    """Parse ``net``'s per-family values into families (KV210, KV211, KV214, KV215, KV600)."""
    f = NetFacts(net)
    for i, text in enumerate(net.subnets):
        _subnet(f, i, text, diags)
    for i, text in enumerate(net.gateways):
        _gateway(f, i, text, diags)
    for i, ns in enumerate(net.nameservers):
        if parse_ip(ns) is None:
            diags.append(error("KV211", f"network {net.name!r}: nameserver {ns!r} is not an IP address",
                               net.where.at("dns", "nameservers", i)))
    for fname, texts in (("range", net.ranges), ("allocate", net.allocates)):
        for i, text in enumerate(texts):
            got = _range(f, fname, i, text, diags)
            if got is None:
                continue
            fam = f.family(got[0].version)
            if (fam.pool if fname == "range" else fam.allocate) is not None:
                diags.append(second_value(net.name, fname, text, got[0].version, net.at_value(fname, i)))
            elif fname == "range":
                fam.pool = got
            else:
                fam.allocate, fam.allocate_text = got, text
    for i, ex in enumerate(net.exclude):
        _exclude(f, i, ex, diags)
    return f


def second_value(owner: str, fname: str, text: str, version: int, loc: Loc) -> Diagnostic:
    """KV600: a per-family field has two values of one family (issue 25)."""
    return error("KV600", f"{owner}: {fname} {text} is a second IPv{version} value; {fname} takes one "
                 "value per address family", loc,
                 hint=f"keep one IPv{version} {fname}; a dual-stack {fname} is a list of one IPv4 and one IPv6 value")


def _outside(f: NetFacts) -> str:
    return ", ".join(str(s) for s in f.subnets)


def _subnet(f: NetFacts, i: int, text: str, diags: list[Diagnostic]) -> None:
    net = f.network
    subnet, problem = parse_network_strict(text)
    if problem or subnet is None:
        f.broken = True
        hint = None
        if problem and problem.host_bits:
            hint = ("put the network address in 'subnet' and the host's own address on the VM "
                    "interface ('address:')")
        diags.append(error("KV210", f"network {net.name!r}: subnet {text!r} {problem}",
                           net.at_value("subnet", i), hint=hint))
    elif f.family(subnet.version).subnet is not None:
        diags.append(second_value(f"network {net.name!r}", "subnet", text, subnet.version, net.at_value("subnet", i)))
    else:
        f.family(subnet.version).subnet = subnet


def _gateway(f: NetFacts, i: int, text: str, diags: list[Diagnostic]) -> None:
    net = f.network
    at = net.at_value("gateway", i)
    gw = parse_ip(text)
    if gw is None:
        f.broken = True
        diags.append(error("KV214", f"network {net.name!r}: gateway {text!r} is not an IP address", at))
        return
    fam = f.families.get(gw.version)
    if fam is not None and fam.gateway is not None:
        diags.append(second_value(f"network {net.name!r}", "gateway", text, gw.version, at))
        return
    subnet = fam.subnet if fam is not None else None
    if subnet is None and f.subnets:
        diags.append(error("KV214", f"network {net.name!r}: gateway {gw} is outside subnet {_outside(f)}",
                           at, hint="the gateway must be an address inside 'subnet'"))
    elif subnet is not None and gw not in subnet:
        diags.append(error("KV214", f"network {net.name!r}: gateway {gw} is outside subnet {subnet}",
                           at, hint="the gateway must be an address inside 'subnet'"))
    elif subnet is not None and gw in (subnet.network_address, subnet.broadcast_address) and subnet.num_addresses > 2:
        diags.append(error("KV214", f"network {net.name!r}: gateway {gw} is the network or "
                           f"broadcast address of {subnet}", at))
    elif subnet is None and not f.broken:
        diags.append(error("KV214", f"network {net.name!r}: gateway {text!r} needs a subnet",
                           at, hint=f"add 'subnet:' (the network {text} belongs to)"))
    f.family(gw.version).gateway = gw


def _range(f: NetFacts, fname: str, i: int, text: str,
           diags: list[Diagnostic]) -> tuple[IPAddress, IPAddress] | None:
    """``FIRST-LAST`` of ``range`` or ``allocate`` parsed (KV215: not two addresses, reversed,
    mixed families, outside the subnet of its family); None when it has a problem."""
    net = f.network
    at = net.at_value(fname, i)
    first_s, _, last_s = text.partition("-")
    first, last = parse_ip(first_s), parse_ip(last_s)
    if first is None or last is None:
        f.broken = True
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text!r} is not 'FIRST-LAST' of two "
                           "IP addresses", at))
        return None
    if first.version != last.version or first > last:  # type: ignore[operator]
        same_family = first.version == last.version
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text} is reversed or mixes IPv4 and IPv6",
                           at, hint=f"write it as {last_s}-{first_s}" if same_family else None))
        return None
    fam = f.families.get(first.version)
    subnet = fam.subnet if fam is not None else None
    if (subnet is None and f.subnets) or (subnet is not None and (first not in subnet or last not in subnet)):
        diags.append(error("KV215", f"network {net.name!r}: {fname} {text} is outside subnet "
                           f"{subnet or _outside(f)}", at))
        return None
    return first, last


def _exclude(f: NetFacts, i: int, text: str, diags: list[Diagnostic]) -> None:
    net = f.network
    exn, problem = parse_network_strict(text)
    if problem or exn is None:
        diags.append(error("KV215", f"network {net.name!r}: exclude {text!r} {problem}", net.where.at("exclude", i)))
        return
    fam = f.families.get(exn.version)
    subnet = fam.subnet if fam is not None else None
    if (subnet is None and f.subnets) or (subnet is not None and not exn.subnet_of(subnet)):  # type: ignore[arg-type]
        diags.append(error("KV215", f"network {net.name!r}: exclude {text} is outside subnet "
                           f"{subnet or _outside(f)}", net.where.at("exclude", i)))
        return
    f.family(exn.version).excluded.append(exn)
