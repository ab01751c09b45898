"""Issue 24: a trunk NIC's VLAN sub-interfaces in the guest (interface ``vlans``). The plan's
rules (KV329 no trunk, KV330 id outside the trunk or twice, KV331 address, KV216 an address used
twice on one VLAN of the bridge, across networks), networkData ``vlans:``, and lint/import
reading them back (tests/guest renders them with the real cloud-init; tests/boot boots them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: lab}
spec:
  networks:
    - {name: trunk, type: bridge, bridge: br0, trunk: [{id: 30}, {minID: 40, maxID: 49}]}
    - {name: lan-30, type: bridge, bridge: br0, vlan: 30, subnet: 10.30.0.0/24, gateway: 10.30.0.1}
    - {name: plain, type: bridge, bridge: br1}
  vms:
    - name: router
      image: quay.io/containerdisks/debian:12
      interfaces:
        - network: default
        - network: trunk
          vlans: [{id: 30, address: 10.30.0.5}, {id: 41, address: 10.41.0.5/24}]
    - name: web
      image: quay.io/containerdisks/debian:12
      interfaces: [{network: lan-30, address: 10.30.0.6}]
"""


def _vlans(objs: list[dict[str, Any]], vm: str) -> dict[str, Any]:
    obj = next(o for o in objs if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == vm)
    vol = next(v for v in obj["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v)
    return yaml.safe_load(vol["cloudInitNoCloud"]["networkData"])


def test_network_data_has_the_vlans_and_import_reads_them_back(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "p" / "kvnet.yaml", PLAN)
    res = kvnet("build", str(tmp_path / "p"))
    assert res.code == 0, res.err
    nd = _vlans([d for d in yaml.safe_load_all(res.out) if d], "router")
    assert nd["vlans"] == {"eth1.30": {"id": 30, "link": "eth1", "addresses": ["10.30.0.5/24"]},
                           "eth1.41": {"id": 41, "link": "eth1", "addresses": ["10.41.0.5/24"]}}
    assert set(nd["ethernets"]["eth1"]) == {"match", "set-name"}  # no DHCP on the trunk itself
    out = write(tmp_path / "built.yaml", res.out)
    imp = kvnet("import", str(out))
    assert imp.code == 0, imp.err
    plan = yaml.safe_load(imp.out)
    router = next(v for v in plan["spec"]["vms"] if v["name"] == "router")
    assert router["interfaces"][1]["vlans"] == [{"id": 30, "address": "10.30.0.5/24"},
                                               {"id": 41, "address": "10.41.0.5/24"}]
    write(tmp_path / "again" / "kvnet.yaml", imp.out)
    again = kvnet("build", str(tmp_path / "again"))
    assert again.code == 0, again.err
    assert _vlans([d for d in yaml.safe_load_all(again.out) if d], "router")["vlans"] == nd["vlans"]


@pytest.mark.parametrize(("old", "new", "code", "line", "words"), [
    ("{id: 41, address: 10.41.0.5/24}", "{id: 52, address: 10.41.0.5/24}", "KV330", 15, "not in the trunk"),
    ("{id: 41, address: 10.41.0.5/24}", "{id: 30, address: 10.30.0.7}", "KV330", 15, "given twice"),
    ("{id: 30, address: 10.30.0.5}", "{id: 30, address: 10.31.0.5}", "KV331", 15, "not an address of subnet"),
    ("{id: 30, address: 10.30.0.5}", "{id: 30, address: 10.30.0.1}", "KV331", 15, "is the gateway"),
    ("{id: 41, address: 10.41.0.5/24}", "{id: 41, address: 10.41.0.5}", "KV331", 15, "needs a prefix length"),
    ("{id: 30, address: 10.30.0.5}", "{id: 30, address: nope}", "KV331", 15, "not an IP address"),
    ("- network: trunk\n", "- network: plain\n", "KV329", 15, "has no 'trunk'"),
    ("address: 10.30.0.6}", "address: 10.30.0.5}", "KV216", 18, "already used by VM 'router' (VLAN 30)"),
])
def test_rules(tmp_path: Path, kvnet, old: str, new: str, code: str, line: int, words: str) -> None:
    assert old in PLAN
    write(tmp_path / "kvnet.yaml", PLAN.replace(old, new, 1))
    res = kvnet("validate", str(tmp_path))
    errors = [ln for ln in (res.out + res.err).splitlines() if "error[" in ln]
    assert res.code == 1 and len(errors) == 1, res.out + res.err
    assert f":{line}:" in errors[0] and f"error[{code}]" in errors[0] and words in errors[0], errors[0]


def test_lint_finds_a_vlan_address_used_twice_in_hand_written_manifests(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "p" / "kvnet.yaml", PLAN)
    res = kvnet("build", str(tmp_path / "p"))
    text = res.out.replace('"10.30.0.6/24"', '"10.30.0.5/24"')
    assert text != res.out
    lint = kvnet("lint", str(write(tmp_path / "in.yaml", text)))
    assert lint.code == 1 and "error[KV216]: VM 'web': address 10.30.0.5 is already used by VM 'router' (VLAN 30)" \
        in lint.out, lint.out


DUAL = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: lab}
spec:
  networks:
    - {name: trunk, type: bridge, bridge: br0, trunk: [{minID: 40, maxID: 49}]}
    - {name: lan-42, type: bridge, bridge: br0, vlan: 42, subnet: [10.42.0.0/24, 'fd00:42::/64'],
       gateway: [10.42.0.1, 'fd00:42::1']}
    - {name: lan-43, type: bridge, bridge: br0, vlan: 43, subnet: 10.43.0.0/24}
  vms:
    - name: router
      image: quay.io/containerdisks/debian:12
      interfaces:
        - network: trunk
          vlans: [{id: 42, address: [10.42.0.5, 'fd00:42::5']}, {id: 44, address: ['fd00:44::5/64', 10.44.0.5/24]}]
    - name: web
      image: quay.io/containerdisks/debian:12
      interfaces: [{network: lan-42, address: [10.42.0.6, 'fd00:42::6']}]
"""


def test_a_dual_stack_vlan_gets_both_addresses_and_import_reads_them_back(tmp_path: Path, kvnet) -> None:
    """Issue 25 on issue 24's VLANs: a list of one address per family, each with the prefix of the
    VLAN network's subnet of its family; lint/import read both back (rendered by the real
    cloud-init and netplan in tests/guest/test_guest_vlan_render.py)."""
    write(tmp_path / "p" / "kvnet.yaml", DUAL)
    res = kvnet("build", str(tmp_path / "p"))
    assert res.code == 0, res.err
    nd = _vlans([d for d in yaml.safe_load_all(res.out) if d], "router")
    assert nd["vlans"] == {"eth0.42": {"id": 42, "link": "eth0", "addresses": ["10.42.0.5/24", "fd00:42::5/64"]},
                           "eth0.44": {"id": 44, "link": "eth0", "addresses": ["fd00:44::5/64", "10.44.0.5/24"]}}
    imp = kvnet("import", str(write(tmp_path / "built.yaml", res.out)))
    assert imp.code == 0, imp.err
    router = next(v for v in yaml.safe_load(imp.out)["spec"]["vms"] if v["name"] == "router")
    assert router["interfaces"][0]["vlans"] == [{"id": 42, "address": ["10.42.0.5/24", "fd00:42::5/64"]},
                                               {"id": 44, "address": ["fd00:44::5/64", "10.44.0.5/24"]}]
    write(tmp_path / "again" / "kvnet.yaml", imp.out)
    again = kvnet("build", str(tmp_path / "again"))
    assert again.code == 0, again.err
    assert _vlans([d for d in yaml.safe_load_all(again.out) if d], "router")["vlans"] == nd["vlans"]


@pytest.mark.parametrize(("old", "new", "code", "at", "words"), [
    ("'fd00:42::5']", "'fd00:43::5']", "KV331", "15:49", "not an address of subnet fd00:42::/64"),
    ("'fd00:42::5']", "'fd00:42::1']", "KV331", "15:49", "is the gateway of network 'lan-42'"),
    ("'fd00:42::5']", "10.42.0.7]", "KV600", "15:49", "two IPv4 addresses"),
    ("{id: 42, address: [10.42.0.5, 'fd00:42::5']}", "{id: 43, address: [10.43.0.5, 'fd00:43::5']}", "KV331",
     "15:49", "is IPv6 but network 'lan-43' (VLAN 43) has no IPv6 subnet"),
    ("'fd00:44::5/64'", "'fd00:44::5'", "KV331", "15:84", "needs a prefix length"),
    ("'fd00:42::6']", "'fd00:42::5']", "KV216", "18:59", "address fd00:42::5 is already used by VM 'router' (VLAN 42)"),
])
def test_dual_stack_vlan_rules(tmp_path: Path, kvnet, old: str, new: str, code: str, at: str, words: str) -> None:
    """Each address of a VLAN's list is checked against the subnet of its family and reported
    at its own list item; a second address of one family is KV600."""
    assert old in DUAL
    write(tmp_path / "kvnet.yaml", DUAL.replace(old, new, 1))
    res = kvnet("validate", str(tmp_path))
    errors = [ln for ln in (res.out + res.err).splitlines() if "error[" in ln]
    assert res.code == 1 and len(errors) == 1, res.out + res.err
    assert f":{at}: error[{code}]" in errors[0] and words in errors[0], errors[0]
