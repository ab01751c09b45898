"""Turn a compiled plan into boot groups (harness.Guest + harness.Segment) and run them.

A group is one namespace: every VM of one plan, booted at once with one renderer, on bridges
per network, so VMs sharing a network reach each other (each pings the others' static addresses
on it). The pod NIC's and pool NICs' addresses are chosen here and become the plan's expectation.
"""
from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from expect import NicIntent, VmIntent, as_list, intents, load

from testlib import run_kvnet


@dataclass
class Compiled:
    plan: dict[str, Any]
    intents: list[VmIntent]
    path: Path


def compile_plan(plan_dir: Path) -> Compiled:
    """``kvnet build`` of ``plan_dir`` (the real program) and the plan's intents."""
    run = run_kvnet("build", str(plan_dir))
    if run.code != 0:
        raise AssertionError(f"kvnet build {plan_dir} failed: {run.err}")
    plan = next(d for d in load((plan_dir / "kvnet.yaml").read_text()) if d.get("kind") == "NetworkPlan")
    lock = plan_dir / "kvnet.lock"
    return Compiled(plan, intents(plan, load(run.out), load(lock.read_text())[0] if lock.is_file() else None),
                    plan_dir)


def _subnets(net: dict[str, Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(str(s), strict=True) for s in as_list(net.get("subnet"))]


def _pool_address(net: dict[str, Any], k: int) -> str:
    """The pool NIC's DHCP lease: IPv4 only, also on a dual-stack pool (KubeVirt's bridge binding
    hands the guest the IPv4 address by DHCP and serves no DHCPv6/RA there: kvnet rule KV601)."""
    subnet = next(s for s in _subnets(net) if s.version == 4)
    return f"{subnet.network_address + 50 + k}/{subnet.prefixlen}"


def _host(net: dict[str, Any], leases: bool) -> list[str]:
    """The bridge's own addresses: the network's gateway of each family, else (a DHCP server needs
    one) the IPv4 subnet's .254."""
    out = []
    for subnet in _subnets(net):  # none: a trunk (its addresses are on VLANs) or no subnet
        gw = next((g for g in as_list(net.get("gateway")) if ipaddress.ip_address(str(g)) in subnet), None)
        if gw is not None:
            out.append(f"{gw}/{subnet.prefixlen}")
        elif leases and subnet.version == 4:
            out.append(f"{subnet.broadcast_address - 1}/{subnet.prefixlen}")
    return out


def _segment(name: str, net: dict[str, Any], vms: list[VmIntent]) -> harness.Segment:
    leases = any(n.kind == "pool" and n.network == net["name"] for vm in vms for n in vm.nics)
    mask = next((str(s.netmask) for s in _subnets(net) if s.version == 4), "255.255.255.0")
    return harness.Segment(name, _host(net, leases), {}, mask)


def group(plans: list[Compiled], renderer: str, guest_vlans: bool = True
          ) -> tuple[list[harness.Guest], list[harness.Segment]]:
    """Guests and segments for booting every VM of ``plans`` at once with ``renderer`` (each plan's
    networks its own bridges); fills in the pod and pool NICs' addresses of the intents (they are
    the harness' DHCP leases). ``guest_vlans`` False: the guests neither wait for their VLAN
    sub-interfaces' addresses nor ping through them (a renderer known to write none: 120 s of
    waiting and 240 s of pinging per guest for nothing)."""
    segments: dict[str, harness.Segment] = {}
    guests: list[harness.Guest] = []
    for compiled in plans:
        guests += _plan_guests(compiled, renderer, segments, len(guests), guest_vlans)
    return guests, list(segments.values())


def _plan_guests(compiled: Compiled, renderer: str, segments: dict[str, harness.Segment],
                 first: int, guest_vlans: bool) -> list[harness.Guest]:
    nets = {n["name"]: n for n in compiled.plan["spec"].get("networks", [])}
    prefix = compiled.path.name + "/"
    guests = []
    for g, vm in enumerate(compiled.intents, start=first):
        nics = []
        for nic in vm.nics:
            if nic.kind == "pod":
                nics.append(harness.Nic(nic.mac, None, ipv6=6 in vm.pod_families))
                continue
            net = nets[nic.network]
            seg = segments.setdefault(prefix + nic.network, _segment(prefix + nic.network, net, compiled.intents))
            if nic.kind == "pool":
                nic.addresses = [_pool_address(net, len(seg.leases))]
                seg.leases[nic.mac] = nic.addresses[0].split("/")[0]
            nics.append(harness.Nic(nic.mac, prefix + nic.network))
        guest = harness.Guest(vm.name, renderer, vm.network_data, vm.user_data, f"{vm.name}.{vm.namespace}", nics)
        guest.pod_index = g
        _pod(vm, guest)
        guests.append(guest)
    for guest, vm in zip(guests, compiled.intents, strict=True):
        guest.wait = [a.split("/")[0] for n in vm.nics for a in n.addresses]
        guest.ping = _peers(vm, compiled.intents)
        if guest_vlans:
            guest.wait += [a.split("/")[0] for n in vm.nics for _v, a in n.vlans]
            guest.ping += _vlan_peers(vm, compiled.intents)
    return guests


def _pod(vm: VmIntent, guest: harness.Guest) -> None:
    """The pod NIC's addresses and routers as the harness' masquerade imitation serves them: the
    DHCP lease and router (IPv4), KubeVirt's fixed fd10:0:2::2/120 via fd10:0:2::1 (IPv6, when the
    plan's cluster is dual-stack)."""
    for nic in vm.nics:
        if nic.kind == "pod":
            address, router = harness.pod_address(guest)
            nic.addresses = [address] if 4 in vm.pod_families else []
            nic.dns = [router]
            gateways = {4: router, 6: harness.POD_IPV6_GATEWAY}
            if 6 in vm.pod_families:
                nic.addresses.append(harness.POD_IPV6)
            for family, gateway in gateways.items():
                if vm.defaults.get(family, (None, ""))[0] == nic.index:
                    vm.defaults[family] = (nic.index, gateway)


def _vlan_peers(vm: VmIntent, all_vms: list[VmIntent]) -> list[str]:
    """The other VMs' addresses on this VM's guest VLANs (same trunk network and VLAN id): tagged
    frames cross the namespace's plain bridge untouched, so two trunk NICs reach each other (this
    host's kernel has neither 802.1Q devices nor bridge VLAN filtering to end a VLAN on)."""
    mine = {(n.network, vid) for n in vm.nics for vid, _a in n.vlans}
    return [a.split("/")[0] for other in all_vms if other is not vm for n in other.nics
            for vid, a in n.vlans if (n.network, vid) in mine]


def _peers(vm: VmIntent, all_vms: list[VmIntent]) -> list[str]:
    """Addresses of the other VMs of the same plan on a network this VM has an address of that
    family on (both families: the guests ping them; traffic stays on the namespace's bridge)."""
    mine = {(n.network, ipaddress.ip_interface(a).version) for n in vm.nics if n.kind in ("static", "pool")
            for a in n.addresses}
    return [a.split("/")[0] for other in all_vms if other is not vm for n in other.nics
            if n.kind in ("static", "pool") for a in n.addresses
            if (n.network, ipaddress.ip_interface(a).version) in mine]


def describe(result: harness.Result) -> str:
    """What to print when a guest differs: its rendered files, cloud-init warnings, console tail."""
    rep = result.report or {}
    files = "\n".join(f"--- {p}\n{t}" for p, t in rep.get("files", {}).items())
    return (f"{result.guest.name} ({result.guest.renderer}) after {result.seconds:.0f} s {result.error}\n"
            f"{files}\n--- cloud-init warnings\n{''.join(rep.get('log', []))}\n"
            f"--- status\n{rep.get('status', '')}\n--- console tail\n{result.console[-3000:]}")


def nic_of(vm: VmIntent, index: int) -> NicIntent:
    return vm.nics[index]


if __name__ == "__main__":  # manual: python runner.py PLAN_DIR RENDERER WORKDIR
    import image

    comp = compile_plan(Path(sys.argv[1]))
    gs, segs = group([comp], sys.argv[2])
    from expect import check
    for res, vm in zip(harness.boot(gs, segs, image.ensure(), Path(sys.argv[3])), comp.intents, strict=True):
        print(res.guest.name, f"{res.seconds:.0f}s", f"{res.cpu or 0:.0f} CPU s", res.error)
        if res.report:
            for f, msg in check(vm, res.report):
                print("  ", f, msg)
        else:
            print(describe(res))
