"""Issue 24: a bridge network's ``trunk`` reaches the node side of netplan and networkd too (the
NNCP's uplink trunks it since 726a022): the bridge filters VLANs and its uplink is a tagged member
of each trunk ID and range (systemd.network(5) [BridgeVLAN] VLAN= takes an ID or a range M-N),
read by systemd-networkd itself and by `netplan generate`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_node_network import PROBLEM, _networkd_reason, run_networkd

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  cluster: {distribution: k3s, nodeNetwork: networkd}
  networks:
    - {name: router, type: bridge, bridge: br-vms, uplink: eno2, trunk: [{id: 30}, {minID: 40, maxID: 42}]}
"""


def _out(kvnet, tmp_path: Path, fmt: str) -> Path:
    (tmp_path / "kvnet.yaml").write_text(PLAN)
    res = kvnet("node-config", str(tmp_path / "kvnet.yaml"), "--format", fmt, "-o", str(tmp_path / fmt))
    assert res.code == 0, res.err
    return tmp_path / fmt / "etc/systemd/network"


@pytest.mark.skipif(_networkd_reason() is not None, reason=str(_networkd_reason()))
def test_networkd_reads_the_trunk(kvnet, tmp_path: Path) -> None:
    net_dir = _out(kvnet, tmp_path, "networkd")
    assert "VLANFiltering=yes" in (net_dir / "10-kvnet-br-vms.netdev").read_text()
    assert "[BridgeVLAN]\nVLAN=30\n\n[BridgeVLAN]\nVLAN=40-42\n" in (net_dir / "10-kvnet-eno2.network").read_text()
    text, links = run_networkd(net_dir, tmp_path)
    assert [line for line in text.splitlines() if PROBLEM.search(line)] == []
    assert links["eno2"].get("master") == "br-vms"


@pytest.mark.skipif(shutil.which("netplan") is None, reason="netplan is not installed (apt netplan.io)")
def test_netplan_dropins_carry_the_trunk(kvnet, tmp_path: Path) -> None:
    dropins = _out(kvnet, tmp_path, "netplan")
    done = subprocess.run(["netplan", "generate", "--root-dir", str(tmp_path / "netplan")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for dropin in dropins.iterdir():
        assert (tmp_path / "netplan/run/systemd/network" / dropin.name.removesuffix(".d")).is_file(), dropin.name
    assert "VLANFiltering=yes" in (dropins / "10-netplan-br-vms.netdev.d/50-kvnet-vlan.conf").read_text()
    assert "VLAN=40-42" in (dropins / "10-netplan-eno2.network.d/50-kvnet-vlan.conf").read_text()
