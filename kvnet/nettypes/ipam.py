"""The plan's ``ipam`` values as data: which hand each pod an address from a pool, and which
honour IPAMClaims (``allowPersistentIPs``: the address stays with the VM across restart and live
migration; k8snetworkplumbingwg multi-net-spec v1.3 section 8.2, kubevirt/ipam-extensions README).

A pool IPAM without claims gives a VM's new virt-launcher pod a new address: on a restart
(k8snetworkplumbingwg/whereabouts#500) and on live migration, where the target pod gets another
address while the guest keeps the old one (kubevirt/kubevirt#7967 host-local, #14320 and #13709
whereabouts: the old address is then handed to another VM). ``allocate:`` (kvnet.lock, SPEC §7)
writes the address into the plan instead, which holds across both.

This module imports nothing of kvnet.
"""

from __future__ import annotations

from kvnet.record import dataclass


@dataclass(frozen=True)
class PlanIpam:
    """One value of a network's ``ipam``.

    - ``pool``: the plugin hands each pod an address from a pool (the plan gives none)
    - ``claims``: where it is documented to honour IPAMClaims, with the source (None: it does not)
    - ``why``: what becomes of a VM's address instead, with the source
    """

    name: str
    pool: bool
    claims: str | None
    why: str


#: the per-node pool KV281 warns about (kvnet/rules/host_local.py); KV624 leaves it to KV281
HOST_LOCAL = "host-local"

IPAMS: tuple[PlanIpam, ...] = (
    PlanIpam("none", False, None, "no IPAM assigns addresses: the interface's 'address' (or allocate:) is the "
             "VM's across restarts and migrations already"),
    PlanIpam("static", False, None, "the CNI static IPAM holds the interface's own address (one NAD per VM), "
             "which stays the VM's already"),
    PlanIpam(HOST_LOCAL, True, None, "host-local keeps its leases in files on each node, per container "
             "(containernetworking/plugins plugins/ipam/host-local): no IPAMClaim support"),
    PlanIpam("whereabouts", True, None, "no released whereabouts honours IPAMClaims (the request is "
             "k8snetworkplumbingwg/whereabouts#557, its implementation PR #742 is not merged): it allocates per "
             "pod and frees the address with the pod"),
    PlanIpam("dhcp", True, None, "the CNI dhcp plugin leases per container, its client ID made from the "
             "container ID (containernetworking/plugins plugins/ipam/dhcp): no IPAMClaim support"),
)
_BY_NAME = {i.name: i for i in IPAMS}


def plan_ipam(name: str) -> PlanIpam | None:
    """The entry of plan ``ipam: name`` (None: a value the plan schema refuses)."""
    return _BY_NAME.get(name)


def pool_without_claims() -> tuple[str, ...]:
    """The ``ipam`` values that re-address a VM's new pod (KV624, KV281's hint)."""
    return tuple(i.name for i in IPAMS if i.pool and i.claims is None)
