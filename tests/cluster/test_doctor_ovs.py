"""kvnet doctor tells Open vSwitch bridges from Linux bridges (ovs-cni#223): fake roots for the
Linux-bridge confusion and a dead database, and a real Open vSwitch (ovsdb-server and
ovs-vswitchd, userspace datapath) in a network namespace and private mount namespace the test
creates, daemons in the foreground, killed by PID."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: office, type: ovs, bridge: br1, vlan: 100}
"""
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


def ovs_findings(kvnet, tmp_path: Path, root: Path) -> dict[str, dict]:
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(PLAN)
    res = kvnet("doctor", "--root", str(root), "--distribution", "generic", "--plan", str(plan), "--format", "json")
    return {f["check"]: f for f in json.loads(res.out)["findings"] if f["check"] in ("ovs", "ovs-bridge")}


def test_linux_bridge_named_like_the_ovs_bridge_is_the_cause(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    (root / "sys/class/net/br1/bridge").mkdir(parents=True)
    (root / "sys/class/net/br1/brif").mkdir()
    (root / "sys/class/net/br1/brif/eth1").mkdir()
    f = ovs_findings(kvnet, tmp_path, root)["ovs-bridge"]
    assert f["severity"] == "error" and f["code"] == "KV522"
    assert "is a Linux bridge, not an Open vSwitch bridge" in f["message"]
    assert f["fix"].startswith("ip link del br1 && ovs-vsctl --may-exist add-br br1")
    assert "move its ports eth1 over" in f["fix"]


@pytest.mark.skipif(shutil.which("ovs-vsctl") is None, reason="ovs-vsctl is not installed (openvswitch-switch)")
def test_socket_without_a_database_behind_it(kvnet, tmp_path: Path) -> None:
    root = tmp_path / "node"
    (root / "run/openvswitch").mkdir(parents=True)
    (root / "run/openvswitch/db.sock").write_text("")  # a leftover file, no ovsdb-server
    found = ovs_findings(kvnet, tmp_path, root)
    assert found["ovs"]["code"] == "KV520" and "does not answer" in found["ovs"]["message"]


def _real_ovs_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network and mount namespaces)"
    missing = [t for t in ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ip", "unshare", "nsenter")
               if shutil.which(t) is None]
    if missing or not os.path.exists(SCHEMA):
        return f"Open vSwitch (apt openvswitch-switch) or util-linux missing: {', '.join(missing) or SCHEMA}"
    return None


START = """\
set -e
mount -t tmpfs kvnet-ovs /run
mkdir -p /run/openvswitch /run/netns
cd /run/openvswitch
ovsdb-tool create conf.db {schema}
ovsdb-server conf.db --remote=punix:/run/openvswitch/db.sock --pidfile=/run/openvswitch/ovsdb-server.pid \
  --log-file=/run/openvswitch/ovsdb-server.log </dev/null >/dev/null 2>&1 &
echo "db $!"
for i in $(seq 50); do [ -S db.sock ] && break; sleep 0.1; done
ovs-vsctl --no-wait init
ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile=/run/openvswitch/ovs-vswitchd.pid \
  --log-file=/run/openvswitch/ovs-vswitchd.log </dev/null >/dev/null 2>&1 &
echo "switch $!"
echo ready
wait
"""


