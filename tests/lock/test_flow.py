"""Allocated addresses downstream: networkData (read by the real cloud-init), the per-VM static NAD,
and the same bytes whatever the hash seed or file order (SPEC §6, §7)."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from lock_helpers import lock_entries, nad_address, network, network_data, objects, plan, vm
from testlib import run_kvnet, write

CLOUD_INIT = shutil.which("cloud-init")


def locked(tmp_path: Path, kvnet, text: str) -> list:  # type: ignore[type-arg]
    write(tmp_path / "kvnet.yaml", text)
    res = kvnet("lock", str(tmp_path))
    assert res.code == 0, res.err
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err
    return objects(res.out)


def test_static_ipam_gets_one_nad_per_vm_with_the_locked_address(tmp_path: Path, kvnet) -> None:
    objs = locked(tmp_path, kvnet, plan([network()], [vm("b", "lan"), vm("a", "lan")]))
    assert nad_address(objs, "a-lan") == "192.168.1.20/24" and nad_address(objs, "b-lan") == "192.168.1.21/24"
    nd = yaml.safe_load(network_data(objs, "a"))
    assert nd["ethernets"]["eth1"]["addresses"] == ["192.168.1.20/24"]


def test_ipv6_allocation_reaches_nad_and_guest(tmp_path: Path, kvnet) -> None:
    net = network(subnet="fd00:10::/64", allocate="fd00:10::10-fd00:10::20", gateway=None)
    objs = locked(tmp_path, kvnet, plan([net], [vm("a", "lan")]))
    assert nad_address(objs, "a-lan") == "fd00:10::10/64"
    assert yaml.safe_load(network_data(objs, "a"))["ethernets"]["eth1"]["addresses"] == ["fd00:10::10/64"]


@pytest.mark.skipif(CLOUD_INIT is None, reason="cloud-init is not installed")
def test_real_cloud_init_configures_the_allocated_addresses(tmp_path: Path, kvnet) -> None:
    nets = [network(ipam="none", gateway=None),
            network("v6", subnet="fd00:20::/64", allocate="fd00:20::100-fd00:20::1ff", gateway=None, ipam="none")]
    objs = locked(tmp_path / "plan", kvnet, plan(nets, [vm("web", "lan", "v6"), vm("app", "lan", "v6")]))
    lock = lock_entries(tmp_path / "plan")["vms/lab"]
    for name in ("web", "app"):
        nd = tmp_path / f"{name}.yaml"
        nd.write_text(network_data(objs, name))
        out = tmp_path / f"out-{name}"
        proc = subprocess.run([str(CLOUD_INIT), "devel", "net-convert", "-p", str(nd), "-k", "yaml", "-d", str(out),
                               "-D", "debian", "-O", "networkd"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        units = {p.name: p.read_text() for p in (out / "etc/systemd/network").iterdir()}
        eth1, eth2 = units["10-cloud-init-eth1.network"], units["10-cloud-init-eth2.network"]
        assert f"Address={lock['lan'][name]}/24" in eth1
        assert f"Address={lock['v6'][name]}/64" in eth2


def test_lock_is_byte_identical_across_hash_seeds_and_file_order(tmp_path: Path) -> None:
    nets = [network(), network("v6", subnet="fd00:30::/64", allocate="fd00:30::2-fd00:30::ffff", gateway=None),
            network("wan", subnet="10.9.0.0/16", allocate="10.9.1.0-10.9.9.255", gateway="10.9.0.1",
                    extra="      exclude: [10.9.1.0/28]\n")]
    names = [f"vm-{i:03d}" for i in range(60)]
    rng = random.Random(10)
    texts: list[bytes] = []
    builds: list[str] = []
    for seed in ("0", "1", "4242", "random"):
        d = tmp_path / f"seed-{seed}"
        order = names[:]
        rng.shuffle(order)
        write(d / "z-networks.yaml", plan(nets, []))
        for part in range(3):  # the VMs over three files, in a different order each time
            chunk = order[part::3]
            write(d / f"{rng.random():.6f}.yaml", plan([], [vm(n, "lan", "v6", "wan") for n in chunk]))
        res = run_kvnet("lock", str(d), env={"PYTHONHASHSEED": seed})
        assert res.code == 0, res.err
        texts.append((d / "kvnet.lock").read_bytes())
        build = run_kvnet("build", str(d), env={"PYTHONHASHSEED": seed})
        assert build.code == 0, build.err
        # kvnet.dev/source names each VM's file, which differs here by design; the rest must not
        builds.append("".join(line for line in build.out.splitlines(keepends=True) if "kvnet.dev/source:" not in line))
    assert len(set(texts)) == 1
    assert len(set(builds)) == 1
    assert len(yaml.safe_load(texts[0])["plans"]["vms/lab"]["wan"]) == 60
    assert texts[0].count(b": ") == 3 * 60 + 3  # every (VM, network) once; the header comment, apiVersion, kind


def test_host_local_behind_vms_warns_with_both_ways_out(tmp_path: Path, kvnet) -> None:
    text = plan([network(ipam="host-local").replace("      allocate: 192.168.1.20-192.168.1.99\n",
                                                    "      range: 192.168.1.20-192.168.1.99\n")], [vm("a", "lan")])
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0 and res.out
    row = text.splitlines().index("      ipam: host-local") + 1
    assert res.err.startswith(f"{path}:{row}:13: warning[KV281]: network 'lan': ipam 'host-local' allocates per "
                              "node"), res.err
    assert "allocate: START-END" in res.err and "whereabouts" in res.err
    unused = write(tmp_path / "u" / "kvnet.yaml", plan([network(ipam="host-local").replace(
        "      allocate: 192.168.1.20-192.168.1.99\n", "")], [vm("a")]))
    res = kvnet("build", str(unused))
    assert res.code == 0 and "KV281" not in res.err  # no VM on it: nothing moves


def test_explain_says_which_addresses_come_from_the_lock(tmp_path: Path, kvnet) -> None:
    import json

    vms = [vm("a", "lan"), vm("b", "lan", address={"lan": "192.168.1.5"})]
    locked(tmp_path, kvnet, plan([network(gateway=None)], vms))
    res = kvnet("explain", "--output", "json", str(tmp_path))
    assert res.code == 0, res.err
    rows = {(r["vm"], r["network"]): r for r in json.loads(res.out)}
    assert (rows[("a", "lan")]["address"], rows[("a", "lan")]["source"]) == ("192.168.1.20/24", "kvnet.lock")
    assert (rows[("b", "lan")]["address"], rows[("b", "lan")]["source"]) == ("192.168.1.5/24", "plan")
