"""KV625, KV626: what a ConfigDrive guest (``cloudInit.datasource: configDrive``) cannot be told.

kvnet writes OpenStack ``network_data.json`` for it (kvnet/expand/configdrive.py); its readers are
cloud-init (cloudinit/sources/helpers/openstack.py ``convert_net_json``) and cloudbase-init
(cloudbaseinit/metadata/services/baseopenstackservice.py ``get_network_details_v2``).

- KV625 (error): guest VLANs (``vlans:`` on a trunk NIC, issue 24) on a ConfigDrive VM: kvnet writes
  them as netplan ``vlans:`` only; without them the guest would silently get no VLAN interface.
- KV626 (warning): the IPv4 default route is carried by another NIC while a DHCP NIC whose server
  offers a router (the pod NIC: KubeVirt's masquerade DHCP offers 10.0.2.1; an L2 NIC without IPAM
  on a segment with its own DHCP server) stays beside it: netplan's ``use-routes: false`` has no
  OpenStack equivalent, so that DHCP default route competes with the carrier's
  (tests/guest/test_configdrive_render.py, limit ``dhcp-no-default``).

A NIC with an address of each family gets a network of each (issue 25; KV627 refused it before).
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.expand.cloudinit import default_route_carriers, nic_family
from kvnet.input.facts import Facts
from kvnet.input.model import CONFIG_DRIVE, POD_NETWORK, VM, Interface, Plan


def _offers_router(iface: Interface, facts: Facts) -> bool:
    """A DHCP NIC whose DHCP server may offer a router: the pod NIC, or an IPv4 L2 NIC (no IPAM, no address)."""
    if iface.network == POD_NETWORK:
        return True
    nf = facts.networks.get(iface.network)
    return (nf is not None and iface.address is None and nf.network.ipam == "none" and nf.subnet is None
            and nf.network.allocate is None and not iface.vlans)


def _vm_problems(vm: VM, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    carrier = default_route_carriers(vm, facts).get(4)
    for iface in vm.interfaces:
        if not iface.attached:
            continue
        if iface.vlans:
            out.append(error("KV625", f"VM {vm.name!r} interface {iface.network!r}: guest 'vlans' cannot be written "
                             "to ConfigDrive network_data.json (kvnet writes them as netplan vlans only)",
                             iface.where.at("vlans"), hint="use 'cloudInit: {datasource: noCloud}' for this VM, or "
                             "leave the VLANs to the guest's own configuration"))
        nf = facts.networks.get(iface.network)
        if (carrier is not None and carrier != iface.index and nic_family(iface, nf) == 4
                and _offers_router(iface, facts)):
            out.append(warning("KV626", f"VM {vm.name!r} interface {iface.network!r}: ConfigDrive network_data.json "
                               "cannot make this DHCP NIC refuse its DHCP server's router, which then competes with "
                               f"the IPv4 default route of interfaces[{carrier}]", iface.where.at("network"),
                               hint="use the NoCloud datasource (netplan 'use-routes: false'), or let this NIC "
                                    "carry the default route"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for vm in plan.vms:
        if vm.datasource == CONFIG_DRIVE and vm.network_data == "auto":
            out.extend(_vm_problems(vm, facts))
    return out
