"""Dual-stack IPAM (issue 25) through the real CNI plugins: the static and host-local configs
kvnet writes for a network with an IPv4 and an IPv6 subnet give the pod one address per family."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

from verify_helpers import Run

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: ds, namespace: vms}
spec:
  networks:
    - {name: st, type: bridge, bridge: br-st, ipam: static, subnet: [10.40.0.0/24, "fd00:40::/64"],
       gateway: [10.40.0.1, "fd00:40::1"]}
    - {name: pool, type: bridge, bridge: br-pool, ipam: host-local, subnet: ["fd00:20::/64", 10.20.0.0/24],
       range: [10.20.0.100-10.20.0.199, "fd00:20::100-fd00:20::1ff"]}
  vms:
    - name: a
      image: quay.io/containerdisks/debian:12
      interfaces:
        - {network: st, address: [10.40.0.5, "fd00:40::5"]}
        - {network: pool}
"""


def test_dual_stack_ipam_gives_one_address_per_family(runnable: str, tmp_path: Path,
                                                      verify: Callable[..., Run]) -> None:
    (tmp_path / "kvnet.yaml").write_text(PLAN)
    r = verify([str(tmp_path)])
    assert r.code == 0, (r.out, r.err)
    got = {x["name"]: x for x in r.json["results"]}
    assert got["a-st"]["status"] == "ok", got["a-st"]
    assert sorted(got["a-st"]["ips"]) == ["10.40.0.5/24", "fd00:40::5/64"]
    assert got["pool"]["status"] == "ok", got["pool"]
    ips = [ipaddress.ip_interface(i) for i in got["pool"]["ips"]]
    assert sorted(i.version for i in ips) == [4, 6]
    assert all(i.ip in ipaddress.ip_network("10.20.0.0/24" if i.version == 4 else "fd00:20::/64") for i in ips)
