"""kvnet plans as input: every example under examples/ and hand-written plans."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from verify_helpers import Run

Verify = Callable[..., Run]
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIRS = sorted(p.parent for p in (ROOT / "examples").glob("*/kvnet.yaml"))
# Reasons a NAD may legitimately be skipped on a machine like this one.
SKIP_REASONS = ("kernel lacks", "is not installed in", "needs the CNI dhcp daemon", "no stand-in can replace")


def compile_nads(path: Path) -> list[dict[str, Any]]:
    compiler = pytest.importorskip("kvnet.pipeline", reason="the core compiler is not available")
    result = compiler.compile_paths([str(path)], compiler.BuildOptions())
    assert result.ok, [str(d) for d in result.diagnostics]
    return [o for o in result.objects if o.get("kind") == "NetworkAttachmentDefinition"]


@pytest.mark.skipif(not EXAMPLE_DIRS, reason="no examples/*/ directories yet")
@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_example_nads_pass_the_real_plugins(runnable: str, example: Path, verify: Verify) -> None:
    nads = compile_nads(example)
    r = verify([str(example)])
    if not nads:
        assert r.code == 1 and "no NetworkAttachmentDefinition found" in r.err
        return
    assert r.code == 0, (r.out, r.err)
    got = [(x["namespace"], x["name"]) for x in r.json["results"]]
    want = [(n["metadata"].get("namespace"), n["metadata"]["name"]) for n in nads]
    assert sorted(got, key=str) == sorted(want, key=str)
    for res in r.json["results"]:
        assert res["status"] in ("ok", "skipped"), res
        if res["status"] == "ok":
            assert res["steps"][0] == "ADD" and res["steps"][-1] == "DEL"
        else:
            assert any(reason in res["message"] for reason in SKIP_REASONS), res["message"]
        assert res["source"].startswith(str(example)), res["source"]


def write_plan(tmp_path: Path, body: str) -> Path:
    (tmp_path / "kvnet.yaml").write_text(textwrap.dedent(body).lstrip())
    return tmp_path


PLAN = """
    apiVersion: kvnet.dev/v1alpha1
    kind: NetworkPlan
    metadata: {name: t, namespace: vms}
    spec:
      networks:
        - name: lan
          type: bridge
          bridge: br-lan
          subnet: 10.50.0.0/24
          gateway: 10.50.0.1
          ipam: static
        - name: pool
          type: macvlan
          master: eth1
          mode: bridge
          subnet: 10.60.0.0/24
          ipam: host-local
          range: 10.60.0.100-10.60.0.199
      vms:
        - name: web-1
          image: quay.io/containerdisks/ubuntu:22.04
          interfaces:
            - network: default
            - network: lan
              address: 10.50.0.20/24
"""


def test_plan_is_compiled_and_verified(runnable: str, tmp_path: Path, verify: Verify) -> None:
    pytest.importorskip("kvnet.pipeline", reason="the core compiler is not available")
    plan = write_plan(tmp_path, PLAN)
    (tmp_path / "kustomization.yaml").write_text("resources: []\n")
    r = verify([str(plan)])
    assert r.code == 0, (r.out, r.err)
    static = r.result("web-1-lan")
    assert (static["namespace"], static["status"], static["ips"]) == ("vms", "ok", ["10.50.0.20/24"])
    assert static["source"] == str(tmp_path / "kvnet.yaml")
    pool = r.result("pool")
    assert pool["status"] == "ok" and pool["ipam"] == "host-local"
    assert pool["ips"][0].startswith("10.60.0.1") and pool["ips"][0].endswith("/24")


def test_plan_with_errors_prints_diagnostics(runnable: str, tmp_path: Path, verify: Verify) -> None:
    pytest.importorskip("kvnet.pipeline", reason="the core compiler is not available")
    plan = write_plan(tmp_path, PLAN.replace("subnet: 10.50.0.0/24", "subnet: 192.168.1.200/24")
                      .replace("gateway: 10.50.0.1", "gateway: 192.168.1.1")
                      .replace("address: 10.50.0.20/24", "address: 192.168.1.20/24"))
    r = verify([str(plan)], fmt="text")
    assert r.code == 1 and r.out == ""
    assert f"{tmp_path / 'kvnet.yaml'}:" in r.err and ": error[" in r.err
    assert "192.168.1.200/24" in r.err


def test_plans_and_plain_nads_together(runnable: str, tmp_path: Path, verify: Verify) -> None:
    pytest.importorskip("kvnet.pipeline", reason="the core compiler is not available")
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    write_plan(plan_dir, PLAN)
    extra = tmp_path / "extra.yaml"
    extra.write_text('{"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition", '
                     '"metadata": {"name": "hand"}, "spec": {"config": '
                     '"{\\"cniVersion\\":\\"1.0.0\\",\\"name\\":\\"hand\\",\\"type\\":\\"nope\\"}"}}\n')
    r = verify([str(extra), str(plan_dir)])
    assert r.code == 1
    assert [x["name"] for x in r.json["results"]] == ["hand", "pool", "web-1-lan"]  # PATH order, then build order
    assert r.result("hand")["status"] == "failed" and "'nope'" in r.result("hand")["message"]
    assert r.json["summary"]["ok"] == 2
