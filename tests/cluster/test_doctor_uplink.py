"""kvnet doctor: a node bridge and its uplink port (SPEC §9). The sysfs layout is the kernel's
(``/sys/class/net/<br>/bridge``, ``brif/<port>``, ``<nic>/master``); the fix commands run for
real through iproute2 in a throwaway network namespace when the machine allows it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  networks:
    - {{name: lan, type: bridge, bridge: br-lan{uplink}}}
"""
SYS = "sys/class/net"


def node(tmp_path: Path, *, bridge: bool = True, ports: tuple[str, ...] = (), nics: tuple[str, ...] = ("eth1",),
         master: dict[str, str] | None = None) -> Path:
    root = tmp_path / "node"
    (root / "opt/cni/bin").mkdir(parents=True)
    for nic in nics:
        (root / SYS / nic).mkdir(parents=True)
    for nic, br in (master or {}).items():
        os.symlink(f"../{br}", root / SYS / nic / "master")
    if bridge:
        (root / SYS / "br-lan/bridge").mkdir(parents=True)
        (root / SYS / "br-lan/brif").mkdir(parents=True)
        for port in ports:
            os.symlink(f"../../{port}/brport", root / SYS / "br-lan/brif" / port)
    return root


def doctor(kvnet, tmp_path: Path, root: Path, uplink: str | None) -> dict[tuple[str, str], dict]:
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(PLAN.format(uplink=f", uplink: {uplink}" if uplink else ""))
    res = kvnet("doctor", "--root", str(root), "--distribution", "generic", "--plan", str(plan), "--format", "json")
    report = json.loads(res.out)
    return {(f["check"], f["subject"]): f for f in report["findings"] if f["check"] in ("bridge", "uplink")}


def test_uplink_not_enslaved_is_an_error_with_the_fix_and_the_caution(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path), "eth1")
    f = found[("uplink", "eth1")]
    assert f["severity"] == "error" and "not a port of node bridge br-lan" in f["message"]
    assert f["fix"] == "ip link set eth1 master br-lan && ip link set eth1 up"
    assert "cuts the node off" in f["caution"]
    assert "ip addr del A dev eth1 && ip addr add A dev br-lan" in f["caution"]
    assert "ip route replace default via G dev br-lan" in f["caution"]


def test_bridge_without_ports_and_no_uplink_in_plan(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path), None)
    f = found[("uplink", "br-lan")]
    assert f["severity"] == "error" and "has no ports" in f["message"]
    assert f["fix"].startswith("ip link set <UPLINK> master br-lan && ip link set <UPLINK> up")


def test_uplink_enslaved_is_ok(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path, ports=("eth1",), master={"eth1": "br-lan"}), "eth1")
    assert found[("uplink", "eth1")]["severity"] == "ok"
    assert found[("bridge", "br-lan")]["severity"] == "ok"


def test_uplink_of_another_bridge_is_released_first(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path, nics=("eth1", "br-old"), master={"eth1": "br-old"}), "eth1")
    f = found[("uplink", "eth1")]
    assert "it is a port of br-old" in f["message"]
    assert f["fix"] == "ip link set eth1 nomaster && ip link set eth1 master br-lan && ip link set eth1 up"


def test_uplink_missing_on_node(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path, nics=()), "eth9")
    f = found[("uplink", "eth9")]
    assert f["severity"] == "error" and "does not exist on this node" in f["message"]


def test_missing_bridge_fix_enslaves_the_uplink(kvnet, tmp_path: Path) -> None:
    found = doctor(kvnet, tmp_path, node(tmp_path, bridge=False), "eth1")
    f = found[("bridge", "br-lan")]
    assert f["fix"] == ("ip link add name br-lan type bridge && ip link set br-lan up && "
                        "ip link set eth1 master br-lan && ip link set eth1 up")
    assert "cuts the node off" in f["caution"]


