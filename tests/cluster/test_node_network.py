"""spec.cluster.nodeNetwork: netplan | networkd and spec.cluster.bonds (SPEC §9): the files
`kvnet node-config` writes, read by their real consumers (`netplan generate`; systemd-networkd itself,
run in a network and mount namespace the test creates; nmstate's generate_configurations for the
NNCPs' bonds), the DaemonSet `kvnet build` emits, and the bond rules (KV275-KV277, KV268)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from testlib import run_kvnet

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  cluster:
    distribution: k3s
    nodeNetwork: {node_network}
    nodeSelector: {{node-role.kubernetes.io/worker: "true"}}
    bonds:
      - {{name: bond0, interfaces: [eno3, eno4], mode: 802.3ad, miimon: 100, mtu: 9000}}
  networks:
    - {{name: prod, type: bridge, bridge: br-vms, uplink: bond0, vlan: 10}}
    - {{name: dev, type: bridge, bridge: br-vms, uplink: bond0, vlan: 20}}
    - {{name: storage, type: bridge, bridge: br-storage, uplink: eno2}}
"""
NETWORKD = "/lib/systemd/systemd-networkd"
# how networkd reports a problem in a config file: '<file>:<line>: ...', or a file it cannot open
PROBLEM = re.compile(r"10-kvnet-[\w.-]+:\d+:|Failed to (open|load|parse).*10-kvnet")


def write_plan(tmp_path: Path, node_network: str = "netplan", text: str | None = None) -> Path:
    plan = tmp_path / "kvnet.yaml"
    plan.write_text(text if text is not None else PLAN.format(node_network=node_network))
    return plan


