"""Every example builds, and every object it emits passes the upstream schemas and
KubeVirt's network admission rules (checked here independently of kvnet's code)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import example_dirs, run_kvnet, upstream

EXAMPLES = example_dirs()


def build(example: Path) -> list[dict[str, Any]]:
    res = run_kvnet("build", str(example))
    assert res.code == 0, res.err
    assert res.err == ""
    docs = list(yaml.safe_load_all(res.out))
    assert docs and all(isinstance(d, dict) for d in docs)
    return docs


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.name for p in EXAMPLES])
def built(request: pytest.FixtureRequest) -> tuple[Path, list[dict[str, Any]]]:
    return request.param, build(request.param)


def _upstream_validator(name: str) -> Any:
    path = upstream(f"schemas/{name}")
    from jsonschema import Draft7Validator

    return Draft7Validator(json.loads(path.read_text()))


@pytest.mark.parametrize("schema", ["virtualmachine_v1.json", "virtualmachine_v1.kubevirt-v1.9.0.json"])
def test_vms_validate_against_upstream_kubevirt_schema(built, schema: str) -> None:
    validator = _upstream_validator(schema)
    vms = [o for o in built[1] if o["kind"] == "VirtualMachine"]
    assert vms
    for vm in vms:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(vm)]
        assert errors == [], (vm["metadata"]["name"], errors)


def test_nads_validate_against_upstream_nad_schema(built) -> None:
    validator = _upstream_validator("networkattachmentdefinition_v1.json")
    nads = [o for o in built[1] if o["kind"] == "NetworkAttachmentDefinition"]
    assert nads
    for nad in nads:
        assert list(validator.iter_errors(nad)) == []
        cfg = json.loads(nad["spec"]["config"])
        assert nad["spec"]["config"] == json.dumps(cfg, sort_keys=True, separators=(",", ":"))
        assert cfg["name"] == nad["metadata"]["name"]
        assert cfg["cniVersion"] in ("0.3.1", "0.4.0", "1.0.0")


MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
BINDINGS = ("masquerade", "bridge", "sriov", "slirp", "macvtap", "passt", "binding", "passtBinding")


def admission_problems(vm: dict[str, Any]) -> list[str]:
    """KubeVirt's network admission rules (pkg/network/admitter), restated for the test."""
    spec = vm["spec"]["template"]["spec"]
    nets = spec["networks"]
    ifaces = spec["domain"]["devices"]["interfaces"]
    out = []
    if [n["name"] for n in nets] != [i["name"] for i in ifaces]:
        out.append("networks and interfaces are not 1:1 in the same order")
    if len({n["name"] for n in nets}) != len(nets):
        out.append("duplicate network names")
    if sum(1 for n in nets if "pod" in n) > 1:
        out.append("more than one pod network")
    pod_names = {n["name"] for n in nets if "pod" in n}
    for n in nets:
        if ("pod" in n) == ("multus" in n):
            out.append(f"{n['name']}: not exactly one of pod/multus")
    for i in ifaces:
        found = [b for b in BINDINGS if b in i]
        if len(found) != 1:
            out.append(f"{i['name']}: {len(found)} bindings")
        if "masquerade" in i and i["name"] not in pod_names:
            out.append(f"{i['name']}: masquerade on a non-pod network")
        if not MAC.match(i.get("macAddress", "")):
            out.append(f"{i['name']}: bad or missing macAddress")
        elif int(i["macAddress"][:2], 16) & 1:
            out.append(f"{i['name']}: multicast MAC")
    macs = [i["macAddress"] for i in ifaces]
    if len(set(macs)) != len(macs):
        out.append("duplicate MACs in one VM")
    return out


def test_vms_pass_kubevirt_network_admission(built) -> None:
    for vm in (o for o in built[1] if o["kind"] == "VirtualMachine"):
        assert admission_problems(vm) == [], vm["metadata"]["name"]


def test_no_multus_annotation_anywhere(built) -> None:
    text = yaml.safe_dump_all(built[1])
    assert "k8s.v1.cni.cncf.io/networks" not in text


def test_every_object_is_labelled_and_sourced(built) -> None:
    for obj in built[1]:
        meta = obj["metadata"]
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "kvnet"
        assert meta["labels"]["kvnet.dev/plan"]
        assert meta["annotations"]["kvnet.dev/source"] == "kvnet.yaml"
        assert meta["annotations"]["argocd.argoproj.io/sync-wave"] in ("-2", "-1", "0")


