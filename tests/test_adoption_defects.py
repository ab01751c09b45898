"""Small defects a new user met (issue 26 item 6), through the real ``kvnet`` program."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet, write


@pytest.mark.parametrize("args", [("lock", "/nonexistent"), ("lock", "--check", "/nonexistent/kvnet.yaml"),
                                  ("check-rendered", "nope")])
def test_a_missing_path_is_kv000_not_the_parent_directory(tmp_path: Path, args: tuple[str, ...]) -> None:
    res = run_kvnet(*args, cwd=tmp_path)
    assert res.code == 2 and res.out == ""
    assert res.err.startswith(f"{args[-1]}:1:1: error[KV000]: "), res.err


@pytest.mark.parametrize("command", ["explain", "graph"])
def test_explain_and_graph_do_not_suggest_an_option_they_lack(tmp_path: Path, command: str) -> None:
    res = run_kvnet(command, str(tmp_path))
    assert res.code == 1 and "error[KV006]" in res.err and "--allow-empty" not in res.err
    assert "--allow-empty" not in run_kvnet(command, "--help").out


def _vm(tmp_path: Path, sizing: str) -> dict[str, object]:
    text = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
    text = text.replace("      cpu: 2\n      memory: 2Gi\n", sizing)
    assert sizing in text
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0, res.err
    return [o for o in yaml.safe_load_all(res.out) if o and o["kind"] == "VirtualMachine"][0]["spec"]  # type: ignore


def test_instancetype_in_virtctls_form(tmp_path: Path) -> None:
    """``instancetype: u1.medium`` and ``KIND/NAME``, as virtctl create vm takes them, are the mapping forms."""
    short = _vm(tmp_path / "a", "      instancetype: u1.medium\n      preference: virtualmachinepreference/ubuntu\n")
    long = _vm(tmp_path / "b", "      instancetype: {name: u1.medium}\n"
                               "      preference: {name: ubuntu, kind: VirtualMachinePreference}\n")
    assert short == long
    assert short["instancetype"] == {"kind": "VirtualMachineClusterInstancetype", "name": "u1.medium"}
    assert short["preference"] == {"kind": "VirtualMachinePreference", "name": "ubuntu"}
    named = _vm(tmp_path / "c", "      instancetype: virtualmachineinstancetype/big\n")
    assert named["instancetype"] == {"kind": "VirtualMachineInstancetype", "name": "big"}


def test_a_wrong_instancetype_string_says_the_forms(tmp_path: Path) -> None:
    text = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
    text = text.replace("      cpu: 2\n      memory: 2Gi\n", "      instancetype: vmit/u1.medium\n")
    res = run_kvnet("validate", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 1 and "error[KV105]" in res.out and "virtualmachineinstancetype/NAME" in res.out


def test_one_bridge_with_two_vlans_is_one_node_of_the_graph() -> None:
    res = run_kvnet("graph", "--output", "mermaid", str(EXAMPLES / "nmstate-bridge"))
    assert res.code == 0
    assert res.out.count('"node: bridge br-vms"') == 1
    assert '-- "vlan 10" -->' in res.out and '-- "vlan 20" -->' in res.out


def test_every_hook_on_a_bad_plan_prints_its_error_once(tmp_path: Path) -> None:
    """The four hooks of .pre-commit-hooks.yaml as pre-commit runs them (entry + the files its
    ``files``/``types`` take and ``exclude`` leaves), on one bad plan: KV210 once (kvnet-validate),
    KV055 from the two hooks that compile it, nothing from kvnet-lint (plan files are not its)."""
    import re
    import shlex

    from testlib import REPO

    plan = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text().replace(
        "subnet: 192.168.1.0/24", "subnet: 192.168.1.200/24")
    write(tmp_path / "clusters" / "bad" / "kvnet.yaml", plan)
    changed = "clusters/bad/kvnet.yaml"
    out = ""
    for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()):
        takes = re.search(hook["files"], changed) if "files" in hook else changed.endswith((".yaml", ".yml"))
        if not takes or ("exclude" in hook and re.search(hook["exclude"], changed)):
            continue
        argv = shlex.split(hook["entry"])
        assert argv[0] == "kvnet"
        res = run_kvnet(*argv[1:], changed, cwd=tmp_path)
        assert res.code == 1, (hook["id"], res.out, res.err)
        out += res.out + res.err
    assert out.count("error[KV210]") == 1, out
    assert out.count("error[KV055]") == 2, out


def test_the_doctor_job_is_a_valid_job_whose_command_doctor_takes(tmp_path: Path) -> None:
    """examples/doctor/job.yaml (doctor where the node has no Python 3.11): valid for Kubernetes
    (kubernetes-validate, strict), and its command runs kvnet doctor with the host at --root."""
    import kubernetes_validate

    job = yaml.safe_load((EXAMPLES / "doctor" / "job.yaml").read_text())
    kubernetes_validate.validate(job, "1.31", strict=True)
    pod = job["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["host"]["hostPath"]["path"] == "/" and mounts["host"] == "/host"
    command = pod["containers"][0]["command"]
    assert command[:2] == ["kvnet", "doctor"] and command[command.index("--root") + 1] == "/host"
    # the image has no 'bridge' or 'ovs-vsctl': the node's own run inside /host, in the node's network
    assert "--host-tools" in command and pod["hostNetwork"] is True
    assert "SYS_CHROOT" in pod["containers"][0]["securityContext"]["capabilities"]["add"]
    # the README shows this very file
    readme = (EXAMPLES.parent / "README.md").read_text()
    assert "```yaml\n" + (EXAMPLES / "doctor" / "job.yaml").read_text() + "```\n" in readme
    # the same command on a stand-in node root and plan directory: checks run (exit 0/1), no usage error
    root, plans = tmp_path / "host", tmp_path / "plan"
    root.mkdir()
    write(plans / "kvnet.yaml", (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text())
    args = [str(root) if a == "/host" else str(plans / "kvnet.yaml") if a == "/plan/kvnet.yaml" else a
            for a in command[1:]]
    res = run_kvnet(*args)
    assert res.code == 1 and "error[KV500]" in res.out + res.err, res.out + res.err