@contextlib.contextmanager
def real_ovs() -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    """A real Open vSwitch in a network namespace and private mount namespace (a tmpfs /run);
    yields ``inside(*cmd)``, which runs a command in both. Daemons killed by PID, namespace removed."""
    ns = f"kvnet-ovs-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
    holder = subprocess.Popen(["ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                               START.format(schema=SCHEMA)], stdout=subprocess.PIPE, text=True)
    pids: dict[str, int] = {}
    try:
        assert holder.stdout is not None
        for line in holder.stdout:
            if line.strip() == "ready":
                break
            name, pid = line.split()
            pids[name] = int(pid)
        assert set(pids) == {"db", "switch"}, pids

        def inside(*cmd: str) -> subprocess.CompletedProcess[str]:
            # the daemons' mount namespace (the tmpfs /run) and network namespace
            return subprocess.run(["nsenter", "-t", str(pids["db"]), "-m", "-n", *cmd], capture_output=True,
                                  text=True, timeout=60)

        yield inside
    finally:
        for pid in pids.values():
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        try:
            holder.wait(timeout=20)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()
        subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)


def _ovs_bridge(inside: Callable[..., subprocess.CompletedProcess[str]], fix: str) -> None:
    """Run doctor's fix for a missing OVS bridge (userspace datapath: no kernel module) and wait for the netdev."""
    made = inside("sh", "-c", fix.split("   #")[0] + " -- set bridge br1 datapath_type=netdev")
    assert made.returncode == 0, made.stderr
    for _ in range(50):
        if inside("ip", "link", "show", "br1").returncode == 0:
            break
        time.sleep(0.1)


@pytest.mark.skipif(_real_ovs_reason() is not None, reason=str(_real_ovs_reason()))
def test_against_a_real_open_vswitch(tmp_path: Path) -> None:
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(PLAN)
    with real_ovs() as inside:

        def doctor() -> dict[str, dict]:
            done = inside(sys.executable, "-m", "kvnet", "doctor", "--root", "/", "--distribution", "generic",
                          "--plan", str(plan), "--format", "json")
            assert done.stdout, done.stderr
            return {f["check"]: f for f in json.loads(done.stdout)["findings"] if f["check"] in ("ovs", "ovs-bridge")}

        before = doctor()
        assert before["ovs"]["severity"] == "ok", before["ovs"]
        assert before["ovs-bridge"]["code"] == "KV521" and "no bridges" in before["ovs-bridge"]["message"]
        # a Linux bridge of that name: the confusion is named (sysfs is the namespace's: nsenter keeps the
        # tmpfs /run but /sys is the one `ip netns exec` mounted for the namespace)
        assert inside("ip", "link", "add", "br1", "type", "bridge").returncode == 0
        assert doctor()["ovs-bridge"]["code"] == "KV522"
        _ovs_bridge(inside, doctor()["ovs-bridge"]["fix"])
        after = doctor()
        assert after["ovs-bridge"]["severity"] == "ok" and "(ovsdb)" in after["ovs-bridge"]["message"]


POD_PLAN = PLAN + "    - {name: prod, type: bridge, bridge: br-vms, uplink: eno2, vlan: 10}\n"


@pytest.mark.skipif(_real_ovs_reason() is not None or shutil.which("bridge") is None,
                    reason=str(_real_ovs_reason() or "iproute2's bridge is not installed"))
def test_in_a_pod_the_host_tools_read_the_node(tmp_path: Path) -> None:
    """examples/doctor/job.yaml's situation: doctor's image has no 'bridge' nor 'ovs-vsctl' (PATH
    holds only chroot), the node's / is mounted at a root (an rbind of / in a private mount
    namespace), doctor shares the node's network namespace. Without --host-tools the uplink VLANs
    are not read (KV517) and the OVS bridge is not told from a netdev (KV523); with it, the node's
    own tools run in the root (chroot) and read both: br1 is in ovsdb, eno2 is no member of VLAN
    10 (KV516). This kernel may lack bridge VLAN filtering, so a stand-in
    ``bridge/vlan_filtering`` (1) is bind-mounted over br-vms's sysfs directory in the root."""
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(POD_PLAN)
    bin_dir, host, filtering = tmp_path / "bin", tmp_path / "host", tmp_path / "filtering"
    bin_dir.mkdir()
    host.mkdir()
    filtering.mkdir()
    (filtering / "vlan_filtering").write_text("1\n")
    os.symlink(str(shutil.which("chroot")), bin_dir / "chroot")
    with real_ovs() as inside:
        _ovs_bridge(inside, "ovs-vsctl --may-exist add-br br1")
        for cmd in (("ip", "link", "add", "eno2", "type", "veth", "peer", "name", "peer2"),
                    ("ip", "link", "add", "br-vms", "type", "bridge"), ("ip", "link", "set", "eno2", "master", "br-vms")):
            assert inside(*cmd).returncode == 0

        def in_pod(*more: str) -> dict[str, dict]:
            run = (f"mount --rbind / {host} && mount --bind {filtering} {host}/sys/class/net/br-vms/bridge && "
                   f"PATH={bin_dir} {sys.executable} -m kvnet doctor --root {host} --distribution generic "
                   f"--plan {plan} --format json {' '.join(more)}")
            done = inside("unshare", "-m", "--propagation", "private", "sh", "-c", run)
            assert done.stdout, done.stderr
            return {f["check"]: f for f in json.loads(done.stdout)["findings"]
                    if f["check"] in ("ovs-bridge", "uplink-vlans")}

        image_only = in_pod()
        assert image_only["ovs-bridge"]["code"] == "KV523", image_only
        assert "ovs-vsctl is not installed where doctor runs" in image_only["ovs-bridge"]["message"]
        assert image_only["uplink-vlans"]["code"] == "KV517"
        assert "--host-tools" in image_only["uplink-vlans"]["fix"]
        host_tools = in_pod("--host-tools")
        assert host_tools["ovs-bridge"]["severity"] == "ok" and "(ovsdb)" in host_tools["ovs-bridge"]["message"]
        assert host_tools["uplink-vlans"]["code"] == "KV516", host_tools
        assert "is not a member of VLAN 10 (bridge -j vlan show)" in host_tools["uplink-vlans"]["message"]
