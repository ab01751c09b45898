"""What build and validate make of kvnet.lock: read only, and bad lock input answered like bad plan
input (``kvnet.lock:LINE:COL`` diagnostics, exit 1, nothing on stdout) (SPEC §7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lock_helpers import network, plan, vm
from testlib import write

LOCK_HEAD = "apiVersion: kvnet.dev/v1alpha1\nkind: AddressLock\nplans:\n"


def setup(tmp_path: Path, lock_text: str | None) -> Path:
    path = write(tmp_path / "kvnet.yaml", plan([network(extra="      exclude: [192.168.1.64/26]\n")],
                                               [vm("web-1", "lan"), vm("web-2", "lan"),
                                                vm("db", "lan", address={"lan": "192.168.1.30"})]))
    if lock_text is not None:
        (tmp_path / "kvnet.lock").write_text(lock_text)
    return path


def entries(**addrs: str) -> str:
    rows = "".join(f"      {k.replace('_', '-')}: {v}\n" for k, v in addrs.items())
    return LOCK_HEAD + "  vms/lab:\n    lan:\n" + rows


def test_missing_entry_names_the_vm_network_and_command(tmp_path: Path, kvnet) -> None:
    path = setup(tmp_path, entries(web_1="192.168.1.20"))
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    row = path.read_text().splitlines().index('    - name: "web-2"') + 5
    assert res.err == (f"{path}:{row}:20: error[KV280]: VM 'web-2' has no address on network 'lan' in kvnet.lock; "
                       "run 'kvnet lock' and commit kvnet.lock\n")


def test_no_lock_file_at_all(tmp_path: Path, kvnet) -> None:
    setup(tmp_path, None)
    res = kvnet("validate", str(tmp_path))
    assert res.code == 1
    report = res.out + res.err  # SPEC §5 wants validate's report on stdout; accept either stream here
    assert report.count("error[KV280]") == 2 and "VM 'web-1' has no address on network 'lan'" in report
    assert not (tmp_path / "kvnet.lock").exists()  # validate never writes it


@pytest.mark.parametrize("text,code,pos,needle", [
    ("plans: [\n", "KV001", (2, 1), "YAML syntax error"),
    (entries(web_1="192.168.1.20") + "      web-1: 192.168.1.21\n", "KV002", (7, 7), "duplicate key 'web-1'"),
    ("apiVersion: kvnet.dev/v1alpha1\nkind: Lock\nplans: {}\n", "KV285", (2, 7), "kind is 'Lock', not 'AddressLock'"),
    (LOCK_HEAD + "  vms/lab: [a, b]\n", "KV285", (4, 12), "plan 'vms/lab' must be a mapping"),
    (LOCK_HEAD + "  vms/lab:\n    lan:\n      web-1: {a: 1}\n", "KV285", (6, 14), "must map to one address"),
    (entries(web_1="192.168.1.200", web_2="192.168.1.21"), "KV282", (6, 14),
     "address 192.168.1.200 of VM 'web-1' on network 'lan' is outside the allocate range 192.168.1.20-192.168.1.99"),
    (entries(web_1="192.168.1.70", web_2="192.168.1.21"), "KV282", (6, 14),
     "address 192.168.1.70 of VM 'web-1' on network 'lan' in 'exclude' 192.168.1.64/26"),
    (entries(web_1="not-an-ip", web_2="192.168.1.21"), "KV282", (6, 14), "'not-an-ip' of VM 'web-1' on network 'lan' "
     "is not an IP address"),
    (entries(web_1="192.168.1.30", web_2="192.168.1.21"), "KV283", (6, 14),
     "address 192.168.1.30 of VM 'web-1' on network 'lan' is the explicit address of VM 'db'"),
    (entries(web_1="192.168.1.21", web_2="192.168.1.21"), "KV283", (7, 14),
     "address 192.168.1.21 of VM 'web-2' on network 'lan' is already held by VM 'web-1'"),
    (entries(web_1="192.168.1.20", web_2="192.168.1.21", ghost="192.168.1.22"), "KV284", (8, 7),
     "VM 'ghost' of plan 'vms/lab' has no interface on network 'lan' that needs an allocated address"),
    (entries(web_1="192.168.1.20", web_2="192.168.1.21") + "    wan:\n      web-1: 10.0.0.2\n", "KV284", (8, 5),
     "plan 'vms/lab' has no network 'wan' that allocates addresses"),
    (entries(db="192.168.1.22", web_1="192.168.1.20", web_2="192.168.1.21"), "KV284", (6, 7),
     "VM 'db' of plan 'vms/lab' has no interface on network 'lan' that needs an allocated address"),
], ids=["yaml", "duplicate-key", "kind", "plan-not-mapping", "value-not-scalar", "outside-range", "excluded",
        "not-ip", "explicit-clash", "duplicate-address", "unknown-vm", "unknown-network", "explicit-vm"])
def test_bad_lock_input(tmp_path: Path, kvnet, text: str, code: str, pos: tuple[int, int], needle: str) -> None:
    setup(tmp_path, text)
    before = (tmp_path / "kvnet.lock").read_bytes()
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == "", res.err
    first = res.err.splitlines()[0]
    assert first.startswith(f"{tmp_path}/kvnet.lock:{pos[0]}:{pos[1]}: error[{code}]: "), res.err
    assert needle in first, first
    assert "Traceback" not in res.err
    assert (tmp_path / "kvnet.lock").read_bytes() == before  # never written by build


def test_lock_entries_of_other_plans_are_not_this_builds_business(tmp_path: Path, kvnet) -> None:
    setup(tmp_path, entries(web_1="192.168.1.20", web_2="192.168.1.21") + "  vms/other:\n    lan:\n      x: 1.2.3.4\n")
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err


def test_a_plan_without_allocate_never_reads_the_lock(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan([], [vm("a")]))
    (tmp_path / "kvnet.lock").write_text("plans: [\n")
    res = kvnet("build", str(tmp_path))
    assert res.code == 0, res.err


def test_kvnet_lock_refuses_a_broken_lock_and_keeps_it(tmp_path: Path, kvnet) -> None:
    setup(tmp_path, "apiVersion: kvnet.dev/v1alpha1\nkind: AddressLock\nplans:\n  vms/lab:\n    lan: [\n")
    res = kvnet("lock", str(tmp_path))
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{tmp_path}/kvnet.lock:6:1: error[KV001]: YAML syntax error")
    assert (tmp_path / "kvnet.lock").read_text().endswith("lan: [\n")


@pytest.mark.parametrize("field,value,code,needle", [
    ("ipam", "host-local", "KV208", "'allocate' is only used with ipam none or static"),
    ("allocate", "192.168.1.99-192.168.1.20", "KV215", "allocate 192.168.1.99-192.168.1.20 is reversed"),
    ("allocate", "192.168.2.1-192.168.2.9", "KV215", "192.168.2.1-192.168.2.9 is outside subnet 192.168.1.0/24"),
    ("allocate", "192.168.1.1-fd00::1", "KV215", "is reversed or mixes IPv4 and IPv6"),
    ("allocate", "192.168.1.x-192.168.1.9", "KV215", "is not 'FIRST-LAST' of two IP addresses"),
    ("allocate", "192.168.1.20", "KV105", "must be a range 'START-END'"),
])
def test_allocate_field_rules(tmp_path: Path, kvnet, field: str, value: str, code: str, needle: str) -> None:
    text = plan([network(ipam="host-local" if field == "ipam" else "static",
                         allocate=value if field == "allocate" else "192.168.1.20-192.168.1.99")], [vm("a", "lan")])
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    line = [x for x in res.err.splitlines() if f"error[{code}]" in x]
    assert line and needle in line[0], res.err
    row = text.splitlines().index([x for x in text.splitlines() if x.strip().startswith("allocate:")][0]) + 1
    assert line[0].startswith(f"{path}:{row}:"), line[0]


def test_allocate_needs_a_subnet(tmp_path: Path, kvnet) -> None:
    text = plan([network(ipam="none").replace("      subnet: 192.168.1.0/24\n", "").replace(
        "      gateway: 192.168.1.1\n", "")], [vm("a", "lan")])
    res = kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 1 and "error[KV209]: network 'lan': 'allocate' needs 'subnet'" in res.err