def test_text_output_shows_the_caution(kvnet, tmp_path: Path) -> None:
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(PLAN.format(uplink=", uplink: eth1"))
    res = kvnet("doctor", "--root", str(node(tmp_path)), "--distribution", "generic", "--plan", str(plan))
    lines = res.out.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("error[KV513]"))
    assert lines[i + 1].startswith("  fix: ip link set eth1 master br-lan") and lines[i + 2].startswith("  caution: ")


def _netns_ok() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if shutil.which("ip") is None:
        return "iproute2 'ip' is not installed"
    return None


@pytest.mark.skipif(_netns_ok() is not None, reason=str(_netns_ok()))
def test_the_fix_commands_work_in_iproute2(tmp_path: Path) -> None:
    """The missing-bridge fix, run by iproute2 in a namespace with a veth uplink: the uplink ends
    up a port of the bridge, and the bridge and port are up."""
    from kvnet.doctor.fixes import make_bridge

    ns = f"kvnet-test-{uuid.uuid4().hex[:8]}"
    made = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {made.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer"], check=True)
        fix = make_bridge("br-lan", "eth1")
        subprocess.run(["ip", "netns", "exec", ns, "sh", "-c", fix], check=True)
        out = subprocess.run(["ip", "-n", ns, "-j", "link", "show"], check=True, capture_output=True, text=True)
        links = {link["ifname"]: link for link in json.loads(out.stdout)}
        assert links["eth1"].get("master") == "br-lan"
        assert "UP" in links["eth1"]["flags"] and "UP" in links["br-lan"]["flags"]
        assert shlex.split(fix)[0] == "ip"
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


OVS_PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: o, type: ovs, bridge: br1, vlan: 100}
"""


@pytest.mark.parametrize("running,bridge", [(False, False), (True, False), (True, True)])
def test_open_vswitch_and_its_bridge(kvnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running: bool,
                                     bridge: bool) -> None:
    """Without ovs-vsctl where doctor runs (PATH emptied), from the socket and sysfs alone: a netdev of the
    name is only a warning (KV523), since it may not be Open vSwitch's (a real OVS: test_doctor_ovs.py)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    root = node(tmp_path, bridge=False, nics=("br1",) if bridge else ())
    if running:
        (root / "run/openvswitch").mkdir(parents=True)
        (root / "run/openvswitch/db.sock").write_text("")
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(OVS_PLAN)
    res = kvnet("doctor", "--root", str(root), "--distribution", "generic", "--plan", str(plan), "--format", "json")
    found = {f["check"]: f for f in json.loads(res.out)["findings"] if f["check"] in ("ovs", "ovs-bridge")}
    assert found["ovs"]["severity"] == ("ok" if running else "error")
    if not running:
        assert found["ovs"]["fix"].startswith("apt-get install -y openvswitch-switch")
    assert found["ovs-bridge"]["severity"] == ("warning" if bridge else "error")
    if not bridge:
        assert found["ovs-bridge"]["fix"].startswith("ovs-vsctl --may-exist add-br br1")


def test_missing_ovs_plugin_fix_pins_ovs_cni_and_uses_the_profile_bin_dir(kvnet, tmp_path: Path) -> None:
    root = node(tmp_path, bridge=False, nics=("br1",))
    (root / "var/lib/rancher/k3s/data/cni").mkdir(parents=True)
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(OVS_PLAN)
    res = kvnet("doctor", "--root", str(root), "--distribution", "k3s", "--plan", str(plan), "--format", "json")
    (f,) = [f for f in json.loads(res.out)["findings"] if f["check"] == "plugin" and f["subject"] == "ovs"]
    assert f["severity"] == "error"
    assert "ovs-cni-plugin:v0.39.0" in f["fix"] and "path: /var/lib/rancher/k3s/data/cni" in f["fix"]
    assert "s#ovs-cni-plugin:latest#ovs-cni-plugin:v0.39.0#" in f["fix"]  # the manifest floats on :latest
