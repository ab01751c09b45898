"""KV622-KV624: addresses that stay with a VM (persistent IPs, IPAMClaims) and pools that do not.

- KV622 (error): ``allowPersistentIPs`` on a network whose IPAM does not honour IPAMClaims
  (kvnet/nettypes/ipam.py: host-local, whereabouts, dhcp; ``none``/``static`` hold the plan's
  address already). kubevirt/ipam-extensions would create the claims and point the virt-launcher
  pod at them (``ipam-claim-reference``, multi-net-spec v1.3 4.1.2.1.11), the IPAM would ignore
  them, and the VM would still be re-addressed.
- KV623 (warning): a VM on an ``allowPersistentIPs`` network whose IPAM honours the claims
  (OVN-Kubernetes, kvnet/nettypes/ovn.py), with a distribution (spec.cluster or
  ``--distribution``) that does not bring what creates and honours them, as KV266 does for
  OVN-Kubernetes itself: kubevirt/ipam-extensions (controller and pod webhook, whose certificate
  needs cert-manager off OpenShift: hyperconverged-cluster-operator#3006), the IPAMClaim CRD
  (k8snetworkplumbingwg/ipamclaims) and OVN-Kubernetes started with ``--enable-persistent-ips``
  (go-controller/pkg/config/config.go ``EnablePersistentIPs``). KubeVirt has no PersistentIPs
  feature gate: kubevirt/kubevirt#11410, which proposed one, was closed unmerged, and the
  claims moved to ipam-extensions. OpenShift brings all three: its network operator installs
  the CRD and enables the flag (persistent IPs GA in 4.18, openshift/cluster-network-operator#2737)
  and the HyperConverged operator deploys ipam-extensions by default (#3189).
- KV624 (warning): a live-migratable VM on a pool network whose addresses do not persist
  (whereabouts, dhcp, an OVN-Kubernetes subnet without ``allowPersistentIPs``; host-local is
  KV281's): its virt-launcher pod gets a new address on a restart (whereabouts#500) and the
  migration target pod another one while the guest keeps the old (kubevirt/kubevirt#14320,
  #13709). Live-migratable as far as networks go: kubevirt/kubevirt pkg/network/vmispec/interface.go
  ``VerifyVMIMigratable`` (no pod network, masquerade on it, or a binding plugin registered with
  ``migration``; kvnet/nettypes/bindings.py ``migrates``).
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, error, warning
from kvnet.input.facts import Facts, binding_of, network_type
from kvnet.input.model import POD_NETWORK, VM, Network, Plan
from kvnet.nettypes.bindings import migrates
from kvnet.nettypes.ipam import HOST_LOCAL, plan_ipam

HOLDS_TODAY = ("give the network 'ipam: static' (or none) with 'allocate: START-END': kvnet keeps each VM's "
               "address in kvnet.lock and writes it into the plan, so it holds across restart and live migration")
PREREQUISITES = ("deploy kubevirt/ipam-extensions (the kubevirt-ipam-controller and its pod webhook, with "
                 "cert-manager for the webhook's certificate), the IPAMClaim CRD (k8snetworkplumbingwg/ipamclaims) "
                 "and start OVN-Kubernetes with --enable-persistent-ips; KubeVirt needs no feature gate for it")
#: distributions that bring ipam-extensions, the IPAMClaim CRD and OVN-Kubernetes' persistent IPs
PERSISTENT_IPS_BUILT_IN = ("openshift",)


def _claims(net: Network) -> tuple[str, str | None, bool] | None:
    """(who assigns the addresses, where it honours IPAMClaims or None, whether from a pool);
    None: nothing assigns addresses kvnet can speak of (an external NAD, an OVN network without
    subnet: KV233)."""
    entry = nettypes.get(net.type)
    if entry is not None and entry.ipam_owner is not None:
        if net.address_pool is None:
            return None
        return net.address_pool, entry.ipam_claims, True
    ipam = plan_ipam(net.ipam) if entry is not None and entry.cni_type is not None else None
    return None if ipam is None else (ipam.name, ipam.claims, ipam.pool)


def live_migratable(vm: VM) -> bool:
    """Whether KubeVirt lets ``vm`` live-migrate as far as its networks go (module docstring)."""
    pod = next((i for i in vm.interfaces if i.network == POD_NETWORK and i.attached), None)
    return pod is None or migrates(binding_of(pod, network_type({}, POD_NETWORK)))


def _not_honoured(net: Network, who: str) -> Diagnostic:
    ipam = plan_ipam(net.ipam)
    why = ipam.why if ipam is not None else f"{who} does not honour IPAMClaims"
    return error("KV622", f"network {net.name!r}: allowPersistentIPs, but its IPAM ({who}) does not honour "
                 f"IPAMClaims: {why}", net.where.at("allowPersistentIPs"),
                 hint=f"remove allowPersistentIPs and {HOLDS_TODAY}")


def _names(vms: list[str]) -> str:
    shown = ", ".join(repr(v) for v in vms[:3])
    return ("VM " if len(vms) == 1 else "VMs ") + shown + (f" and {len(vms) - 3} more" if len(vms) > 3 else "")


def _moving(net: Network, who: str, vms: list[str]) -> Diagnostic:
    entry = nettypes.get(net.type)
    own = entry is not None and entry.ipam_owner is not None and entry.ipam_claims is not None
    at = net.where.at("subnet") if own else net.where.at("ipam")
    hint = ("set 'allowPersistentIPs: true' (OVN-Kubernetes then keeps each VM's address in an IPAMClaim), "
            f"or {HOLDS_TODAY}") if own else HOLDS_TODAY
    return warning("KV624", f"network {net.name!r}: {who} hands out addresses per pod without IPAMClaims, and "
                   f"{_names(vms)} can live-migrate: the migration target pod gets another address while the "
                   "guest keeps the old one, which is then free for another VM (kubevirt/kubevirt#14320, "
                   "#13709), and a restart gets a new one (whereabouts#500)", at, hint=hint)


def _users(plan: Plan) -> dict[str, list[VM]]:
    """Network name -> the VMs with an attached interface on it (plan order, once each)."""
    users: dict[str, list[VM]] = {}
    seen: set[tuple[str, int]] = set()
    for vm in plan.vms:
        for iface in vm.interfaces:
            on = users.setdefault(iface.network, [])
            if iface.attached and iface.network != POD_NETWORK and (iface.network, id(vm)) not in seen:
                seen.add((iface.network, id(vm)))
                on.append(vm)
    return users


def _prerequisites(nets: list[Network], facts: Facts) -> list[Diagnostic]:
    """KV623 once, at the first network, when the distribution does not bring the claims."""
    profile = facts.profile
    if not nets or profile is None or profile.distribution in PERSISTENT_IPS_BUILT_IN:
        return []
    names = ", ".join(repr(n.name) for n in nets)
    return [warning("KV623", f"network{'s' if len(nets) > 1 else ''} {names}: allowPersistentIPs keeps each VM's "
                    "address only where the cluster creates and honours IPAMClaims, which "
                    f"{profile.distribution} does not bring", nets[0].where.at("allowPersistentIPs"),
                    hint=PREREQUISITES)]


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV622/KV623/KV624 (module docstring), per network in plan order."""
    users = _users(plan)
    out: list[Diagnostic] = []
    claimed: list[Network] = []
    for net in plan.networks:
        found = _claims(net)
        if found is None:
            continue
        who, claims, pool = found
        if net.allow_persistent_ips and claims is None:
            out.append(_not_honoured(net, who))
        elif net.allow_persistent_ips and users.get(net.name):
            claimed.append(net)
        elif pool and not net.allow_persistent_ips and net.ipam != HOST_LOCAL:  # KV281's
            moving = [vm.name for vm in users.get(net.name, []) if live_migratable(vm)]
            if moving:
                out.append(_moving(net, who, moving))
    return out + _prerequisites(claimed, facts)
