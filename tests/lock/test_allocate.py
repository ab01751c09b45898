"""``kvnet lock``: allocation order, what is free, stability, full ranges, IPv6, --check (SPEC §7)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from lock_helpers import lock_entries, network, plan, vm
from testlib import write


def lock(kvnet, d: Path, *extra: str):  # type: ignore[no-untyped-def]
    return kvnet("lock", *extra, str(d))


def addresses(d: Path, key: str = "vms/lab", net: str = "lan") -> dict[str, str]:
    return dict(lock_entries(d)[key][net])


def test_lowest_free_addresses_in_vm_name_order(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan([network()], [vm("web-3", "lan"), vm("db", "lan"), vm("web-1", "lan")]))
    res = lock(kvnet, tmp_path)
    assert res.code == 0, res.err
    assert addresses(tmp_path) == {"db": "192.168.1.20", "web-1": "192.168.1.21", "web-3": "192.168.1.22"}
    assert (tmp_path / "kvnet.lock").read_text() == (
        "# kvnet.lock: addresses kvnet allocated. Written by `kvnet lock`; commit it with the plan.\n"
        "apiVersion: kvnet.dev/v1alpha1\nkind: AddressLock\nplans:\n  vms/lab:\n    lan:\n"
        "      db: 192.168.1.20\n      web-1: 192.168.1.21\n      web-3: 192.168.1.22\n")
    assert res.out.splitlines() == [f"{tmp_path}/kvnet.lock: vms/lab lan {v}: + {a}"
                                    for v, a in sorted(addresses(tmp_path).items())]


def test_network_broadcast_gateway_explicit_and_excluded_are_never_given(tmp_path: Path, kvnet) -> None:
    net = network(subnet="192.168.5.0/28", allocate="192.168.5.0-192.168.5.15", gateway="192.168.5.1",
                  extra="      exclude: [192.168.5.4/31, 192.168.5.9/32]\n")
    vms = [vm("fixed", "lan", address={"lan": "192.168.5.2"})] + [vm(f"v{i:02d}", "lan") for i in range(8)]
    write(tmp_path / "kvnet.yaml", plan([net], vms))
    assert lock(kvnet, tmp_path).code == 0
    got = addresses(tmp_path)
    assert "fixed" not in got  # an explicit address is not allocated
    assert list(got.values()) == ["192.168.5.3", "192.168.5.6", "192.168.5.7", "192.168.5.8",
                                  "192.168.5.10", "192.168.5.11", "192.168.5.12", "192.168.5.13"]
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err


def test_a_full_range_names_the_network_and_its_size(tmp_path: Path, kvnet) -> None:
    net = network(allocate="192.168.1.1-192.168.1.4")  # .1 is the gateway: 3 usable
    path = write(tmp_path / "kvnet.yaml", plan([net], [vm(f"v{i}", "lan") for i in range(5)]))
    res = lock(kvnet, tmp_path)
    assert res.code == 1 and res.out == ""
    line = [x for x in res.err.splitlines() if "error[KV286]" in x][0]
    row = path.read_text().splitlines().index("      allocate: 192.168.1.1-192.168.1.4") + 1
    assert line.startswith(f"{path}:{row}:17: error[KV286]: network 'lan': allocate range 192.168.1.1-192.168.1.4 "
                           "is full: its 4 addresses are taken or reserved"), line
    assert "VM 'v3' and 1 more still need one" in line
    assert not (tmp_path / "kvnet.lock").exists()  # nothing written on an error


def test_stability_adding_removing_renaming_reordering(tmp_path: Path, kvnet) -> None:
    names = ["web-1", "web-2", "web-3", "web-4"]
    path = tmp_path / "kvnet.yaml"
    write(path, plan([network()], [vm(n, "lan") for n in names]))
    assert lock(kvnet, tmp_path).code == 0
    before = addresses(tmp_path)

    def relock(vm_names: list[str]) -> dict[str, str]:
        write(path, plan([network()], [vm(n, "lan") for n in vm_names]))
        res = lock(kvnet, tmp_path)
        assert res.code == 0, res.err
        after = addresses(tmp_path)
        for n in set(before) & set(after):
            assert after[n] == before[n], (n, before, after)
        assert len(set(after.values())) == len(after)
        return after

    after = relock(["a-first"] + names)  # a new VM that sorts first takes a free address, moves nobody
    assert after["a-first"] == "192.168.1.24"
    after = relock(["a-first", "web-1", "web-3", "web-4"])  # web-2 removed: its entry is dropped
    assert "web-2" not in after
    before = after
    after = relock(["a-first", "web-1", "renamed-3", "web-4"])  # a rename: the new name is a new VM
    assert after["renamed-3"] == "192.168.1.21"  # the lowest free one (web-2's, freed above)
    before = after
    # reordering VMs and splitting the plan over files changes nothing at all
    text = (tmp_path / "kvnet.lock").read_text()
    path.unlink()
    write(tmp_path / "b.yaml", plan([], [vm("web-4", "lan"), vm("a-first", "lan")]))
    write(tmp_path / "a.yaml", plan([network()], [vm("renamed-3", "lan"), vm("web-1", "lan")]))
    res = lock(kvnet, tmp_path, "--check")
    assert res.code == 0 and res.out == "", (res.out, res.err)
    assert lock(kvnet, tmp_path).code == 0 and (tmp_path / "kvnet.lock").read_text() == text


def test_an_entry_that_became_invalid_is_moved_and_the_rest_stays(tmp_path: Path, kvnet) -> None:
    path = tmp_path / "kvnet.yaml"
    write(path, plan([network()], [vm("a", "lan"), vm("b", "lan"), vm("c", "lan")]))
    assert lock(kvnet, tmp_path).code == 0
    # VM 'x' now claims b's address explicitly: build refuses the clash at the lock entry ...
    write(path, plan([network()], [vm("a", "lan"), vm("b", "lan"), vm("c", "lan"),
                                   vm("x", "lan", address={"lan": "192.168.1.21"})]))
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    assert (f"{tmp_path}/kvnet.lock:8:10: error[KV283]: kvnet.lock: address 192.168.1.21 of VM 'b' on network "
            "'lan' is the explicit address of VM 'x'") in res.err
    # ... and kvnet lock moves only b
    res = lock(kvnet, tmp_path)
    assert res.code == 0 and res.out == f"{tmp_path}/kvnet.lock: vms/lab lan b: ~ 192.168.1.21 -> 192.168.1.23\n"
    assert addresses(tmp_path) == {"a": "192.168.1.20", "b": "192.168.1.23", "c": "192.168.1.22"}


def test_ipv6_range(tmp_path: Path, kvnet) -> None:
    net = network(subnet="fd00:10::/64", allocate="fd00:10::-fd00:10::ff", gateway="fd00:10::1")
    write(tmp_path / "kvnet.yaml", plan([net], [vm("b", "lan"), vm("a", "lan"),
                                                vm("c", "lan", address={"lan": "fd00:10::3"})]))
    assert lock(kvnet, tmp_path).code == 0
    text = (tmp_path / "kvnet.lock").read_text()
    # quoted: a YAML 1.1 reader could take some a:b:c forms for sexagesimal numbers
    assert '      a: "fd00:10::2"\n      b: "fd00:10::4"\n' in text
    assert addresses(tmp_path) == {"a": "fd00:10::2", "b": "fd00:10::4"}  # ::0 is the subnet-router anycast address


def test_check_writes_nothing_and_lists_what_would_change(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan([network()], [vm("a", "lan")]))
    res = lock(kvnet, tmp_path, "--check")
    assert res.code == 1 and not (tmp_path / "kvnet.lock").exists()
    assert res.out == f"{tmp_path}/kvnet.lock: vms/lab lan a: + 192.168.1.20\n"
    assert f"{tmp_path}/kvnet.lock:1:1: error[KV287]: kvnet.lock is stale: 1 entry would change" in res.err
    assert lock(kvnet, tmp_path).code == 0
    res = lock(kvnet, tmp_path, "--check")
    assert res.code == 0 and res.out == "" and res.err == ""
    lockfile = tmp_path / "kvnet.lock"
    lockfile.write_text(lockfile.read_text().replace("plans:\n", "plans:  # edited\n"))
    res = lock(kvnet, tmp_path, "--check")
    assert res.code == 1 and "its layout would change" in res.err
    assert "plans:  # edited" in lockfile.read_text()


def test_no_allocating_network_means_no_lock_file(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan([], [vm("a")]))
    res = lock(kvnet, tmp_path)
    assert res.code == 0 and res.out == "" and not (tmp_path / "kvnet.lock").exists()


def test_plans_of_one_directory_share_one_lock(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "lab.yaml", plan([network()], [vm("a", "lan")]))
    write(tmp_path / "edge.yaml", plan([network()], [vm("a", "lan")], name="edge", namespace=None))
    assert lock(kvnet, tmp_path).code == 0
    entries = lock_entries(tmp_path)
    # both plans' networks are on br-lan untagged: one L2 segment, one address space (issue 24)
    assert entries == {"edge": {"lan": {"a": "192.168.1.20"}}, "vms/lab": {"lan": {"a": "192.168.1.21"}}}
    # a FILE stands for its directory: locking one plan keeps the other's entries
    assert kvnet("lock", str(tmp_path / "lab.yaml")).code == 0
    assert lock_entries(tmp_path) == entries
    for path in (tmp_path / "edge.yaml", tmp_path):
        res = kvnet("build", str(path))
        assert res.code == 0, res.err


def test_unknown_entries_are_dropped(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan([network()], [vm("a", "lan")]))
    (tmp_path / "kvnet.lock").write_text(
        "apiVersion: kvnet.dev/v1alpha1\nkind: AddressLock\nplans:\n  vms/lab:\n    lan:\n      a: 192.168.1.50\n"
        "      gone: 192.168.1.20\n    wan:\n      a: 10.0.0.5\n  vms/old:\n    lan:\n      z: 192.168.1.9\n")
    res = lock(kvnet, tmp_path)
    assert res.code == 0, res.err
    assert lock_entries(tmp_path) == {"vms/lab": {"lan": {"a": "192.168.1.50"}}}
    assert sorted(line.split(": ", 1)[1] for line in res.out.splitlines()) == [
        "vms/lab lan gone: - 192.168.1.20", "vms/lab wan a: - 10.0.0.5", "vms/old lan z: - 192.168.1.9"]


def test_generated_lock_is_a_fixed_point_and_parses_back(tmp_path: Path, kvnet) -> None:
    names = ["yes", "null", "123", "on", "web"]  # DNS-1123 labels a YAML 1.1 reader would not take as strings
    write(tmp_path / "kvnet.yaml", plan([network()], [vm(n, "lan") for n in names]))
    assert lock(kvnet, tmp_path).code == 0
    got = addresses(tmp_path)
    assert set(got) == set(names)
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("192.168.1.0/24") for a in got.values())
    assert lock(kvnet, tmp_path, "--check").code == 0
    assert kvnet("build", str(tmp_path)).code == 0