def test_cloud_init_network_data_covers_every_nic(built) -> None:
    for vm in (o for o in built[1] if o["kind"] == "VirtualMachine"):
        spec = vm["spec"]["template"]["spec"]
        macs = [i["macAddress"] for i in spec["domain"]["devices"]["interfaces"]]
        ci = [v["cloudInitNoCloud"] for v in spec["volumes"] if "cloudInitNoCloud" in v][0]
        nd = yaml.safe_load(ci["networkData"])
        assert nd["version"] == 2
        assert sorted(e["match"]["macaddress"] for e in nd["ethernets"].values()) == sorted(macs)


def test_field_scenario_key_lines() -> None:
    objs = build(Path(__file__).resolve().parents[1] / "examples" / "k3s-lan-static")
    kinds = [o["kind"] for o in objs]
    assert kinds == ["NetworkAttachmentDefinition", "VirtualMachine"]
    nad, vm = objs
    assert nad["metadata"]["name"] == "external" and nad["metadata"]["namespace"] == "default"
    assert json.loads(nad["spec"]["config"]) == {
        "bridge": "br-ext", "cniVersion": "1.0.0", "name": "external", "type": "bridge"}
    assert nad["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "SkipDryRunOnMissingResource=true"
    assert vm["metadata"]["name"] == "ubuntu-rulai-multus-vm"
    spec = vm["spec"]["template"]["spec"]
    assert spec["networks"] == [{"name": "default", "pod": {}},
                                {"name": "external", "multus": {"networkName": "default/external"}}]
    ifaces = spec["domain"]["devices"]["interfaces"]
    assert [("masquerade" in i, "bridge" in i) for i in ifaces] == [(True, False), (False, True)]
    ci = [v["cloudInitNoCloud"] for v in spec["volumes"] if "cloudInitNoCloud" in v][0]
    nd = yaml.safe_load(ci["networkData"])
    eth1 = nd["ethernets"]["eth1"]
    assert eth1["addresses"] == ["192.168.1.200/24"]
    assert "routes" not in eth1 and eth1["nameservers"] == {"addresses": ["192.168.1.1"]}  # pod NIC: default route
    assert eth1["match"]["macaddress"] == ifaces[1]["macAddress"]
    assert nd["ethernets"]["eth0"]["dhcp4"] is True
    assert spec["volumes"][0] == {"name": "rootdisk", "containerDisk": {"image": "quay.io/containerdisks/ubuntu:22.04"}}


def test_crd_option_validates_nads_against_the_upstream_crd(tmp_path: Path) -> None:
    crd = upstream("multus/network-attachment-definitions.crd.yml")
    example = Path(__file__).resolve().parents[1] / "examples" / "k3s-lan-static"
    ok = run_kvnet("build", "--crd", str(crd), str(example))
    assert ok.code == 0, ok.err
    # a CRD that requires a field kvnet does not write makes the build fail, stdout empty
    strict = yaml.safe_load(crd.read_text())
    strict["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["required"] = ["spec", "status"]
    bad = tmp_path / "crd.yaml"
    bad.write_text(yaml.safe_dump(strict))
    res = run_kvnet("build", "--crd", str(bad), str(example))
    assert res.code == 1 and res.out == ""
    assert "error[KV900]" in res.err and "'status' is a required property" in res.err


def test_missing_crd_file_is_usage_error(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "k3s-lan-static"
    res = run_kvnet("build", "--crd", str(tmp_path / "nope.yaml"), str(example))
    assert res.code == 2 and res.out == "" and "--crd" in res.err


def test_readme_network_data_example_is_the_build_output() -> None:
    """The README's networkData of examples/k3s-lan-static is what `kvnet build` writes today."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("networkData: |", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    indent = len(lines[0]) - len(lines[0].lstrip())
    shown = yaml.safe_load("\n".join(line[indent:].split("  #")[0] for line in lines))
    vm = [o for o in build(Path(__file__).resolve().parents[1] / "examples" / "k3s-lan-static")
          if o["kind"] == "VirtualMachine"][0]
    ci = [v["cloudInitNoCloud"] for v in vm["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v][0]
    assert shown == yaml.safe_load(ci["networkData"])
