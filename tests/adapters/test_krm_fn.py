"""``kvnet fn``: the KRM function (ResourceList in, ResourceList out)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from adapter_helpers import (
    BAD_PLAN,
    GOOD_PLAN,
    by_identity,
    clean_env,
    kvnet,
    kvnet_build,
    objects,
)

PASS_THROUGH = """\
  # a user's resource, comments and all
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: keep-me  # trailing comment
      annotations:
        config.kubernetes.io/path: cm.yaml
    data:
      key: "quoted value"
"""


def resource_list(plan: str, items: str = PASS_THROUGH, path: str | None = "kvnet.yaml",
                  api_version: str = "config.kubernetes.io/v1") -> str:
    fc = yaml.safe_load(plan)
    ann = {"config.kubernetes.io/function": "exec:\n  path: ./kvnet-fn\n"}
    if path:
        ann["internal.config.kubernetes.io/path"] = path
    fc["metadata"]["annotations"] = ann
    fc_text = "\n".join("  " + line for line in yaml.safe_dump(fc, sort_keys=False).splitlines())
    return f"apiVersion: {api_version}\nkind: ResourceList\nitems:\n{items}functionConfig:\n{fc_text}\n"


def run_fn(text: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return kvnet(["fn", *args], cwd=cwd, stdin=text)


def generated(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in out["items"] if (i["metadata"].get("labels") or {}).get("app.kubernetes.io/managed-by")]


def strip_fn_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    obj = yaml.safe_load(yaml.safe_dump(obj))
    ann = obj["metadata"]["annotations"]
    for key in list(ann):
        if key.startswith(("config.kubernetes.io/", "internal.config.kubernetes.io/")):
            del ann[key]
    return obj


def test_generates_plan_objects_and_passes_items_through(tmp_path: Path) -> None:
    res = run_fn(resource_list(GOOD_PLAN), tmp_path)
    assert res.returncode == 0, res.stderr
    out = yaml.safe_load(res.stdout)
    assert out["apiVersion"] == "config.kubernetes.io/v1" and out["kind"] == "ResourceList"
    assert "results" not in out
    first = out["items"][0]
    assert first["metadata"]["name"] == "keep-me" and first["data"] == {"key": "quoted value"}
    # comments and quoting of passed-through items survive
    assert "# a user's resource, comments and all" in res.stdout
    assert any(line.strip().startswith("name: keep-me") and line.endswith("# trailing comment")
               for line in res.stdout.splitlines())
    assert 'key: "quoted value"' in res.stdout

    gen = generated(out)
    assert [o["kind"] for o in gen] == ["NetworkAttachmentDefinition", "VirtualMachine"]
    for obj in gen:
        ann = obj["metadata"]["annotations"]
        path = f"kvnet/vms_{obj['kind'].lower()}_{obj['metadata']['name']}.yaml"
        assert ann["config.kubernetes.io/path"] == ann["internal.config.kubernetes.io/path"] == path
        assert ann["config.kubernetes.io/index"] == ann["internal.config.kubernetes.io/index"] == "0"

    # the same objects as kvnet build of the plan file (the path annotation names kvnet.yaml)
    (tmp_path / "kvnet.yaml").write_text(GOOD_PLAN)
    want = by_identity(objects(kvnet_build(tmp_path)))
    assert by_identity([strip_fn_annotations(o) for o in gen]) == want


def test_rerun_replaces_its_own_earlier_output(tmp_path: Path) -> None:
    first = run_fn(resource_list(GOOD_PLAN), tmp_path)
    assert first.returncode == 0, first.stderr
    items = yaml.safe_load(first.stdout)["items"]
    again_in = resource_list(GOOD_PLAN, items="".join(
        "  " + line + "\n" for line in yaml.safe_dump(items, sort_keys=False).splitlines()))
    again = run_fn(again_in, tmp_path)
    assert again.returncode == 0, again.stderr
    assert [i["kind"] for i in yaml.safe_load(again.stdout)["items"]] == [
        "ConfigMap", "NetworkAttachmentDefinition", "VirtualMachine"]


def test_errors_become_results_and_a_nonzero_exit(tmp_path: Path) -> None:
    res = run_fn(resource_list(BAD_PLAN, path=None), tmp_path)
    assert res.returncode == 1
    out = yaml.safe_load(res.stdout)
    assert [i["metadata"]["name"] for i in out["items"]] == ["keep-me"]  # nothing generated
    (result,) = out["results"]
    assert result["severity"] == "error"
    assert result["message"].startswith("KV210: ")
    assert result["field"] == {"path": "spec.networks[0].subnet"}
    assert result["resourceRef"] == {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "name": "lab",
                                     "namespace": "vms"}
    assert result["tags"]["kvnet.dev/code"] == "KV210"
    assert "file" not in result  # kustomize did not say which file
    assert "NetworkPlan/lab: spec.networks[0].subnet: error[KV210]" in res.stderr


def test_results_point_at_the_users_file_when_it_is_there(tmp_path: Path) -> None:
    (tmp_path / "kvnet.yaml").write_text(BAD_PLAN)
    res = run_fn(resource_list(BAD_PLAN, path="kvnet.yaml"), tmp_path)
    assert res.returncode == 1
    (result,) = yaml.safe_load(res.stdout)["results"]
    assert result["file"] == {"path": "kvnet.yaml"}
    assert result["tags"]["kvnet.dev/line"] == "12"
    assert "kvnet.yaml:12:15: error[KV210]" in res.stderr


WARNING_PLAN = GOOD_PLAN.replace("spec:\n", "spec:\n  cluster:\n    distribution: openshift\n"
                                 "    plugins: {install: always}\n", 1)


def test_warnings_are_results_without_failing(tmp_path: Path) -> None:
    res = run_fn(resource_list(WARNING_PLAN), tmp_path)
    assert res.returncode == 0, res.stderr
    out = yaml.safe_load(res.stdout)
    assert [r["severity"] for r in out["results"]] == ["warning"]
    assert [o["kind"] for o in generated(out)] == ["NetworkAttachmentDefinition", "VirtualMachine"]
    assert "warning[" in res.stderr


def test_v1beta1_lists_are_answered_in_kind(tmp_path: Path) -> None:
    res = run_fn(resource_list(GOOD_PLAN, api_version="config.kubernetes.io/v1beta1"), tmp_path)
    assert res.returncode == 0, res.stderr
    assert yaml.safe_load(res.stdout)["apiVersion"] == "config.kubernetes.io/v1beta1"


@pytest.mark.parametrize("stdin,needle", [
    ("apiVersion: v1\nkind: List\nitems: []\n", "not a ResourceList"),
    ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n", "no functionConfig"),
    ("key: [unclosed\n", "YAML syntax error"),
    ("", "not one YAML mapping"),
])
def test_bad_input_is_exit_2_with_nothing_on_stdout(tmp_path: Path, stdin: str, needle: str) -> None:
    res = run_fn(stdin, tmp_path)
    assert res.returncode == 2
    assert res.stdout == ""
    assert needle in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("before,after", [("      interfaces:", "      interfaces\t:"),  # fuzz seed 27 found this
                                           ("      name: keep-me", "      name:\tkeep-me")])
def test_a_tab_only_libyaml_reads_is_refused_where_it_is(tmp_path: Path, before: str, after: str) -> None:
    """kvnet fn passes the input's lines through: a tab libyaml and Go take but PyYAML without
    libyaml and ruamel do not (``key<TAB>:``) would reach its answer (kvnet.input.tabs)."""
    text = resource_list(GOOD_PLAN).replace(before, after, 1)
    assert after in text
    line = text[:text.index(after)].count("\n") + 1
    res = run_fn(text, tmp_path)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr.startswith(f"<stdin>:{line}:{after.index(chr(9)) + 1}: error[KV001]"), res.stderr


def test_tabs_in_comments_and_quoted_or_block_scalars_pass_through_readable(tmp_path: Path) -> None:
    items = PASS_THROUGH.replace('key: "quoted value"', 'key: "quoted\tvalue"  # a\tcomment\n      block: |\n        a\tb')
    res = run_fn(resource_list(GOOD_PLAN, items), tmp_path)
    assert res.returncode == 0, res.stderr
    assert '"quoted\tvalue"  # a\tcomment' in res.stdout  # byte for byte
    data = yaml.load(res.stdout, Loader=yaml.SafeLoader)  # PyYAML's pure-Python loader reads it
    assert data["items"][0]["data"] == {"key": "quoted\tvalue", "block": "a\tb\n"}


def test_function_config_that_is_not_a_plan_is_an_error(tmp_path: Path) -> None:
    text = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
            "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n")
    res = run_fn(text, tmp_path)
    assert res.returncode == 1
    (result,) = yaml.safe_load(res.stdout)["results"]
    assert "KV006" in result["message"]


def test_github_format_under_actions(tmp_path: Path) -> None:
    res = kvnet(["fn"], cwd=tmp_path, stdin=resource_list(BAD_PLAN, path=None),
                env=clean_env(GITHUB_ACTIONS="true"))
    assert res.returncode == 1
    assert res.stderr.startswith("::error title=kvnet KV210::NetworkPlan/lab: spec.networks[0].subnet: ")


STANDALONE = shutil.which("kustomize")


@pytest.mark.skipif(STANDALONE is None, reason="needs the standalone kustomize binary (--enable-exec); "
                                                "kubectl kustomize cannot run exec KRM functions")
def test_real_kustomize_exec_function(tmp_path: Path) -> None:
    wrapper = tmp_path / "kvnet-fn"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -m kvnet fn \"$@\"\n")
    wrapper.chmod(0o755)
    plan = GOOD_PLAN.replace("  namespace: vms\n", "  namespace: vms\n  annotations:\n"
                             "    config.kubernetes.io/function: |\n      exec:\n        path: ./kvnet-fn\n")
    (tmp_path / "plan.yaml").write_text(plan)
    (tmp_path / "kustomization.yaml").write_text("generators:\n  - plan.yaml\n")
    res = subprocess.run([str(STANDALONE), "build", "--enable-alpha-plugins", "--enable-exec", str(tmp_path)],
                         capture_output=True, text=True, check=False, timeout=180, env=clean_env())
    assert res.returncode == 0, res.stderr
    got = [strip_fn_annotations(o) for o in objects(res.stdout)]
    assert [o["kind"] for o in got] == ["NetworkAttachmentDefinition", "VirtualMachine"]

    (tmp_path / "plan.yaml").write_text(plan.replace("192.168.10.0/24", "192.168.10.7/24"))
    bad = subprocess.run([str(STANDALONE), "build", "--enable-alpha-plugins", "--enable-exec", str(tmp_path)],
                         capture_output=True, text=True, check=False, timeout=180, env=clean_env())
    assert bad.returncode != 0 and "KV210" in bad.stderr


def test_rerun_cuts_out_stale_objects_between_items_and_keeps_the_rest_byte_for_byte(tmp_path: Path) -> None:
    stale = ("  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: stale\n      labels:\n"
             "        app.kubernetes.io/managed-by: kvnet\n        kvnet.dev/plan: lab\n")
    other = "  # another user's item\n  - {apiVersion: v1, kind: Secret, metadata: {name: s}}   # flow, kept as is\n"
    text = resource_list(GOOD_PLAN, items=PASS_THROUGH + stale + other).replace(
        "functionConfig:", "results:\n- message: old\n  severity: info\nfunctionConfig:")
    res = run_fn(text, tmp_path)
    assert res.returncode == 0, res.stderr
    assert PASS_THROUGH + other in res.stdout  # neighbours of the cut-out item, untouched
    out = yaml.safe_load(res.stdout)
    assert [i["metadata"]["name"] for i in out["items"]] == ["keep-me", "s", "lan", "web-1"]
    assert "results" not in out and "stale" not in res.stdout
    assert res.stdout.endswith(text[text.index("functionConfig:"):])  # the plan itself, as it came


@pytest.mark.parametrize("items", ["items: []\n", "items:\n", ""])
def test_empty_or_missing_items_get_the_generated_objects(tmp_path: Path, items: str) -> None:
    text = resource_list(GOOD_PLAN).replace("items:\n" + PASS_THROUGH, items)
    res = run_fn(text, tmp_path)
    assert res.returncode == 0, res.stderr
    out = yaml.safe_load(res.stdout)
    assert [o["kind"] for o in out["items"]] == ["NetworkAttachmentDefinition", "VirtualMachine"]


def test_flow_style_list_takes_the_round_trip_path_with_the_same_result(tmp_path: Path) -> None:
    block = yaml.safe_load(run_fn(resource_list(GOOD_PLAN), tmp_path).stdout)
    as_json = json.dumps(yaml.safe_load(resource_list(GOOD_PLAN)))  # JSON is YAML in flow style
    res = run_fn(as_json, tmp_path)
    assert res.returncode == 0, res.stderr
    assert yaml.safe_load(res.stdout) == block


KPT = shutil.which("kpt")


@pytest.mark.skipif(KPT is None, reason="needs kpt on PATH")
def test_real_kpt_fn_eval_renders_and_rerenders_a_package(tmp_path: Path) -> None:
    wrapper = tmp_path / "kvnet-fn"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -m kvnet fn \"$@\"\n")
    wrapper.chmod(0o755)
    (tmp_path / "plan.yaml").write_text(GOOD_PLAN)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep-me # a comment\ndata:\n  key: \"quoted\"\n"
    (pkg / "cm.yaml").write_text(cm)
    cmd = [str(KPT), "fn", "eval", str(pkg), "--exec", str(wrapper), "--fn-config", str(tmp_path / "plan.yaml")]
    for _ in range(2):  # the second run replaces the first run's objects
        res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=180, env=clean_env())
        assert res.returncode == 0, res.stderr
        assert sorted(p.name for p in (pkg / "kvnet").iterdir()) == [
            "vms_networkattachmentdefinition_lan.yaml", "vms_virtualmachine_web-1.yaml"]
        assert (pkg / "cm.yaml").read_text() == cm
    got = [strip_fn_annotations(o) for p in sorted((pkg / "kvnet").iterdir()) for o in objects(p.read_text())]
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "plan.yaml").write_text(GOOD_PLAN)
    want = objects(kvnet_build(ref))
    for obj in want:  # kpt names no file for --fn-config: the source is the plan's name
        obj["metadata"]["annotations"]["kvnet.dev/source"] = "NetworkPlan/lab"
    assert by_identity(got) == by_identity(want)
