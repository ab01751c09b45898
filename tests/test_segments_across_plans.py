"""One L2 segment is one address space across plans (issue 24; the last acceptance check found
two plans of one build, in two namespaces, on one node bridge and VLAN with the same address
passing). KV216 at both places for plans of one directory (one app), for addresses kvnet.lock
allocated (``kvnet lock`` allocates across them), through Argo CD's entry point, and in ``kvnet
lint`` of hand-written NADs of two namespaces; KV292 when their subnets differ. Other VLANs stay
other segments; two directories are two apps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from testlib import run_kvnet

IMG = "quay.io/containerdisks/fedora:40"


def plan(ns: str, net: str, vm: str, address: str | None, vlan: int = 30, subnet: str = "10.30.0.0/24") -> str:
    network = {"name": net, "type": "bridge", "bridge": "br0", "vlan": vlan, "subnet": subnet, "ipam": "static"}
    iface = {"network": net} | ({"address": address} if address else {})
    if address is None:
        network["allocate"] = "10.30.0.100-10.30.0.199"
    doc = {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "metadata": {"name": ns, "namespace": ns},
           "spec": {"networks": [network], "vms": [{"name": vm, "memory": "1Gi", "image": IMG, "interfaces": [iface]}]}}
    return yaml.safe_dump(doc, sort_keys=False)


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _findings(*args: str, cwd: Path) -> list[tuple[str, str, int, str]]:
    run = run_kvnet("validate", "--format", "json", *args, cwd=cwd)
    found = json.loads(run.out)
    assert run.code == (1 if any(d["severity"] == "error" for d in found) else 0), run.err
    return sorted((d["code"], d["file"], d["line"], d["message"]) for d in found)


def test_two_plans_in_one_directory_share_the_segment(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(plan("team-a", "lan", "web", "10.30.0.10/24"))
    b.write_text(plan("team-b", "storage", "db", "10.30.0.10/24"))
    at_a, at_b = _line(a, "address: 10.30.0.10"), _line(b, "address: 10.30.0.10")
    col = a.read_text().splitlines()[at_a - 1].index("10.30.0.10") + 1
    seg = "(one L2 segment: Linux bridge 'br0' VLAN 30)"
    assert _findings(".", cwd=tmp_path) == [
        ("KV216", "a.yaml", at_a, f"VM 'web': address 10.30.0.10 is also used by VM 'db' of plan 'team-b/team-b' "
                                  f"on network 'storage' at b.yaml:{at_b}:{col} {seg}"),
        ("KV216", "b.yaml", at_b, f"VM 'db': address 10.30.0.10 is already used by VM 'web' of plan "
                                  f"'team-a/team-a' on network 'lan' at a.yaml:{at_a}:{col} {seg}")]
    build = run_kvnet("build", ".", cwd=tmp_path)
    assert (build.code, build.out) == (1, "") and build.err.count("error[KV216]") == 2
    b.write_text(plan("team-b", "storage", "db", "10.30.0.10/24", vlan=31))  # another VLAN: another segment
    assert _findings(".", cwd=tmp_path) == []
    b.write_text(plan("team-b", "storage", "db", "10.30.0.11/25", subnet="10.30.0.0/25"))
    got = _findings(".", cwd=tmp_path)
    assert [(c, f) for c, f, _, _ in got] == [("KV292", "a.yaml"), ("KV292", "b.yaml")]
    assert "subnet 10.30.0.0/24 differs from subnet 10.30.0.0/25 of network 'storage' of plan 'team-b/team-b'" \
        in got[0][3]


def test_allocated_addresses_and_two_directories(tmp_path: Path) -> None:
    """Two plans of one directory (one kvnet.lock) allocating on one segment: ``kvnet lock`` hands
    out addresses across them; a lock that gives both the same address is KV216 at both plans.
    Two directories are two apps (perhaps two clusters, whose br0 are other wires): not compared,
    neither by validate nor by ``kvnet build a b``."""
    for ns, vm in (("a", "web"), ("b", "db")):
        (tmp_path / f"{ns}.yaml").write_text(plan(ns, "lan", vm, None))
    locked = run_kvnet("lock", ".", cwd=tmp_path)
    assert locked.code == 0, locked.err
    assert locked.out.splitlines() == ["kvnet.lock: a/a lan web: + 10.30.0.100", "kvnet.lock: b/b lan db: + 10.30.0.101"]
    assert _findings(".", cwd=tmp_path) == []
    lock = tmp_path / "kvnet.lock"
    lock.write_text(lock.read_text().replace("10.30.0.101", "10.30.0.100"))
    got = _findings(".", cwd=tmp_path)
    assert [(c, f) for c, f, _, _ in got] == [("KV216", "a.yaml"), ("KV216", "b.yaml")]
    assert "address 10.30.0.100 is already used by VM 'web' of plan 'a/a'" in got[1][3]
    build = run_kvnet("build", ".", cwd=tmp_path)
    assert (build.code, build.out) == (1, "")
    relock = run_kvnet("lock", ".", cwd=tmp_path)  # the first plan's held entry stays, the other moves
    assert relock.code == 0 and relock.out.splitlines() == ["kvnet.lock: b/b lan db: ~ 10.30.0.100 -> 10.30.0.101"]
    for ns in ("a", "b"):  # two apps
        (tmp_path / ns).mkdir()
        (tmp_path / ns / "kvnet.yaml").write_text(plan(ns, "lan", "web", "10.30.0.10/24"))
    assert _findings("a", "b", cwd=tmp_path) == []
    assert run_kvnet("build", "a", "b", cwd=tmp_path).code == 0


def test_argo_cd_entry_point_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(plan("team-a", "lan", "web", "10.30.0.10/24"))
    (tmp_path / "b.yaml").write_text(plan("team-b", "lan", "db", "10.30.0.10/24"))
    run = run_kvnet("cmp", "generate", cwd=tmp_path, env={"ARGOCD_APP_NAME": "seg"})
    assert run.code == 1 and run.out == "" and run.err.count("KV216") == 2


def test_lint_reads_hand_written_nads_of_two_namespaces(tmp_path: Path) -> None:
    for ns, vm in (("team-a", "web"), ("team-b", "db")):
        (tmp_path / f"{ns}.yaml").write_text(plan(ns, "lan", vm, "10.30.0.10/24"))
        built = run_kvnet("build", f"{ns}.yaml", cwd=tmp_path)
        assert built.code == 0, built.err
        (tmp_path / "manifests").mkdir(exist_ok=True)
        (tmp_path / "manifests" / f"{ns}.yaml").write_text(built.out)
    run = run_kvnet("lint", "--format", "json", "manifests", cwd=tmp_path)
    assert run.code == 1, run.err
    got: list[dict[str, Any]] = json.loads(run.out)
    nad_line = _line(tmp_path / "manifests" / "team-a.yaml", "config:")
    assert sorted((d["code"], d["file"], d["line"]) for d in got) == [
        ("KV216", "manifests/team-a.yaml", nad_line), ("KV216", "manifests/team-b.yaml", nad_line)]
    assert "of namespace 'team-a'" in got[1]["message"] or "of namespace 'team-a'" in got[0]["message"]
