"""KV628-KV632 (warnings): what cloudbase-init does not apply of a ConfigDrive VM's
network_data.json (and of a NoCloud VM's data), for a VM that declares ``guest: {renderer: cloudbase-init}`` (Windows,
kubevirt/kubevirt#6268). kvnet cannot see the image, so, as with cloud-init's renderers
(:mod:`kvnet.rules.guest_limits`), the warnings need the declaration; the README's ConfigDrive
table states the limits for everyone.

cloudbase-init 1.1.9 reads the drive with ``ConfigDriveService.get_network_details_v2``
(cloudbaseinit/metadata/services/baseopenstackservice.py) and applies it with the network plugin
(cloudbaseinit/plugins/common/networkconfig.py ``_process_networks``):

- KV628: a network's ``routes``: the parser keeps every route of a static network, but the plugin
  applies only the gateway of the route whose prefix length is 0 (the default route).
- KV629: a network's search domains: the parser reads ``services`` of type ``dns`` addresses only
  (``_parse_dns_data``; the name server service's ``search`` is None), so none reaches Windows.
- KV630: a DHCP NIC's plan settings: only ``ipv4``/``ipv6`` networks are parsed
  (``_parse_network_data_networks`` skips ``ipv4_dhcp``/``ipv6_dhcp``), so a DHCP NIC keeps
  Windows' own DHCP client and gets neither the default route kvnet writes for it (KubeVirt's DHCP
  on a secondary network offers no router) nor its network's DNS servers.

- KV631: the declaration on a NoCloud VM. cloudbase-init's default ``metadata_services``
  (cloudbaseinit/conf/default.py: HttpService, ConfigDriveService, EC2Service, MaaSHttpService,
  CloudStack, OpenNebulaService; cloudbase-init docs "Services") has no
  ``NoCloudConfigDriveService``, so a Windows guest reads no ``cidata`` drive: none of the VM's
  cloud-init data (networkData, userData) is applied. A warning, not an error: an image whose
  cloudbase-init.conf lists that service reads it (accepted with ``# kvnet: ignore[KV631]``).
- KV632: ``guest.cloudInit`` beside ``renderer: cloudbase-init``: a cloud-init version, and a
  cloudbase-init guest runs no cloud-init, so no limit depends on it (it is ignored).

tests/guest/test_configdrive_cloudbase.py drives cloudbase-init 1.1.9 itself and checks each limit
it observes against these warnings.
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, warning
from kvnet.expand.cloudinit import default_route_carriers, guest_addressing
from kvnet.input.facts import Facts
from kvnet.input.model import CONFIG_DRIVE, POD_NETWORK, VM, Plan

#: the ``guest.renderer`` value of a Windows guest whose cloudbase-init applies network_data.json
CLOUDBASE_INIT = "cloudbase-init"
ROUTES = "KV628"
SEARCH = "KV629"
DHCP_NIC = "KV630"
NO_CLOUD_DRIVE = "KV631"
CLOUD_INIT_VERSION = "KV632"
_HINT = "configure it inside the Windows image (or use a Linux guest, whose cloud-init applies it)"


def _dhcp_lost(vm: VM, facts: Facts) -> list[Diagnostic]:
    """KV630 per secondary DHCP NIC that the plan gives a default route or DNS servers."""
    out: list[Diagnostic] = []
    carriers = default_route_carriers(vm, facts)
    for iface in vm.interfaces:
        nf = facts.networks.get(iface.network)
        if not iface.attached or iface.network == POD_NETWORK or nf is None:
            continue
        addrs, dhcp, _static = guest_addressing(iface, nf, facts.iface(vm, iface), facts.pod_families)
        lost = [f"the IPv{f} default route via {fam.gateway}" for f in dhcp
                if carriers.get(f) == iface.index and (fam := nf.families.get(f)) is not None and fam.gateway]
        if dhcp and not addrs and nf.network.nameservers:
            lost.append("its network's DNS servers")  # a static family of the NIC would carry them
        if lost:
            out.append(warning(DHCP_NIC, f"VM {vm.name!r}: interface {iface.network!r} is a DHCP NIC on a "
                               f"cloudbase-init guest, which configures only static networks: {' and '.join(lost)} "
                               "are not applied", iface.where.at("network"), hint=_HINT))
    return out


def _per_network(vm: VM, facts: Facts) -> list[Diagnostic]:
    """KV628 (routes) and KV629 (search domains) once per network the VM is on."""
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for iface in vm.interfaces:
        nf = facts.networks.get(iface.network)
        if not iface.attached or nf is None or iface.network in seen:
            continue
        seen.add(iface.network)
        if nf.network.routes:
            out.append(warning(ROUTES, f"VM {vm.name!r}: network {iface.network!r}'s routes on a cloudbase-init "
                               "guest: it applies only the default route's gateway", nf.network.where.at("routes"),
                               hint=_HINT))
        if nf.network.search:
            out.append(warning(SEARCH, f"VM {vm.name!r}: network {iface.network!r}'s DNS search domains on a "
                               "cloudbase-init guest: it applies DNS servers only",
                               nf.network.where.at("dns", "search"), hint=_HINT))
    return out


def _declaration(vm: VM) -> list[Diagnostic]:
    """KV631 (a NoCloud VM) and KV632 (a cloud-init version) of a declared cloudbase-init guest."""
    out: list[Diagnostic] = []
    guest = vm.guest or {}
    if vm.datasource != CONFIG_DRIVE:
        out.append(warning(NO_CLOUD_DRIVE, f"VM {vm.name!r}: a cloudbase-init guest on the NoCloud datasource: "
                           "cloudbase-init's default metadata services read a ConfigDrive, not NoCloud's cidata "
                           "drive, so Windows applies none of the VM's cloud-init data (networkData, userData)",
                           vm.where.at("guest", "renderer"),
                           hint="set 'cloudInit: {datasource: configDrive}' (KubeVirt's cloudInitConfigDrive); an "
                                "image whose cloudbase-init.conf enables NoCloudConfigDriveService reads it: then "
                                "accept this with '# kvnet: ignore[KV631]: <why>'"))
    if "cloudInit" in guest:
        out.append(warning(CLOUD_INIT_VERSION, f"VM {vm.name!r}: guest.cloudInit {guest['cloudInit']!r} beside "
                           "renderer cloudbase-init: a cloudbase-init guest runs no cloud-init, so the version "
                           "is ignored", vm.where.at("guest", "cloudInit"), hint="remove guest.cloudInit"))
    return out


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV628/KV629/KV630 for each ConfigDrive VM with ``guest.renderer: cloudbase-init``; KV631,
    KV632 for a declaration that cannot hold."""
    out: list[Diagnostic] = []
    for vm in plan.vms:
        if (vm.guest or {}).get("renderer") != CLOUDBASE_INIT:
            continue
        out += _declaration(vm)
        if vm.datasource == CONFIG_DRIVE and vm.network_data == "auto":
            out += _per_network(vm, facts) + _dhcp_lost(vm, facts)
    return out
