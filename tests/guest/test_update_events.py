"""A plan change reaches a booted guest: cloud-init 22.4.2 and 26.2 re-apply kvnet's networkData on
every boot of the same instance (kvnet.expand.userdata; README "Day 2").

The proof runs cloud-init's own code (update_events_probe.py): NoCloud reads the seed kvnet's VM
carries, cloud-init's user-data processor and cloud-config handler parse its userData,
``stages.update_event_enabled`` decides for each event, and on BOOT the datasource re-reads the
seed, now holding the next plan's networkData. The control case (the userData kvnet wrote before
this change: no ``updates``) shows the check can fail: BOOT is denied, as for every
persistent-disk VM before.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from guest_tools import SYSTEM_PYTHON, Version, versions
from testlib import write

PROBE = Path(__file__).with_name("update_events_probe.py")

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.1.0/24
      gateway: 192.168.1.1
      dns: {{nameservers: [{dns}]}}
      routes: {routes}
  vms:
    - name: web-1
      image: quay.io/containerdisks/debian:12
{cloud_init}      interfaces:
        - network: default
        - network: lan
          address: {address}
"""
FIRST = {"dns": "192.168.1.1", "routes": "[]", "address": "192.168.1.20/24"}
NEXT = {"dns": "192.168.1.53", "routes": "[{to: 10.0.0.0/8, via: 192.168.1.254}]", "address": "192.168.1.21/24"}


def _cloud_init_volume(tmp: Path, kvnet, values: dict[str, str], cloud_init: str = "") -> dict[str, Any]:
    path = write(tmp / "kvnet.yaml", PLAN.format(cloud_init=cloud_init, **values))
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    vm = [o for o in yaml.safe_load_all(res.out) if o and o["kind"] == "VirtualMachine"][0]
    return [v["cloudInitNoCloud"] for v in vm["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v][0]


def _probe(version: Version, tmp: Path, user_data: str, network_data: str, next_network_data: str) -> dict[str, Any]:
    root = tmp / f"ci-{version.name}"
    seed = root / "seed" / "nocloud"
    seed.mkdir(parents=True)
    (seed / "user-data").write_text(user_data)
    (seed / "meta-data").write_text("instance-id: web-1.vms\nlocal-hostname: web-1\n")
    (seed / "network-config").write_text(network_data)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    if version.pythonpath:
        env["PYTHONPATH"] = version.pythonpath
    proc = subprocess.run([str(SYSTEM_PYTHON), str(PROBE)], input=json.dumps(
        {"root": str(root), "network_config_next": next_network_data}), capture_output=True, text=True,
        env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _found() -> list[Version]:
    found, missing = versions()
    if len(found) < 2:
        pytest.skip("; ".join(missing))
    return found


@pytest.mark.parametrize("own_user_data", [False, True], ids=["kvnet-userdata", "user-cloud-config"])
def test_a_changed_plan_is_applied_on_the_next_boot(tmp_path: Path, kvnet, own_user_data: bool) -> None:
    found = _found()
    cloud_init = ("      cloudInit:\n        userData: |\n          #cloud-config\n"
                  "          runcmd: [[touch, /run/x]]\n") if own_user_data else ""
    first = _cloud_init_volume(tmp_path / "a", kvnet, FIRST, cloud_init)
    nxt = _cloud_init_volume(tmp_path / "b", kvnet, NEXT, cloud_init)
    assert first["userData"] == nxt["userData"] and first["networkData"] != nxt["networkData"]
    for version in found:
        got = _probe(version, tmp_path, first["userData"], first["networkData"], nxt["networkData"])
        assert got["updates"] == {"network": {"when": ["boot-new-instance", "boot"]}}, version
        assert got["events"] == {"boot-new-instance": True, "boot": True, "boot-legacy": False,
                                 "hotplug": False}, (version, got["events"])
        assert got["refreshed"], version
        lan = got["network_config"]["ethernets"]["eth1"]
        assert lan["addresses"] == ["192.168.1.21/24"], (version, lan)  # the old address is gone
        assert lan["nameservers"]["addresses"] == ["192.168.1.53"], (version, lan)
        assert {"to": "10.0.0.0/8", "via": "192.168.1.254"} in lan["routes"], (version, lan)


def test_without_update_events_the_booted_guest_keeps_its_first_config(tmp_path: Path, kvnet) -> None:
    """The control: the userData kvnet wrote before (no ``updates``) leaves BOOT denied, so the next
    plan's networkData is not even read on a later boot (kubevirt/kubevirt#6733)."""
    found = _found()
    first = _cloud_init_volume(tmp_path / "a", kvnet, FIRST)
    nxt = _cloud_init_volume(tmp_path / "b", kvnet, NEXT)
    for version in found:
        got = _probe(version, tmp_path, "#cloud-config\n", first["networkData"], nxt["networkData"])
        assert got["updates"] is None
        assert got["events"]["boot-new-instance"] and not got["events"]["boot"], (version, got["events"])
        assert not got["refreshed"], version
        assert got["network_config"]["ethernets"]["eth1"]["addresses"] == ["192.168.1.20/24"], version
