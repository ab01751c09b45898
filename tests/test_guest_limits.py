"""A VM's declared guest (``guest: {renderer, cloudInit}``) gets the limits booted Debian 12
guests showed (tests/boot BOOT_LIMITS, README "The booted guest") as warnings KV227-KV229 and KV244; a VM
that declares none, or a renderer without the limit, gets none (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testlib import run_kvnet, write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: g, namespace: g}}
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.1.0/24
      gateway: 192.168.1.1
      dns: {{nameservers: [192.168.1.53]}}
      routes:
        - {{to: 10.20.0.0/16, via: 192.168.1.254, metric: 300}}
  vms:
    - name: vm
      image: quay.io/containerdisks/debian:12
{guest}      interfaces:
        - network: default
        - network: lan
          address: 192.168.1.10/24
          defaultRoute: true
"""


def codes(tmp_path: Path, guest: str) -> list[str]:
    write(tmp_path / "kvnet.yaml", PLAN.format(guest=guest))
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and res.out, res.err
    return sorted(set(re.findall(r"warning\[(KV22[789])\]", res.err)))


@pytest.mark.parametrize(("guest", "want"), [
    ("", []),
    ("      guest: {renderer: netplan, cloudInit: '22.4.2'}\n", []),
    ("      guest: {renderer: network-manager, cloudInit: '22.4.2'}\n", ["KV227", "KV228", "KV229"]),
    ("      guest: {renderer: network-manager}\n", ["KV227", "KV228", "KV229"]),
    ("      guest: {renderer: network-manager, cloudInit: '26.2'}\n", []),
    ("      guest: {renderer: networkd, cloudInit: '22.4.2'}\n", ["KV228"]),
    ("      guest: {renderer: eni, cloudInit: '22.4.2'}\n", ["KV227", "KV228", "KV229"]),
    ("      guest: {renderer: eni, cloudInit: '26.2.0'}\n", ["KV227", "KV229"]),
], ids=["undeclared", "netplan", "nm-22.4", "nm-unknown", "nm-26.2", "networkd-22.4", "eni-22.4", "eni-26.2"])
def test_declared_guest_gets_its_renderers_limits(tmp_path: Path, guest: str, want: list[str]) -> None:
    assert codes(tmp_path, guest) == want


def test_warning_names_the_renderer_and_the_interface(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN.format(guest="      guest: {renderer: network-manager, cloudInit: '22.4.2'}\n"))
    err = run_kvnet("build", str(tmp_path)).err
    line = next(ln for ln in err.splitlines() if "KV227" in ln)
    assert re.match(r"^\S+kvnet\.yaml:\d+:\d+: warning\[KV227\]", line)
    assert "network-manager" in line and "interfaces[0]" in line


def test_an_unknown_renderer_is_a_schema_error(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN.format(guest="      guest: {renderer: wicked}\n"))
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == "" and "error[KV1" in res.err


TRUNK = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: v, namespace: v}}
spec:
  networks:
    - {{name: trunk, type: bridge, bridge: br-trunk, trunk: [{{id: 30}}, {{id: 31}}]}}
  vms:
    - name: vm
      image: quay.io/containerdisks/debian:12
{guest}      interfaces:
        - network: default
        - network: trunk
          vlans: [{{id: 30, address: 10.30.0.11/24}}, {{id: 31, address: 10.31.0.11/24}}]
"""


@pytest.mark.parametrize(("guest", "want"), [
    ("", False),
    ("      guest: {renderer: networkd, cloudInit: '22.4.2'}\n", True),
    ("      guest: {renderer: networkd}\n", True),
    ("      guest: {renderer: networkd, cloudInit: '26.2'}\n", False),
    ("      guest: {renderer: netplan, cloudInit: '22.4.2'}\n", False),
    ("      guest: {renderer: network-manager, cloudInit: '22.4.2'}\n", False),
], ids=["undeclared", "networkd-22.4", "networkd-unknown", "networkd-26.2", "netplan", "nm"])
def test_networkd_guest_vlans_are_warned(tmp_path: Path, guest: str, want: bool) -> None:
    """KV244: cloud-init 22.4.2's networkd renderer writes no .netdev for a trunk NIC's VLANs (the
    booted guest has no eth1.30); the warning points at the interface's ``vlans`` and names both."""
    write(tmp_path / "kvnet.yaml", TRUNK.format(guest=guest))
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and res.out, res.err
    hits = [ln for ln in res.err.splitlines() if "warning[KV244]" in ln]
    assert bool(hits) == want, res.err
    if want:
        assert len(hits) == 1 and re.match(r"^\S+kvnet\.yaml:14:\d+: ", hits[0]), hits
        assert "interfaces[1]" in hits[0] and "(30, 31)" in hits[0], hits
