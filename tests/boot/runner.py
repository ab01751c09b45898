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
from expect import NicIntent, VmIntent, intents, load

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


def _pool_address(net: dict[str, Any], k: int) -> str:
    subnet = ipaddress.ip_network(net["subnet"], strict=True)
    return f"{subnet.network_address + 50 + k}/{subnet.prefixlen}"


def _host(net: dict[str, Any], leases: bool) -> list[str]:
    """The bridge's own address: the network's gateway, else (a DHCP server needs one) .254."""
    if not net.get("subnet"):
        return []  # a trunk: its addresses are on VLANs; or a network without subnet
    subnet = ipaddress.ip_network(net["subnet"], strict=True)
    gw = net.get("gateway")
    if gw is not None and ipaddress.ip_address(str(gw)) in subnet:
        return [f"{gw}/{subnet.prefixlen}"]
    if leases:
        return [f"{subnet.broadcast_address - 1}/{subnet.prefixlen}"]
    return []


def _segment(name: str, net: dict[str, Any], vms: list[VmIntent]) -> harness.Segment:
    leases = any(n.kind == "pool" and n.network == net["name"] for vm in vms for n in vm.nics)
    mask = str(ipaddress.ip_network(net["subnet"], strict=True).netmask) if net.get("subnet") else "255.255.255.0"
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
                nics.append(harness.Nic(nic.mac, None))
                continue
            net = nets[nic.network]
            seg = segments.setdefault(prefix + nic.network, _segment(prefix + nic.network, net, compiled.intents))
            if nic.kind == "pool":
                nic.address = _pool_address(net, len(seg.leases))
                seg.leases[nic.mac] = nic.address.split("/")[0]
            nics.append(harness.Nic(nic.mac, prefix + nic.network))
        guest = harness.Guest(vm.name, renderer, vm.network_data, vm.user_data, f"{vm.name}.{vm.namespace}", nics)
        guest.pod_index = g
        _pod(vm, guest)
        guests.append(guest)
    for guest, vm in zip(guests, compiled.intents, strict=True):
        guest.wait = [n.address.split("/")[0] for n in vm.nics if n.address]
        guest.ping = _peers(vm, compiled.intents)
        if guest_vlans:
            guest.wait += [a.split("/")[0] for n in vm.nics for _v, a in n.vlans]
            guest.ping += _vlan_peers(vm, compiled.intents)
    return guests


def _pod(vm: VmIntent, guest: harness.Guest) -> None:
    for nic in vm.nics:
        if nic.kind == "pod":
            nic.address, router = harness.pod_address(guest)
            nic.dns = [router]
            if vm.defaults.get(4, (None, ""))[0] == nic.index:
                vm.defaults[4] = (nic.index, router)


def _vlan_peers(vm: VmIntent, all_vms: list[VmIntent]) -> list[str]:
    """The other VMs' addresses on this VM's guest VLANs (same trunk network and VLAN id): tagged
    frames cross the namespace's plain bridge untouched, so two trunk NICs reach each other (this
    host's kernel has neither 802.1Q devices nor bridge VLAN filtering to end a VLAN on)."""
    mine = {(n.network, vid) for n in vm.nics for vid, _a in n.vlans}
    return [a.split("/")[0] for other in all_vms if other is not vm for n in other.nics
            for vid, a in n.vlans if (n.network, vid) in mine]


def _peers(vm: VmIntent, all_vms: list[VmIntent]) -> list[str]:
    """Addresses of the other VMs of the same plan on a network this VM has an address on (IPv4:
    the guests ping them; traffic stays on the namespace's bridge)."""
    mine = {n.network for n in vm.nics if n.kind in ("static", "pool") and n.address}
    return [n.address.split("/")[0] for other in all_vms if other is not vm for n in other.nics
            if n.kind in ("static", "pool") and n.network in mine and n.address and ":" not in n.address]


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
        print(res.guest.name, f"{res.seconds:.0f}s", res.error)
        if res.report:
            for f, msg in check(vm, res.report):
                print("  ", f, msg)
        else:
            print(describe(res))
