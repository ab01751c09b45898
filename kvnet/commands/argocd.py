"""``kvnet argocd config``: the argocd-cm settings for kvnet's objects (kvnet.adapters.argocd_config)."""

from __future__ import annotations

import click

from kvnet.adapters.argocd_config import config_map
from kvnet.commands.common import write_stdout
from kvnet.emit import to_yaml


@click.group()
def argocd() -> None:
    """Argo CD helpers."""


@argocd.command("config")
@click.option("-n", "--namespace", default="argocd", show_default=True, help="Argo CD's namespace.")
def config(namespace: str) -> int:
    """Print the argocd-cm keys that teach Argo CD kvnet's objects: health of VirtualMachines and
    NodeNetworkConfigurationPolicies (Lua), and the VM fields KubeVirt sets after admission
    (ignoreDifferences). A ConfigMap patch: kubectl patch configmap argocd-cm -n argocd --patch-file FILE.
    """
    write_stdout(to_yaml([config_map(namespace)]))
    return 0
