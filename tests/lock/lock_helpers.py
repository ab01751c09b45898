"""Plans with allocating networks, and reading what kvnet made of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

HEAD = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: {name}
{ns}spec:
"""


def network(name: str = "lan", subnet: str = "192.168.1.0/24", allocate: str = "192.168.1.20-192.168.1.99",
            gateway: str | None = "192.168.1.1", ipam: str = "static", extra: str = "") -> str:
    gw = f"      gateway: {gateway}\n" if gateway else ""
    return (f"    - name: {name}\n      type: bridge\n      bridge: br-{name}\n      subnet: {subnet}\n{gw}"
            f"      ipam: {ipam}\n      allocate: {allocate}\n{extra}")


def vm(name: str, *nets: str, address: dict[str, str] | None = None) -> str:
    lines = [f"    - name: {json.dumps(name)}", "      image: quay.io/containerdisks/fedora:40", "      interfaces:",
             "        - network: default"]
    for n in nets:
        lines.append(f"        - network: {n}")
        if address and n in address:
            lines.append(f"          address: {address[n]}")
    return "\n".join(lines) + "\n"


def plan(networks: list[str], vms: list[str], name: str = "lab", namespace: str | None = "vms") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    text = HEAD.format(name=name, ns=ns)
    if networks:
        text += "  networks:\n" + "".join(networks)
    if vms:
        text += "  vms:\n" + "".join(vms)
    return text


def lock_entries(directory: Path) -> dict[str, Any]:
    """plans: plan key -> network -> VM -> address, as any YAML reader sees kvnet.lock."""
    data = yaml.safe_load((directory / "kvnet.lock").read_text())
    assert data["apiVersion"] == "kvnet.dev/v1alpha1" and data["kind"] == "AddressLock"
    return data["plans"] or {}


def objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def nad_address(objs: list[dict[str, Any]], name: str) -> str:
    nad = [o for o in objs if o["kind"] == "NetworkAttachmentDefinition" and o["metadata"]["name"] == name][0]
    return str(json.loads(nad["spec"]["config"])["ipam"]["addresses"][0]["address"])


def network_data(objs: list[dict[str, Any]], vm_name: str) -> str:
    vm_obj = [o for o in objs if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == vm_name][0]
    vols = vm_obj["spec"]["template"]["spec"]["volumes"]
    return str([v["cloudInitNoCloud"] for v in vols if "cloudInitNoCloud" in v][0]["networkData"])
