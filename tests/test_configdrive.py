"""ConfigDrive datasource (issue 25 part 4): the VM gets a cloudInitConfigDrive volume with
OpenStack network_data.json (its readers are run in tests/guest/test_configdrive_*.py), ssh keys
propagate by KubeVirt's configDrive method, and what the format cannot carry is KV625/KV626."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from testlib import run_kvnet, write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: lan, type: bridge, bridge: br0, subnet: 192.168.1.0/24, gateway: 192.168.1.1,
       dns: {nameservers: [192.168.1.53]}}
    - {name: l2, type: bridge, bridge: br1}
  vms:
    - name: win
      image: quay.io/containerdisks/example:1
      cloudInit: {datasource: configDrive}
      sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGV4YW1wbGUta2V5LWZvci1kb2NzLW9ubHk alice@laptop"]
      interfaces:
        - network: default
        - {network: lan, address: 192.168.1.20, defaultRoute: true}
        - network: l2
"""


def _vm(out: str) -> dict:
    return [o for o in yaml.safe_load_all(out) if o and o["kind"] == "VirtualMachine"][0]


def test_configdrive_volume_and_key_propagation(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0, res.err
    spec = _vm(res.out)["spec"]["template"]["spec"]
    vol = [v for v in spec["volumes"] if v["name"] == "cloudinitdisk"][0]
    assert "cloudInitNoCloud" not in vol
    data = json.loads(vol["cloudInitConfigDrive"]["networkData"])
    assert [lnk["id"] for lnk in data["links"]] == ["eth0", "eth1", "eth2"]
    assert [n["type"] for n in data["networks"]] == ["ipv4_dhcp", "ipv4", "ipv4_dhcp"]
    assert spec["accessCredentials"][0]["sshPublicKey"]["propagationMethod"] == {"configDrive": {}}
    # the pod NIC (masquerade DHCP offers a router) and the L2 NIC stay beside the carrier: KV626 twice
    assert res.err.count("warning[KV626]") == 2, res.err
    assert "kvnet.yaml:15:20: warning[KV626]" in res.err, res.err


def test_configdrive_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN)
    assert run_kvnet("build", str(tmp_path)).out == run_kvnet("build", str(tmp_path)).out


DUAL = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: lan, type: bridge, bridge: br0, subnet: [192.168.1.0/24, "fd00:1::/64"],
       allocate: [192.168.1.100-192.168.1.110, "fd00:1::100-fd00:1::110"]}
  vms:
    - name: win
      image: quay.io/containerdisks/example:1
      cloudInit: {datasource: configDrive}
      interfaces:
        - {network: lan, address: [192.168.1.20, "fd00:1::20"]}
    - name: win2
      image: quay.io/containerdisks/example:1
      cloudInit: {datasource: configDrive}
      interfaces:
        - network: lan
"""


def test_a_dual_stack_nic_on_configdrive_is_refused_not_silently_halved(tmp_path: Path) -> None:
    """KV627: network_data.json as kvnet writes it carries one family per link; before, the IPv6
    address (written, or allocated by kvnet.lock) was dropped without a word."""
    write(tmp_path / "kvnet.yaml", DUAL)
    res = run_kvnet("lock", str(tmp_path))
    assert res.code == 0, res.err
    res = run_kvnet("build", str(tmp_path))
    assert res.code != 0 and res.out == "", res.out
    lines = [line for line in res.err.splitlines() if "[KV627]" in line]
    assert len(lines) == 2, res.err
    assert "kvnet.yaml:13:50: error[KV627]" in lines[0] and "'win'" in lines[0], res.err  # the IPv6 item
    assert "kvnet.yaml:18:20: error[KV627]" in lines[1] and "'win2'" in lines[1], res.err  # allocated in both families
    single = DUAL.replace(', "fd00:1::20"', "").replace(', "fd00:1::/64"', "").replace(', "fd00:1::100-fd00:1::110"', "")
    write(tmp_path / "kvnet.yaml", single)
    (tmp_path / "kvnet.lock").unlink()
    assert run_kvnet("lock", str(tmp_path)).code == 0
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and "KV627" not in res.err, res.err
