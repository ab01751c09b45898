"""VM instancetype/preference and sshKeys (issue 13): the emitted VirtualMachine passes the upstream
KubeVirt schemas, KubeVirt's instance-type conflict rule is a compile error (KV243)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import UPSTREAM, run_kvnet, write

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkz0Sx1E5q7nX1CwXzoHrtU7eJxV9HkM4o7fDkq4sXb alice@laptop"

PLAN = f"""
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab, namespace: vms}}
spec:
  networks:
    - {{name: lan, type: bridge, bridge: br-lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}}
  vms:
    - name: web-1
      instancetype: {{name: u1.medium}}
      preference: {{name: ubuntu, kind: VirtualMachinePreference}}
      image: quay.io/containerdisks/ubuntu:22.04
      sshKeys: ["{KEY}"]
      interfaces:
        - network: default
        - {{network: lan, address: 192.168.1.20}}
    - name: bare
      image: quay.io/containerdisks/ubuntu:22.04
      sshKeys: ["{KEY}"]
      cloudInit: {{networkData: none}}
"""


def _objects(tmp_path: Path, text: str = PLAN) -> list[dict[str, Any]]:
    write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 0, res.err
    return list(yaml.safe_load_all(res.out))


def _vm(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == name)


def test_instancetype_and_preference_replace_cpu_and_memory(tmp_path: Path) -> None:
    vm = _vm(_objects(tmp_path), "web-1")
    assert vm["spec"]["instancetype"] == {"kind": "VirtualMachineClusterInstancetype", "name": "u1.medium"}
    assert vm["spec"]["preference"] == {"kind": "VirtualMachinePreference", "name": "ubuntu"}
    domain = vm["spec"]["template"]["spec"]["domain"]
    assert "cpu" not in domain and "resources" not in domain and "memory" not in domain


def test_ssh_keys_become_a_secret_and_nocloud_access_credentials(tmp_path: Path) -> None:
    objs = _objects(tmp_path)
    for name in ("web-1", "bare"):
        spec = _vm(objs, name)["spec"]["template"]["spec"]
        secret_name = f"{name}-ssh-keys"
        assert spec["accessCredentials"] == [{"sshPublicKey": {
            "source": {"secret": {"secretName": secret_name}}, "propagationMethod": {"noCloud": {}}}}]
        secret = next(o for o in objs if o["kind"] == "Secret" and o["metadata"]["name"] == secret_name)
        assert [base64.b64decode(v).decode() for v in secret["data"].values()] == [KEY]
        # KubeVirt's noCloud propagation needs a cloudInitNoCloud volume and its disk
        vols = [v for v in spec["volumes"] if "cloudInitNoCloud" in v]
        assert len(vols) == 1
        assert vols[0]["name"] in [d["name"] for d in spec["domain"]["devices"]["disks"]]


@pytest.mark.parametrize("schema", ["virtualmachine_v1.json", "virtualmachine_v1.kubevirt-v1.9.0.json"])
def test_vms_pass_the_upstream_kubevirt_schema(tmp_path: Path, schema: str) -> None:
    path = UPSTREAM / "schemas" / schema
    if not path.is_file():
        pytest.skip(f"{path} absent (the upstream schemas live in ../shared/upstream)")
    from jsonschema import Draft7Validator

    validator = Draft7Validator(json.loads(path.read_text()))
    for vm in (o for o in _objects(tmp_path) if o["kind"] == "VirtualMachine"):
        assert [e.message for e in validator.iter_errors(vm)] == []


def test_cpu_or_memory_beside_instancetype_is_kv243(tmp_path: Path) -> None:
    text = PLAN.replace("      instancetype: {name: u1.medium}\n",
                        "      instancetype: {name: u1.medium}\n      cpu: 2\n      memory: 4Gi\n"
                        "      template: {domain: {resources: {requests: {memory: 1Gi}}}}\n")
    write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    lines = [line for line in res.err.splitlines() if "KV243" in line]
    assert len(lines) == 3, res.err
    plan = tmp_path / "kvnet.yaml"
    assert lines[0].startswith(f"{plan}:10:12: error[KV243]: VM 'web-1': cpu 2 conflicts with instancetype 'u1.medium'")
    assert lines[1].startswith(f"{plan}:11:15: error[KV243]: VM 'web-1': memory '4Gi' conflicts")
    assert "template sets domain.resources.requests.memory" in lines[2] and f"{plan}:12:" in lines[2]


def test_a_key_that_is_not_an_openssh_public_key_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", PLAN.replace(KEY, "AAAA-not-a-key"))
    res = run_kvnet("validate", str(tmp_path))
    assert res.code == 1
    report = res.err + res.out
    assert "error[KV105]" in report and "'AAAA-not-a-key' is not an OpenSSH public key line" in report
