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


def _networks(out: str, name: str) -> list[dict]:
    vm = [o for o in yaml.safe_load_all(out) if o and o["kind"] == "VirtualMachine" and o["metadata"]["name"] == name][0]
    vol = [v for v in vm["spec"]["template"]["spec"]["volumes"] if v["name"] == "cloudinitdisk"][0]
    return json.loads(vol["cloudInitConfigDrive"]["networkData"])["networks"]


def test_a_dual_stack_nic_on_configdrive_gets_a_network_of_each_family(tmp_path: Path) -> None:
    """Issue 25: a NIC with an address of each family (written, or allocated by kvnet.lock) gets an
    ``ipv4`` and an ``ipv6`` network on its link, as Nova writes a dual-stack port (before, KV627
    refused it; the real readers are run in tests/guest/test_configdrive_*.py)."""
    write(tmp_path / "kvnet.yaml", DUAL)
    res = run_kvnet("lock", str(tmp_path))
    assert res.code == 0, res.err
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and _codes(res.err) == [] and "KV050" not in res.err, res.err
    win = _networks(res.out, "win")
    assert [(n["id"], n["link"], n["type"], n["ip_address"], n["netmask"]) for n in win] == [
        ("network0", "eth0", "ipv4", "192.168.1.20", "255.255.255.0"),
        ("network0-ipv6", "eth0", "ipv6", "fd00:1::20", "ffff:ffff:ffff:ffff::")]
    lock = yaml.safe_load((tmp_path / "kvnet.lock").read_text())
    held = lock["plans"]["vms/lab"]["lan"]["win2"]
    assert [n["ip_address"] for n in _networks(res.out, "win2")] == [str(a).split("/")[0] for a in held]


# PLAN's header and lan network, with search domains and a route
WINDOWS = PLAN[:PLAN.index("dns:")] + """\
dns: {nameservers: [192.168.1.53], search: [lab.local]}, routes: [{to: 10.0.0.0/8, via: 192.168.1.254}]}
    - {name: dh, type: bridge, bridge: br1, ipam: dhcp, subnet: 10.60.0.0/24, gateway: 10.60.0.1,
       dns: {nameservers: [10.60.0.53]}}
  vms:
    - name: win
      image: quay.io/containerdisks/example:1
      cloudInit: {datasource: configDrive}
      guest: {renderer: cloudbase-init}
      interfaces:
        - {network: dh, defaultRoute: true}
        - {network: lan, address: 192.168.1.20}
"""


def test_what_cloudbase_init_does_not_apply_is_a_warning_on_a_declared_windows_guest(tmp_path: Path) -> None:
    """KV628 (routes), KV629 (search domains), KV630 (a DHCP NIC's planned default route and DNS):
    tests/guest/test_configdrive_cloudbase.py checks them against cloudbase-init itself."""
    write(tmp_path / "kvnet.yaml", WINDOWS)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and res.out, res.err
    found = {tuple(line.rsplit("/", 1)[1].split(": ", 2)[:2]) for line in res.err.splitlines()
             if "warning[KV628]" in line or "warning[KV629]" in line or "warning[KV630]" in line}
    assert found == {("kvnet.yaml:16:21", "warning[KV630]"), ("kvnet.yaml:7:51", "warning[KV629]"),
                     ("kvnet.yaml:7:73", "warning[KV628]")}, res.err
    assert "IPv4 default route via 10.60.0.1 and its network's DNS servers" in res.err, res.err
    write(tmp_path / "kvnet.yaml", WINDOWS.replace("      guest: {renderer: cloudbase-init}\n", ""))
    assert "KV628" not in run_kvnet("build", str(tmp_path)).err  # undeclared guest: the README table says it


def _codes(err: str) -> list[tuple[str, str]]:
    """(file:line:col without the directory, code) of each KV631/KV632 diagnostic."""
    return [(line.split(": ", 1)[0].rsplit("/", 1)[1], code) for line in err.splitlines() for code in ("KV631", "KV632")
            if f"warning[{code}]" in line]


def test_a_cloudbase_init_guest_on_nocloud_or_with_a_cloud_init_version_is_a_warning(tmp_path: Path) -> None:
    """KV631: cloudbase-init's default metadata services read no NoCloud drive
    (tests/guest/test_configdrive_cloudbase.py reads them from cloudbase-init itself); KV632: a
    cloud-init version beside it says nothing. Both at the guest's field; the hint's fix is clean."""
    nocloud = WINDOWS.replace("      cloudInit: {datasource: configDrive}\n", "")
    write(tmp_path / "kvnet.yaml", nocloud)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and res.out, res.err
    assert _codes(res.err) == [("kvnet.yaml:13:25", "KV631")], res.err
    assert "hint: set 'cloudInit: {datasource: configDrive}'" in res.err
    versioned = WINDOWS.replace("guest: {renderer: cloudbase-init}", "guest: {renderer: cloudbase-init, cloudInit: '22.4.2'}")
    write(tmp_path / "kvnet.yaml", versioned)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and _codes(res.err) == [("kvnet.yaml:14:52", "KV632")], res.err
    strict = run_kvnet("build", "--strict", str(tmp_path))
    assert strict.code != 0 and strict.out == ""
    # an image whose cloudbase-init reads NoCloud: the user accepts the warning with a reason
    write(tmp_path / "kvnet.yaml", nocloud.replace(
        "      guest: {renderer: cloudbase-init}\n",
        "      # kvnet: ignore[KV631]: our image's cloudbase-init.conf enables NoCloudConfigDriveService\n"
        "      guest: {renderer: cloudbase-init}\n"))
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0 and _codes(res.err) == [] and "KV050" not in res.err, res.err