def node_config(kvnet, tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"out-{fmt}"
    res = kvnet("node-config", str(write_plan(tmp_path)), "--format", fmt, "-o", str(out))
    assert res.code == 0, res.err
    return out


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(shutil.which("netplan") is None, reason="netplan is not installed (apt netplan.io)")
def test_netplan_generate_accepts_the_files_and_the_dropins_match_its_output(kvnet, tmp_path: Path) -> None:
    out = node_config(kvnet, tmp_path, "netplan")
    assert oct((out / "etc/netplan/60-kvnet-lab.yaml").stat().st_mode & 0o777) == "0o600"
    done = subprocess.run(["netplan", "generate", "--root-dir", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    gen = out / "run/systemd/network"
    bond = (gen / "10-netplan-bond0.netdev").read_text()
    assert "Kind=bond" in bond and "Mode=802.3ad" in bond and "MIIMonitorSec=100ms" in bond and "MTUBytes=9000" in bond
    assert "Bridge=br-vms" in (gen / "10-netplan-bond0.network").read_text()
    assert "Bond=bond0" in (gen / "10-netplan-eno3.network").read_text()
    assert "Bridge=br-storage" in (gen / "10-netplan-eno2.network").read_text()
    # kvnet's VLAN drop-ins extend exactly the files netplan generated
    for dropin in (out / "etc/systemd/network").iterdir():
        assert (gen / dropin.name.removesuffix(".d")).is_file(), dropin.name
    dropins = out / "etc/systemd/network"
    assert "VLANFiltering=yes" in (dropins / "10-netplan-br-vms.netdev.d/50-kvnet-vlan.conf").read_text()
    assert "[BridgeVLAN]\nVLAN=20" in (out / "etc/systemd/network/10-netplan-bond0.network.d/50-kvnet-vlan.conf"
                                       ).read_text()


def test_networkd_files_content(kvnet, tmp_path: Path) -> None:
    got = files(node_config(kvnet, tmp_path, "networkd"))
    d = "etc/systemd/network/"
    assert sorted(got) == [d + f for f in ("10-kvnet-bond0.netdev", "10-kvnet-bond0.network",
                                           "10-kvnet-br-storage.netdev", "10-kvnet-br-storage.network",
                                           "10-kvnet-br-vms.netdev", "10-kvnet-br-vms.network",
                                           "10-kvnet-eno2.network", "10-kvnet-eno3.network", "10-kvnet-eno4.network")]
    assert "VLANFiltering=yes" in got[d + "10-kvnet-br-vms.netdev"]
    assert "VLANFiltering" not in got[d + "10-kvnet-br-storage.netdev"]
    assert "Bridge=br-vms" in got[d + "10-kvnet-bond0.network"] and "VLAN=10" in got[d + "10-kvnet-bond0.network"]
    assert "Mode=802.3ad\nMIIMonitorSec=100ms" in got[d + "10-kvnet-bond0.netdev"]


def _networkd_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network and mount namespaces)"
    if not os.path.exists(NETWORKD) or shutil.which("unshare") is None:
        return f"{NETWORKD} or unshare is missing"
    return None


RUN_NETWORKD = """\
set -e
mount -t tmpfs kvnet-run /run
mount -o remount,bind,ro /sys   # read-only /sys: networkd does not wait for udev (as in a container)
mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/network
mount --bind "$FILES" /etc/systemd/network
for nic in eno2 eno3 eno4; do ip link add "$nic" type veth peer name "p-$nic"; ip link set "p-$nic" up; done
SYSTEMD_LOG_LEVEL=debug timeout 6 "$NETWORKD" >"$LOG" 2>&1 || true
ip -j link show >"$LINKS"
"""


def run_networkd(directory: Path, tmp_path: Path) -> tuple[str, dict[str, dict]]:
    """systemd-networkd run on ``directory`` (its /etc/systemd/network) for a few seconds in a network
    and mount namespace made here with veth stand-ins for eno2-eno4: (its debug log, ip -j link by name)."""
    ns = f"kvnet-nd-{uuid.uuid4().hex[:8]}"
    log, links = tmp_path / f"{ns}.log", tmp_path / f"{ns}.json"
    subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
    try:
        env = {**os.environ, "FILES": str(directory), "NETWORKD": NETWORKD, "LOG": str(log), "LINKS": str(links)}
        done = subprocess.run(["ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                               RUN_NETWORKD], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)
    return log.read_text(), {link["ifname"]: link for link in json.loads(links.read_text())}


@pytest.mark.skipif(_networkd_reason() is not None, reason=str(_networkd_reason()))
def test_systemd_networkd_parses_and_applies_the_files(kvnet, tmp_path: Path) -> None:
    """networkd itself reads the files (a config problem is logged as '<file>:<line>: ...'), in a
    namespace with veth stand-ins for the NICs; the bridges it creates and the uplink it enslaves
    are read back with `ip -j link`. A mutated copy shows the log check is not vacuous."""
    out = node_config(kvnet, tmp_path, "networkd")
    net_dir = out / "etc/systemd/network"
    text, links = run_networkd(net_dir, tmp_path)
    problems = [line for line in text.splitlines() if PROBLEM.search(line)]
    assert problems == [], problems
    assert "br-vms" in links and "br-storage" in links
    assert links["eno2"].get("master") == "br-storage"
    if "bond0" in links:  # this kernel may have no bonding driver; then only the parse is checked
        assert links["bond0"].get("master") == "br-vms" and links["eno3"].get("master") == "bond0"
    broken = tmp_path / "broken"
    shutil.copytree(net_dir, broken)
    (broken / "10-kvnet-bond0.netdev").write_text((net_dir / "10-kvnet-bond0.netdev").read_text()
                                                  .replace("Mode=", "Moode="))
    assert [line for line in run_networkd(broken, tmp_path)[0].splitlines() if PROBLEM.search(line)]


def _nmstate_path(tmp_path: Path) -> str | None:
    """PYTHONPATH for libnmstate 2.0.0 (pip --no-deps) with Debian's python3-gi and a stand-in
    nispor (gen_conf never reads the kernel); None when libnmstate or gi is missing."""
    stub = tmp_path / "stub"
    (stub / "nispor").mkdir(parents=True)
    (stub / "nispor/__init__.py").write_text("class NisporNetState:  # stand-in: never used by gen_conf\n    pass\n")
    gi = Path("/usr/lib/python3/dist-packages/gi")
    if gi.is_dir():
        (stub / "gi").symlink_to(gi)
    path = os.pathsep.join([str(stub), *sys.path[1:]])
    probe = subprocess.run([sys.executable, "-c", "import libnmstate, gi; gi.require_version('NM', '1.0')"],
                           env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)
    return path if probe.returncode == 0 else None


def test_nmstate_generates_the_bond_and_bridge(kvnet, tmp_path: Path) -> None:
    path = _nmstate_path(tmp_path)
    if path is None:
        pytest.skip("libnmstate (pip install --no-deps nmstate==2.0.0) or python3-gi/gir1.2-nm-1.0 is missing")
    res = kvnet("build", str(write_plan(tmp_path, "nmstate")))
    assert res.code == 0, res.err
    policies = {d["metadata"]["name"]: d for d in yaml.safe_load_all(res.out)
                if d and d["kind"] == "NodeNetworkConfigurationPolicy"}
    script = ("import json, sys, libnmstate\n"
              "print(json.dumps(libnmstate.generate_configurations(json.load(sys.stdin))))\n")
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(policies["br-vms"]["spec"]["desiredState"]),
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    keyfiles = dict(json.loads(done.stdout)["NetworkManager"])
    bond = keyfiles["bond0.nmconnection"]
    assert "type=bond" in bond and "mode=802.3ad" in bond and "miimon=100" in bond and "mtu=9000" in bond
    assert "master=br-vms" in bond and "vlans=10,20" in bond
    assert "master=bond0" in keyfiles["eno3.nmconnection"]
    assert "vlan-filtering=true" in keyfiles["br-vms.nmconnection"]


def test_build_emits_the_daemonset_limited_to_the_plans_nodes(kvnet, tmp_path: Path) -> None:
    res = kvnet("build", str(write_plan(tmp_path, "networkd")))
    assert res.code == 0, res.err
    objs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(res.out) if d}
    cm = objs[("ConfigMap", "kvnet-node-network-lab")]
    ds = objs[("DaemonSet", "kvnet-node-network-lab")]
    pod = ds["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"node-role.kubernetes.io/worker": "true"}
    assert pod["hostNetwork"] and pod["hostPID"] and pod["initContainers"][0]["securityContext"]["privileged"]
    assert "networkctl reload" in pod["initContainers"][0]["command"][-1]
    written = files(node_config(kvnet, tmp_path, "networkd"))
    items = pod["volumes"][0]["configMap"]["items"]
    assert {i["path"]: cm["data"][i["key"]] for i in items} == written
    before = ds["spec"]["template"]["metadata"]["annotations"]["kvnet.dev/node-network-sha256"]
    res = kvnet("build", str(write_plan(tmp_path, text=PLAN.format(node_network="networkd").replace("9000", "1500"))))
    after = [d for d in yaml.safe_load_all(res.out) if d and d["kind"] == "DaemonSet"
             and d["metadata"]["name"] == "kvnet-node-network-lab"][0]
    assert after["spec"]["template"]["metadata"]["annotations"]["kvnet.dev/node-network-sha256"] != before


@pytest.mark.parametrize("change,code", [
    (("interfaces: [eno3, eno4]", "interfaces: [eno3, eno2]"), "KV275"),  # eno2 is br-storage's uplink
    (("nodeNetwork: netplan", "nodeNetwork: none"), "KV276"),
    (("miimon: 100", "miimon: 0"), "KV277"),
    (("bridge: br-storage, uplink: eno2", "bridge: br-storage"), "KV268"),
])
def test_bond_and_uplink_rules(kvnet, tmp_path: Path, change: tuple[str, str], code: str) -> None:
    plan = write_plan(tmp_path, text=PLAN.format(node_network="netplan").replace(*change))
    res = kvnet("validate", str(plan))
    assert f"[{code}]" in res.out + res.err, res.out + res.err
    marker = "bonds:" if code == "KV276" else change[1]  # KV276 points at the bonds key
    line = next(i for i, text in enumerate(plan.read_text().splitlines(), 1) if marker in text)
    assert f"{plan}:{line}:" in res.out + res.err, res.out + res.err


def test_node_config_needs_a_format(kvnet, tmp_path: Path) -> None:
    res = kvnet("node-config", str(write_plan(tmp_path, "nmstate")), "-o", str(tmp_path / "o"))
    assert res.code == 2 and "--format" in res.err


def test_node_config_into_a_place_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    """-o where no directory can be made (under a file; /proc) is kvnet.output's one line, exit 2
    and nothing written, as for build -o (was exit 3, 'internal error: NotADirectoryError')."""
    (tmp_path / "file").write_text("x")
    plan = str(write_plan(tmp_path, "networkd"))
    for out in (tmp_path / "file" / "node", Path("/proc/kvnet-node-config-test")):
        res = run_kvnet("node-config", plan, "-o", str(out))
        lines = res.err.splitlines()
        assert res.code == 2 and res.out == "" and len(lines) == 1, res.err
        assert lines[0].startswith(f"kvnet: cannot write the output: cannot create {out}: "), res.err


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NODE_EXAMPLES = sorted(p.parent for p in EXAMPLES.glob("*/kvnet.yaml")
                       if (yaml.safe_load(p.read_text()).get("spec", {}).get("cluster") or {}).get("nodeNetwork")
                       in ("nmstate", "netplan", "networkd"))


@pytest.mark.skipif(shutil.which("netplan") is None, reason="netplan is not installed (apt netplan.io)")
@pytest.mark.parametrize("example", NODE_EXAMPLES, ids=[p.name for p in NODE_EXAMPLES])
def test_every_example_with_node_bridges_passes_netplan_networkd_and_nmstate(kvnet, tmp_path: Path,
                                                                              example: Path) -> None:
    """Every example that creates node bridges (issue 23): its netplan files pass `netplan generate`,
    its networkd files systemd-networkd's own parser (as root), and its
    NodeNetworkConfigurationPolicies (built as nmstate) nmstate's generate_configurations."""
    out = tmp_path / "netplan"
    res = kvnet("node-config", str(example / "kvnet.yaml"), "--format", "netplan", "-o", str(out))
    assert res.code == 0, res.err
    done = subprocess.run(["netplan", "generate", "--root-dir", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    if _networkd_reason() is None:
        res = kvnet("node-config", str(example / "kvnet.yaml"), "--format", "networkd", "-o", str(tmp_path / "nd"))
        assert res.code == 0, res.err
        net_dir = tmp_path / "nd/etc/systemd/network"
        assert sorted(net_dir.glob("*.netdev")), "no bridge written"
        text, links = run_networkd(net_dir, tmp_path)
        assert [line for line in text.splitlines() if PROBLEM.search(line)] == []
        bridges = {p.stem.removeprefix("10-kvnet-") for p in net_dir.glob("*.netdev") if "Kind=bridge" in p.read_text()}
        assert bridges and bridges <= set(links), (bridges, sorted(links))  # networkd created every bridge
    path = _nmstate_path(tmp_path)
    if path is None:
        return
    text = (example / "kvnet.yaml").read_text()
    plan = write_plan(tmp_path, text=re.sub(r"nodeNetwork: \w+", "nodeNetwork: nmstate", text))
    res = kvnet("build", str(plan))
    assert res.code == 0, res.err
    script = "import json, sys, libnmstate\nlibnmstate.generate_configurations(json.load(sys.stdin))\n"
    for pol in (d for d in yaml.safe_load_all(res.out) if d and d["kind"] == "NodeNetworkConfigurationPolicy"):
        done = subprocess.run([sys.executable, "-c", script], input=json.dumps(pol["spec"]["desiredState"]),
                              env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (pol["metadata"]["name"], done.stderr[-2000:])
