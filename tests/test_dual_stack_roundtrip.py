"""Dual-stack plans round-trip (issue 25 item 1): plan -> build -> import -> plan builds the same
bytes, with the pod NIC's IPv6 (spec.cluster.ipFamilies) and each family's default route where
the first plan put it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from testlib import run_kvnet

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dual-stack"


def _plan_dir(tmp_path: Path, pod_ipv6: bool) -> Path:
    """examples/dual-stack, or the same plan on a single-stack cluster (no ipFamilies: the web VM's
    pod NIC carries IPv4, its dual-stack LAN NIC the IPv6 default route only)."""
    plan = tmp_path / "plan"
    plan.mkdir()
    text = (EXAMPLE / "kvnet.yaml").read_text()
    if not pod_ipv6:
        text = "\n".join(t for t in text.splitlines() if "ipFamilies" not in t) + "\n"
    (plan / "kvnet.yaml").write_text(text)
    (plan / "kvnet.lock").write_text((EXAMPLE / "kvnet.lock").read_text())
    return plan


@pytest.mark.parametrize("pod_ipv6", [True, False], ids=["pod-ipv6", "pod-ipv4"])
def test_build_import_build_gives_the_same_bytes(tmp_path: Path, pod_ipv6: bool) -> None:
    built = run_kvnet("build", "-q", str(_plan_dir(tmp_path, pod_ipv6)))
    assert built.code == 0, built.err
    (tmp_path / "built.yaml").write_text(built.out)
    imp = run_kvnet("import", str(tmp_path / "built.yaml"))
    assert imp.code == 0, imp.err
    plan = yaml.safe_load(imp.out)
    assert (plan["spec"].get("cluster") or {}).get("ipFamilies") == (["IPv4", "IPv6"] if pod_ipv6 else None)
    web = next(v for v in plan["spec"]["vms"] if v["name"] == "web")
    assert not any(i.get("defaultRoute") for i in web["interfaces"])  # the pod NIC / first gateway carry
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "kvnet.yaml").write_text(imp.out)
    again = run_kvnet("build", "-q", str(tmp_path / "imported"))
    assert again.code == 0, again.err
    assert again.out == built.out


def test_ipfamilies_alone_deploys_no_node_side(tmp_path: Path) -> None:
    """spec.cluster with only ipFamilies says what the cluster is; it asks for no Multus, CRD or
    plugins (a spec.cluster with anything else does, SPEC §3 "Cluster")."""
    built = run_kvnet("build", "-q", str(_plan_dir(tmp_path, True)))
    assert {o["kind"] for o in yaml.safe_load_all(built.out) if o} == {"NetworkAttachmentDefinition",
                                                                       "VirtualMachine"}


SOLO = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: dual, namespace: dual}
spec:
  vms:
    - {name: solo, image: quay.io/containerdisks/debian:12}
"""


def test_a_pod_nic_without_ipv6_beside_dual_stack_ones_is_said(tmp_path: Path) -> None:
    built = run_kvnet("build", "-q", str(EXAMPLE))
    (tmp_path / "solo").mkdir()
    (tmp_path / "solo" / "kvnet.yaml").write_text(SOLO)
    solo = run_kvnet("build", "-q", str(tmp_path / "solo"))  # a single-stack cluster's pod NIC
    assert solo.code == 0, solo.err
    (tmp_path / "in.yaml").write_text(built.out + solo.out)
    imp = run_kvnet("import", str(tmp_path / "in.yaml"))
    assert imp.code == 0, imp.err
    assert "warning[KV311]: VirtualMachine 'solo': its pod NIC has no IPv6 address" in imp.err, imp.err
    assert yaml.safe_load(imp.out)["spec"]["cluster"]["ipFamilies"] == ["IPv4", "IPv6"]


POOLS = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: p, namespace: ns}
spec:
  networks:
    - {name: wa, type: bridge, bridge: br0, ipam: whereabouts, subnet: [10.20.0.0/24, "fd00:20::/64"],
       gateway: 10.20.0.1, range: [10.20.0.100-10.20.0.199, "fd00:20::100-fd00:20::1ff"],
       exclude: [10.20.0.150/32, "fd00:20::150/128"]}
    - {name: hl, type: bridge, bridge: br1, ipam: host-local, subnet: ["fd00:30::/64", 10.30.0.0/24],
       gateway: ["fd00:30::1", 10.30.0.1], range: ["fd00:30::10-fd00:30::20", 10.30.0.10-10.30.0.20]}
    - {name: ovn, type: ovn-layer2, subnet: [10.40.0.0/24, "fd00:40::/64"], exclude: [10.40.0.1/32]}
    - {name: st, type: bridge, bridge: br5, ipam: static, subnet: [10.50.0.0/24, "fd00:50::/64"],
       gateway: [10.50.0.1, "fd00:50::1"]}
  vms:
    - name: a
      image: quay.io/containerdisks/debian:12
      interfaces: [{network: wa}, {network: hl}, {network: ovn}, {network: st, address: ["fd00:50::5", 10.50.0.5]}]
"""


def test_pool_and_static_ipam_of_both_families_round_trip_without_notes(tmp_path: Path) -> None:
    """whereabouts range + ipRanges, host-local one range set per family (IPv6 first), OVN-Kubernetes
    subnets, static addresses per family: import says nothing is left out, and builds the same bytes."""
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "kvnet.yaml").write_text(POOLS)
    built = run_kvnet("build", "-q", str(tmp_path / "plan"))
    assert built.code == 0, built.err
    (tmp_path / "built.yaml").write_text(built.out)
    imp = run_kvnet("import", str(tmp_path / "built.yaml"))
    assert imp.code == 0 and "KV311" not in imp.err, imp.err
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "kvnet.yaml").write_text(imp.out)
    again = run_kvnet("build", "-q", str(tmp_path / "imported"))
    assert again.code == 0 and again.out == built.out, again.err


def test_two_pools_of_one_family_are_said_on_import(tmp_path: Path) -> None:
    built = run_kvnet("build", "-q", "-", input=POOLS)
    text = built.out.replace('"ipRanges":[{"exclude":["fd00:20::150/128"],"range":"fd00:20::/64"',
                             '"ipRanges":[{"exclude":["10.21.0.150/32"],"range":"10.21.0.0/24"')
    text = text.replace('"range_end":"fd00:20::1ff","range_start":"fd00:20::100"',
                        '"range_end":"10.21.0.199","range_start":"10.21.0.100"')
    assert text != built.out
    (tmp_path / "in.yaml").write_text(text)
    imp = run_kvnet("import", str(tmp_path / "in.yaml"))
    assert "warning[KV311]: NAD 'wa': 2 whereabouts pools of one family" in imp.err, imp.err
