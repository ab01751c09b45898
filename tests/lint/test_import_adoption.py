"""``kvnet import`` that loses nothing (issue 26 item 4): ``-n/--namespace`` for namespace-less
manifests (the upstream KubeVirt examples in ../shared/upstream/examples), never exit 0 having
dropped a NIC (KV053), and no server-set field carried into the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet, upstream, write

UPSTREAM_EXAMPLES = ["blog-2023-ovnk-secondary-vm-server.yaml", "blog-2025-evpn-l2-vm-1.yaml",
                     "userguide-macvtap-binding-vm.yaml"]


def _vm_networks(stream: str) -> list[dict[str, object]]:
    vms = [o for o in yaml.safe_load_all(stream) if o and o["kind"] == "VirtualMachine"]
    assert len(vms) == 1
    return vms[0]["spec"]["template"]["spec"]["networks"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", UPSTREAM_EXAMPLES)
def test_namespace_less_upstream_examples_keep_their_secondary_nic(name: str, tmp_path: Path) -> None:
    source = upstream(f"examples/{name}")
    original = yaml.safe_load(source.read_text())
    multus = [n for n in original["spec"]["template"]["spec"]["networks"] if "multus" in n]
    assert multus and "namespace" not in original["metadata"]
    # without -n the NIC cannot be expressed: an error at the interface, nothing written
    res = run_kvnet("import", "--format", "json", str(source))
    assert res.code == 1 and res.out == ""
    assert "KV053" in {d["code"] for d in json.loads(res.err)}
    # with -n, kubectl's default for objects without a namespace: the NAD is there
    res = run_kvnet("import", "-n", "lab", str(source))
    assert res.code == 0, res.err
    plan = write(tmp_path / "kvnet.yaml", res.out)
    built = run_kvnet("build", str(plan))
    assert built.code == 0, built.err
    networks = _vm_networks(built.out)
    assert [n["multus"]["networkName"] for n in networks if "multus" in n] == \
        [f"lab/{n['multus']['networkName']}" for n in multus]
    assert len(networks) == len(original["spec"]["template"]["spec"]["networks"])


def test_namespace_does_not_move_objects_that_name_theirs(tmp_path: Path) -> None:
    built = run_kvnet("build", str(EXAMPLES / "k3s-lan-static")).out
    res = run_kvnet("import", "-n", "elsewhere", "-", input=built)
    assert res.code == 0 and yaml.safe_load(res.out)["metadata"]["namespace"] == "default"


def _as_read_back(obj: dict[str, object]) -> dict[str, object]:
    """``obj`` as ``kubectl get -o yaml`` prints it after ``kubectl apply`` and KubeVirt's defaulting."""
    meta = obj["metadata"]
    assert isinstance(meta, dict)
    meta.update(uid="6f1c2a0e-1f1e-4e8e-9a43-3f0d1c9b2b11", resourceVersion="48213", generation=2,
                creationTimestamp="2026-01-05T10:00:00Z", managedFields=[{"manager": "kubectl", "operation": "Update"}])
    meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(obj)
    if obj["kind"] == "VirtualMachine":
        meta["annotations"].update({"kubevirt.io/latest-observed-api-version": "v1",
                                    "kubevirt.io/storage-observed-api-version": "v1"})
        spec = obj["spec"]["template"]["spec"]  # type: ignore[index]
        spec["architecture"] = "amd64"
        spec["domain"]["firmware"] = {"uuid": "3d1a5a0c-6f8e-5b55-9d2c-1f5c0c8d7e21"}
        spec["domain"]["machine"] = {"type": "q35"}
        obj["status"] = {"printableStatus": "Running", "ready": True}
    return obj


def test_server_set_fields_stay_out_of_the_plan(tmp_path: Path) -> None:
    example = EXAMPLES / "k3s-lan-static"
    built = run_kvnet("build", str(example)).out
    dump = {"apiVersion": "v1", "kind": "List",
            "items": [_as_read_back(o) for o in yaml.safe_load_all(built) if o]}
    res = run_kvnet("import", "-", input=yaml.safe_dump(dump))
    assert res.code == 0, res.err
    for server_set in ("last-applied-configuration", "observed-api-version", "uuid", "architecture", "machine",
                       "managedFields", "resourceVersion"):
        assert server_set not in res.out, server_set
    again = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", res.out)))
    assert again.code == 0 and _vm_networks(again.out) == _vm_networks(built)


def test_a_kustomize_namespace_over_kvnet_output_is_reported_not_silent(tmp_path: Path) -> None:
    """kustomize's ``namespace:`` moves the NAD and the VM but leaves ``multus.networkName`` in the
    old namespace: lint of the kustomized output says so (KV054, an error) instead of KV306."""
    import shutil
    import subprocess

    if shutil.which("kubectl") is None:
        pytest.skip("needs kubectl (kustomize)")
    write(tmp_path / "rendered.yaml", run_kvnet("build", str(EXAMPLES / "k3s-lan-static")).out)
    write(tmp_path / "kustomization.yaml", "namespace: prod\nresources: [rendered.yaml]\n")
    out = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    assert "namespace: prod" in out and "networkName: default/external" in out  # what kustomize does
    res = run_kvnet("lint", "--format", "json", "-", input=out)
    assert res.code == 1 and [d["code"] for d in json.loads(res.out)] == ["KV054"]
    assert run_kvnet("import", "-", input=out).code == 1  # and import refuses it
    # the plan's own namespace instead: no finding
    plan = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text().replace("namespace: default", "namespace: prod")
    built = run_kvnet("build", str(write(tmp_path / "plan" / "kvnet.yaml", plan))).out
    assert "networkName: prod/external" in built
    assert run_kvnet("lint", "--strict", "-", input=built).code == 0
