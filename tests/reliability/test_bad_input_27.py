"""Bad input that ended in exit 3 or in a silent success (issue #27): explicit YAML tags that
cannot be converted, in every input kind; merge keys of non-mappings; keys equal once read;
a --crd file holding no CRD; a KRM ResourceList after an empty document or with Python tags;
an import that would write a plan build refuses; Argo CD parameters nested deep or with NUL;
symbolic link loops. Each: a one-line diagnostic at file:line:col, exit 1 or 2, empty stdout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from testlib import Run, run_kvnet, write

HEAD = "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: x, namespace: vms}\nspec:\n"
ALLOC = (HEAD + "  networks: [{name: s, type: bridge, bridge: br-s, subnet: 10.20.0.0/24, ipam: static, "
         "allocate: 10.20.0.100-10.20.0.199}]\n"
         "  vms: [{name: a, image: 'quay.io/x/y:1', interfaces: [{network: s}]}]\n")
BAD_TAGS = ["!!int 0x", "!!int abc", '!!int ""', "!!float abc", "!!bool maybe", "!!timestamp 2001-13-45",
            "!!timestamp x", "!!int 0b", "!!float .", '!!bool ""']
POSITIONED = re.compile(r"^\S+:\d+:\d+: error\[KV\d{3}\]: ", re.M)


def plan_with(value: str) -> str:
    return HEAD + f"  vms: [{{name: a, cpu: {value}, image: 'quay.io/x/y:1', interfaces: [{{network: default}}]}}]\n"


def positioned_failure(r: Run, code: str, where: str, report: bool = False) -> None:
    """``report``: the command's report goes to stdout (lint), else stdout stays empty."""
    assert r.code in (1, 2), r.err
    assert report or r.out == "", r.out[:300]
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    first = (r.out if report else r.err).splitlines()[0]
    assert POSITIONED.match(first) and f"[{code}]" in first and first.startswith(where), r.err


@pytest.mark.parametrize("tag", BAD_TAGS)
def test_bad_explicit_tag_in_a_plan(tmp_path: Path, tag: str) -> None:
    write(tmp_path / "p" / "kvnet.yaml", plan_with(tag))
    commands = [["build", "p"], ["validate", "p"], ["lock", "p"], ["explain", "p"], ["check-rendered", "p"]]
    for args in commands if tag == BAD_TAGS[0] else commands[:1]:  # the same loader: one tag through all
        r = run_kvnet(*args, cwd=tmp_path)
        assert r.code in (1, 2) and "Traceback" not in r.err and "internal error" not in r.err, (args, r.err)
        report = r.out + r.err if args[0] == "validate" else r.err  # validate's report goes to stdout
        assert "p/kvnet.yaml:5:24: error[KV001]" in report and "valid !!" in report, (args, r.err)
    r = run_kvnet("cmp", "generate", cwd=tmp_path / "p", env={"ARGOCD_APP_NAME": "a"})
    assert r.code == 1 and r.out == "" and "kvnet.yaml:5:24: error[KV001]" in r.err, r.err


def test_bad_explicit_tags_in_every_other_input(tmp_path: Path) -> None:
    write(tmp_path / "m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: !!int 0x}\n")
    positioned_failure(run_kvnet("lint", "m.yaml", cwd=tmp_path), "KV001", "m.yaml:3:18", report=True)
    positioned_failure(run_kvnet("import", "m.yaml", cwd=tmp_path), "KV001", "m.yaml:3:18")
    write(tmp_path / "lk" / "kvnet.yaml", ALLOC)
    write(tmp_path / "lk" / "kvnet.lock", "apiVersion: !!bool maybe\nkind: AddressLock\nplans: {}\n")
    for cmd in ("build", "lock"):
        positioned_failure(run_kvnet(cmd, "lk", cwd=tmp_path), "KV001", "lk/kvnet.lock:1:13")
    write(tmp_path / "crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                                 "spec: {group: !!timestamp 2001-13-45}\n")
    write(tmp_path / "p" / "kvnet.yaml", plan_with("2"))
    positioned_failure(run_kvnet("build", "--crd", "crd.yaml", "p", cwd=tmp_path), "KV001", "crd.yaml:3:15")
    rl = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: v1, kind: ConfigMap, "
          "metadata: {name: c}, data: {k: !!float abc}}\nfunctionConfig: {kind: NetworkPlan}\n")
    r = run_kvnet("fn", cwd=tmp_path, input=rl)
    assert r.code == 2 and "<stdin>:4:68: error[KV001]" in r.err and "internal error" not in r.err, r.err
    write(tmp_path / "k" / "kustomization.yaml", "generators: [plan.yaml]\n")
    write(tmp_path / "k" / "cfg.yaml", plan_with("!!int 0x"))
    r = run_kvnet("kustomize", "exec", "cfg.yaml", cwd=tmp_path / "k")
    assert r.code == 2 and r.out == "" and ":5:24: error[KV001]" in r.err, r.err


