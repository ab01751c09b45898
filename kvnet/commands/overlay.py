"""``kvnet overlay DIST -o DIR``."""

from __future__ import annotations

import click

from kvnet.overlays import overlay_names, write_overlay
from kvnet.profiles import PROFILES


@click.command()
@click.argument("distribution")
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write kustomization.yaml and its patches into (created).")
def overlay(distribution: str, output_dir: str) -> int:
    """Write the kustomize overlay of upstream Multus v4.3.0 (thin) for DISTRIBUTION.

    DISTRIBUTION is a profile (k3s, rke2, microk8s, k0s, talos, kind, kubeadm, generic)
    or k3s-legacy (k3s before v1.28.15/v1.29.10/v1.30.6/v1.31.2). Apply with
    `kubectl apply -k DIR`.
    """
    if distribution in PROFILES and not PROFILES[distribution].deploy_multus:
        click.echo(f"kvnet: {distribution} manages Multus with its network operator; there is no overlay "
                   f"(kvnet build emits only NADs and VMs for it)", err=True)
        return 2
    if distribution not in overlay_names():
        raise click.UsageError(f"unknown distribution {distribution!r}; one of: {', '.join(overlay_names())}")
    for path in write_overlay(distribution, output_dir):
        click.echo(f"wrote {path}", err=True)
    return 0
