"""Generate a large NetworkPlan for benchmarks and determinism tests."""

from __future__ import annotations

import argparse
import sys


def networks(n_networks: int, allocated: bool = False) -> list[str]:
    """``allocated``: every network has ipam none or static with an ``allocate`` range (SPEC §7)."""
    out = []
    for n in range(n_networks):
        ipam = ("none", "static")[n % 2] if allocated else ("none", "static", "host-local")[n % 3]
        lines = [f"    - name: net{n:02d}", "      type: bridge", f"      bridge: br{n:02d}",
                 f"      vlan: {100 + n}", f"      subnet: 10.{n}.0.0/16", f"      gateway: 10.{n}.0.1",
                 f"      ipam: {ipam}"]
        if ipam == "host-local":
            lines.append(f"      range: 10.{n}.200.1-10.{n}.250.254")
        if allocated:
            lines.append(f"      allocate: 10.{n}.1.0-10.{n}.199.255")
        out.append("\n".join(lines))
    return out


def vm(i: int, n_networks: int, nics: int, allocated: bool = False) -> str:
    """A VM with the pod NIC and ``nics - 1`` more; ``allocated``: none of them has an address."""
    lines = [f"    - name: vm-{i:05d}", "      cpu: 2", "      memory: 2Gi",
             "      image: quay.io/containerdisks/ubuntu:22.04",
             "      cloudInit:", "        userData: |", "          #cloud-config",
             f"          hostname: vm-{i:05d}", "      interfaces:", "        - network: default"]
    for k in range(nics - 1):
        n = (i + k * 7) % n_networks
        lines.append(f"        - network: net{n:02d}")
        if not allocated and n % 3 != 2:  # not a pool network: give a static address
            lines.append(f"          address: 10.{n}.{(i // 250) + 1}.{(i % 250) + 2}")
    return "\n".join(lines)


def header(name: str = "bench", namespace: str = "vms") -> str:
    return (f"apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\nspec:\n")


def plan_text(n_vms: int = 1000, n_networks: int = 20, nics: int = 3, allocated: bool = False) -> str:
    return (header() + "  networks:\n" + "\n".join(networks(n_networks, allocated)) + "\n  vms:\n"
            + "\n".join(vm(i, n_networks, nics, allocated) for i in range(n_vms)) + "\n")


def split_plan(n_vms: int, n_networks: int, nics: int, parts: int) -> list[str]:
    """The same plan as ``parts`` + 1 documents: networks first, then VM slices."""
    docs = [header() + "  networks:\n" + "\n".join(networks(n_networks)) + "\n"]
    per = (n_vms + parts - 1) // parts
    for p in range(parts):
        chunk = range(p * per, min(n_vms, (p + 1) * per))
        docs.append(header() + "  vms:\n" + "\n".join(vm(i, n_networks, nics) for i in chunk) + "\n")
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vms", type=int, default=1000)
    ap.add_argument("--networks", type=int, default=20)
    ap.add_argument("--nics", type=int, default=3)
    ap.add_argument("--allocated", action="store_true",
                    help="networks with 'allocate:' and interfaces without addresses (kvnet lock, SPEC §7)")
    args = ap.parse_args(argv)
    sys.stdout.write(plan_text(args.vms, args.networks, args.nics, args.allocated))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