def test_tagged_collections_are_refused_not_passed_through(tmp_path: Path) -> None:
    """fn passed `!!python/tuple` items through: its stdout then failed yaml.safe_load."""
    rl = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- !!python/tuple [1, 2]\n"
          "functionConfig: {kind: NetworkPlan}\n")
    r = run_kvnet("fn", cwd=tmp_path, input=rl)
    assert r.code == 2 and "<stdin>:4:3: error[KV001]" in r.err and "!!python/tuple" in r.err, r.err
    if r.out:
        yaml.safe_load(r.out)
    write(tmp_path / "p" / "kvnet.yaml", HEAD + "  vms: !!set {a: null}\n")
    positioned_failure(run_kvnet("build", "p", cwd=tmp_path), "KV001", "p/kvnet.yaml:5:8")


def test_merge_of_non_mappings_and_keys_equal_once_read(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {<<: [1, 2]}\n")
    r = run_kvnet("lint", "a.yaml", cwd=tmp_path)
    assert r.code == 1 and "a.yaml:4:12: error[KV001]: a merge key ('<<') takes a mapping" in r.out, r.out
    write(tmp_path / "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {1: a, true: b}\n")
    r = run_kvnet("lint", "b.yaml", cwd=tmp_path)
    assert "b.yaml:4:14: error[KV002]: key 'true' is the same key as '1' (first at line 4)" in r.out, r.out
    assert "duplicate key True" not in r.out


def test_crd_file_without_a_crd_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "p" / "kvnet.yaml", plan_with("2"))
    write(tmp_path / "list.yaml", "- a\n- b\n")
    positioned_failure(run_kvnet("build", "--crd", "list.yaml", "p", cwd=tmp_path), "KV009", "list.yaml:1:1")
    write(tmp_path / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    r = run_kvnet("validate", "--crd", "cm.yaml", "p", cwd=tmp_path)
    assert r.code == 1 and "cm.yaml:1:1: error[KV009]: --crd file holds no CustomResourceDefinition" in r.out + r.err


def test_fn_refuses_an_empty_document_before_the_resource_list(tmp_path: Path) -> None:
    rl = "~\n---\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: {}\n"
    r = run_kvnet("fn", cwd=tmp_path, input=rl)
    assert r.code == 2 and r.out == "" and "<stdin>:3:1: error[KV980]: stdin holds an empty document" in r.err


def test_import_refuses_a_vm_no_plan_accepts_and_shortens_its_name(tmp_path: Path) -> None:
    name = "a" * 1_000_000
    write(tmp_path / "m.yaml", f"apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {{name: {name}, "
          "namespace: vms}\nspec:\n  template:\n    spec:\n      domain: {devices: {interfaces: [{name: default, "
          "masquerade: {}}]}}\n      networks: [{name: default, pod: {}}]\n      volumes: [{name: rootdisk, "
          "containerDisk: {image: 'quay.io/containerdisks/ubuntu:22.04'}}]\n")
    r = run_kvnet("import", "m.yaml", cwd=tmp_path)
    assert r.code == 1 and r.out == "", r.err[:500]
    assert "m.yaml:3:18: error[KV010]: VirtualMachine vms/aaaa" in r.err and "[KV105]" in r.err, r.err[:500]
    assert len(r.err) < 3000, f"{len(r.err)} bytes of stderr: a name is echoed whole"


@pytest.mark.parametrize("params", ["[" * 50000 + "]" * 50000, '[{"name":"paths","array":["\\u0000"]}]',
                                    '[{"name":"paths","string":"a\\u0000b"}]', '[{"name":"crds","array":["\\u0000"]}]',
                                    json.dumps([{"name": "x" * 100000, "string": "1"}])])
def test_argocd_parameters_deep_or_with_nul_are_usage_errors(tmp_path: Path, params: str) -> None:
    write(tmp_path / "kvnet.yaml", plan_with("2"))
    r = run_kvnet("cmp", "generate", cwd=tmp_path, env={"ARGOCD_APP_NAME": "a", "ARGOCD_APP_PARAMETERS": params})
    assert (r.code, r.out) == (2, ""), r.err
    lines = r.err.splitlines()
    assert lines[0].startswith("kvnet: Argo CD app a: cannot generate") and len(lines) == 2 and len(r.err) < 600, r.err


def test_cmp_failure_line_comes_first_with_a_bad_kube_version(tmp_path: Path) -> None:
    r = run_kvnet("cmp", "generate", cwd=tmp_path, env={"ARGOCD_APP_NAME": "a", "KUBE_VERSION": "v9.99.0"})
    assert r.code != 0 and r.err.startswith("kvnet: Argo CD app a: cannot generate manifests"), r.err
    assert "destination cluster is Kubernetes 9.99.0" in r.err


def test_symbolic_link_loop_is_not_called_dangling(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    for args in (["build", "."], ["lint", "."]):
        r = run_kvnet(*args, cwd=tmp_path)
        text = r.out + r.err
        assert "loop.yaml:1:1: error[KV000]: cannot read: symbolic link loop" in text, text
        assert "gone.yaml:1:1: error[KV000]: cannot read: dangling symbolic link" in text, text
    r = run_kvnet("build", "loop.yaml", cwd=tmp_path)
    assert r.code == 2 and "symbolic link loop" in r.err
