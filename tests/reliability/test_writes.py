"""Writes only where asked (issue #14): planted links, --prune, kvnet.dev/source, Argo CD links."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from testlib import run_kvnet, write

PLAN = """
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: lan, type: bridge, bridge: br-lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}
  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      cloudInit: {userData: "#cloud-config\\nruncmd: [echo planted]\\n"}
      interfaces: [{network: default}, {network: lan, address: 192.168.1.20/24}]
"""


def test_planted_tmp_link_in_output_dir_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "plan" / "kvnet.yaml", PLAN)
    victim = tmp_path / "victim.txt"
    victim.write_text("original content\n")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("vms_virtualmachine_web-1.yaml.tmp", "vms_virtualmachine_web-1.yaml"):
        (out / name).symlink_to("../victim.txt")  # the old temporary name, and the object's own name
    res = run_kvnet("build", "-o", str(out), str(tmp_path / "plan"))
    assert res.code == 0, res.err
    assert victim.read_text() == "original content\n"
    vm = out / "vms_virtualmachine_web-1.yaml"
    assert not vm.is_symlink() and yaml.safe_load(vm.read_text())["kind"] == "VirtualMachine"


def test_check_rendered_fix_does_not_follow_a_planted_link(tmp_path: Path) -> None:
    write(tmp_path / "cr" / "kvnet.yaml", PLAN)
    victim = tmp_path / "victim2.txt"
    victim.write_text("orig\n")
    (tmp_path / "cr" / "rendered.yaml.tmp").symlink_to("../victim2.txt")
    res = run_kvnet("check-rendered", "--fix", str(tmp_path / "cr"))
    assert res.code == 1 and "rewrote" in res.err
    assert victim.read_text() == "orig\n"
    assert run_kvnet("check-rendered", str(tmp_path / "cr")).code == 0  # the fix is the real build output


def test_overlay_output_dir_does_not_follow_planted_links(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("orig\n")
    out = tmp_path / "ov"
    out.mkdir()
    for name in ("kustomization.yaml", "kustomization.yaml.kvnet-tmp"):
        (out / name).symlink_to("../victim.txt")
    res = run_kvnet("overlay", "k3s", "-o", str(out))
    assert res.code == 0, res.err
    assert victim.read_text() == "orig\n"
    assert not (out / "kustomization.yaml").is_symlink()


HANDWRITTEN = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-kvnet-vms, namespace: vms}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/managed-by: kvnet
  ingress: [{}]
"""


def test_prune_deletes_only_files_kvnet_wrote(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan" / "kvnet.yaml", PLAN)
    out = tmp_path / "out"
    out.mkdir()
    (out / "allow-kvnet-vms.yaml").write_text(HANDWRITTEN)
    assert run_kvnet("build", "-o", str(out), str(plan.parent)).code == 0
    # drop the VM: its file is stale and kvnet's own; the hand-written policy is neither
    plan.write_text(plan.read_text().split("  vms:")[0])
    res = run_kvnet("build", "-o", str(out), str(plan.parent))
    assert res.code == 0 and "1 file(s)" in res.err and "vms_virtualmachine_web-1.yaml" in res.err
    res = run_kvnet("build", "-o", str(out), "--prune", str(plan.parent))
    assert res.code == 0, res.err
    assert sorted(os.listdir(out)) == ["allow-kvnet-vms.yaml", "vms_networkattachmentdefinition_lan.yaml"]
    assert (out / "allow-kvnet-vms.yaml").read_text() == HANDWRITTEN


def resource_list(path: str) -> str:
    fc = yaml.safe_load(PLAN)
    fc["metadata"]["annotations"] = {"config.kubernetes.io/path": path}
    return json.dumps({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [],
                       "functionConfig": fc})


def test_fn_keeps_kvnet_dev_source_relative_to_the_package(tmp_path: Path) -> None:
    for given, expected in (("/etc/kvnet/secret-plan.yaml", "secret-plan.yaml"), ("../../up/plan.yaml", "plan.yaml"),
                            ("plans/lab.yaml", "plans/lab.yaml")):
        res = run_kvnet("fn", cwd=tmp_path, input=resource_list(given))
        assert res.code == 0, res.err
        sources = {i["metadata"]["annotations"]["kvnet.dev/source"] for i in yaml.safe_load(res.out)["items"]}
        assert sources == {expected}, given


def test_argocd_mode_refuses_a_link_out_of_the_repository(tmp_path: Path) -> None:
    app = tmp_path / "repo" / "apps" / "lab"
    write(app / "kvnet.yaml", PLAN)
    write(tmp_path / "outside.yaml", PLAN.replace("name: lab", "name: leak").replace("web-1", "leak-1"))
    (app / "extra.yaml").symlink_to("../../../outside.yaml")
    (app / "inside.yaml").symlink_to("kvnet.yaml")  # a link that stays inside is fine (same file, read once)
    env = {"ARGOCD_APP_NAME": "lab", "ARGOCD_APP_SOURCE_PATH": "apps/lab"}
    res = run_kvnet("cmp", "generate", cwd=app, env=env)
    assert res.code == 2 and res.out == ""
    assert "apps/lab/extra.yaml" in res.err and "outside the repository" in res.err
    (app / "extra.yaml").unlink()
    res = run_kvnet("cmp", "generate", cwd=app, env=env)
    assert res.code == 0 and "leak" not in res.out and "web-1" in res.out
