"""Interface addresses against their network: subnet, gateway, pools, duplicates."""

from __future__ import annotations

import ipaddress

from kvnet.diagnostics import Diagnostic, error
from kvnet.input.facts import Facts
from kvnet.input.model import POD_NETWORK, Network, Plan
from kvnet.netmath import is_network_or_broadcast, parse_interface


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    taken: dict[tuple[str, str], str] = {}
    for vm in plan.vms:
        for iface in vm.interfaces:
            nf = facts.networks.get(iface.network)
            at = iface.where.at("address")
            if iface.network == POD_NETWORK:
                if iface.address is not None:
                    out.append(error("KV219", f"VM {vm.name!r}: the pod network gets its address from the cluster; "
                                     "'address' cannot be set on it", at))
                continue
            if nf is None:
                continue
            net = nf.network
            pool = net.address_pool
            if pool is not None:
                from kvnet.rules.bindings import binding_of

                binding = binding_of(iface, net.type)
                if binding != "bridge":
                    out.append(error("KV219", f"VM {vm.name!r}: network {net.name!r} ({_pool(net)}) gives its "
                                     f"address to the pod; only KubeVirt's 'bridge' binding hands it on to the guest "
                                     f"(by DHCP), the {binding!r} binding does not",
                                     iface.where.at("binding") if iface.binding else iface.where.at("network"),
                                     hint="use 'ipam: none' (the guest's own DHCP client asks the segment's DHCP "
                                          "server, or give 'address:') or 'ipam: static' with 'address:'"))
                    continue
            if iface.address is None:
                if net.ipam == "static" and net.allocate is None:  # with allocate: kvnet.lock (KV280)
                    out.append(error("KV218", f"VM {vm.name!r}: network {net.name!r} has ipam 'static', so the "
                                     "interface needs 'address'", iface.where.at("network"),
                                     hint=f"add e.g. 'address: {_example(nf.subnet)}'"))
                continue
            if pool is not None:
                fix = ("remove 'address', or remove 'subnet' from the network (OVN-Kubernetes then only switches "
                       "frames and the guest's addresses come from the plan)" if pool == "OVN-Kubernetes"
                       else "remove 'address', or use 'ipam: static' on the network")
                out.append(error("KV219", f"VM {vm.name!r}: network {net.name!r} assigns addresses from its "
                                 f"{pool} pool; 'address' cannot be set", at, hint=fix))
                continue
            addr_if = parse_interface(iface.address)
            if addr_if is None:
                out.append(error("KV211", f"VM {vm.name!r}: address {iface.address!r} is not an IP address", at))
                continue
            addr = addr_if.ip
            has_prefix = "/" in iface.address
            subnet = nf.subnet
            if subnet is None:
                if nf.broken:
                    continue
                if not has_prefix:
                    out.append(error("KV211", f"VM {vm.name!r}: address {iface.address!r} needs a prefix length "
                                     f"because network {net.name!r} has no subnet", at,
                                     hint=f"write {iface.address}/24 (or the right length), "
                                          "or set 'subnet' on the network"))
                    continue
                if addr_if.network.num_addresses > 2 and is_network_or_broadcast(addr, addr_if.network):
                    what = is_network_or_broadcast(addr, addr_if.network)
                    out.append(error("KV212", f"VM {vm.name!r}: address {iface.address} is {what} of "
                                     f"{addr_if.network}", at, hint="pick a host address inside the network"))
                    continue
            else:
                if addr.version != subnet.version or addr not in subnet:
                    out.append(error("KV211", f"VM {vm.name!r}: address {iface.address} is outside subnet "
                                     f"{subnet} of network {net.name!r}", at,
                                     hint=f"pick an address in {subnet}, e.g. {_example(subnet)}"))
                    continue
                if has_prefix and addr_if.network.prefixlen != subnet.prefixlen:
                    out.append(error("KV211", f"VM {vm.name!r}: address {iface.address} has prefix "
                                     f"/{addr_if.network.prefixlen} but subnet {subnet} is /{subnet.prefixlen}", at,
                                     hint=f"write {addr}/{subnet.prefixlen} or just {addr}"))
                    continue
                what = is_network_or_broadcast(addr, subnet)
                if what:
                    out.append(error("KV212", f"VM {vm.name!r}: address {addr} is {what} of subnet {subnet}", at,
                                     hint=f"pick a host address, e.g. {_example(subnet)}"))
                    continue
            if nf.gateway is not None and addr == nf.gateway:
                out.append(error("KV213", f"VM {vm.name!r}: address {addr} is the gateway of network {net.name!r}",
                                 at, hint="the gateway belongs to the router; pick another address"))
                continue
            key = (net.name, str(addr))
            if key in taken:
                out.append(error("KV216", f"VM {vm.name!r}: address {addr} is already used on network "
                                 f"{net.name!r} by {taken[key]}", at))
            else:
                taken[key] = f"VM {vm.name!r}"
    return out


def _pool(net: Network) -> str:
    return f"ipam {net.ipam!r}" if net.address_pool == net.ipam else f"{net.type} with subnet {net.subnet}"


def _example(subnet: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> str:
    if subnet is None:
        return "192.168.1.20/24"
    host = subnet.network_address + min(20, max(subnet.num_addresses - 2, 0))
    return f"{host}/{subnet.prefixlen}"
