"""Hostile inputs of the kinds issue #14 names, re-created here (no files from outside the repo).

Each attack is ``(name, setup)``: ``setup(tmp)`` writes what it needs under ``tmp`` and returns
the kvnet arguments, the working directory, the stdin file (or None), extra environment and the
code the diagnostic must carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

HEAD = "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: x, namespace: vms}\nspec:\n"
LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n")
DOC_UNDER_OLD_BOUND = LAUGHS + "e: [*d, *d, *d, *d, *d, *d, *d, *d]\n"  # ~89,000 nodes: under 100,000 alone
CRD = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: kubevirt.io\n"
       "  names: {kind: VirtualMachine}\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n")
PLAN = HEAD + "  vms: [{name: a, image: 'quay.io/x/y:1', interfaces: [{network: default}]}]\n"


class Attack(NamedTuple):
    args: list[str]
    cwd: Path | None
    stdin: Path | None
    env: dict[str, str]
    code: str
    krm: bool = False  # a KRM function answers a failure with a ResourceList carrying results


def _plan(tmp: Path, text: str, name: str = "kvnet.yaml") -> Path:
    d = tmp / "plan"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def aliases_over_many_documents(tmp: Path) -> Attack:
    return Attack(["validate", str(_plan(tmp, "---\n".join([DOC_UNDER_OLD_BOUND] * 600)))], None, None, {}, "KV003")


def aliases_over_many_files(tmp: Path) -> Attack:
    for i in range(4):
        _plan(tmp, DOC_UNDER_OLD_BOUND, f"part-{i}.yaml")
    return Attack(["build", str(tmp / "plan")], None, None, {}, "KV003")


def ten_mib_flow_list(tmp: Path) -> Attack:
    return Attack(["build", str(_plan(tmp, HEAD + "  vms: [" + "1," * (5 * 1024 * 1024 - 100) + "1]\n"))],
                  None, None, {}, "KV003")


def ten_mib_block_list(tmp: Path) -> Attack:
    return Attack(["validate", str(_plan(tmp, HEAD + "  vms:\n" + "  - a\n" * (10 * 1024 * 1024 // 6 - 100)))],
                  None, None, {}, "KV003")


def files_over_the_total_bound(tmp: Path) -> Attack:
    filler = "# " + "x" * 1000 + "\n"
    for i in range(3):  # 27 MiB: over twice the 10 MiB a file set here
        _plan(tmp, filler * (9 * 1024), f"part-{i}.yaml")
    return Attack(["build", str(tmp / "plan")], None, None, {"KVNET_MAX_INPUT_MB": "10"}, "KV004")


def crd_billion_laughs(tmp: Path) -> Attack:
    body = "".join("        " + line + "\n" for line in (LAUGHS + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                                        "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]").splitlines())
    (tmp / "crd.yaml").write_text(CRD + body)
    return Attack(["build", "--crd", str(tmp / "crd.yaml"), str(_plan(tmp, PLAN))], None, None, {}, "KV003")


def crd_not_utf8(tmp: Path) -> Attack:
    (tmp / "crd.yaml").write_bytes(b"\xff\xfe not utf8\n")
    return Attack(["build", "--crd", str(tmp / "crd.yaml"), str(_plan(tmp, PLAN))], None, None, {}, "KV001")


def crd_malformed(tmp: Path) -> Attack:
    (tmp / "crd.yaml").write_text(CRD.split("  versions:")[0] + "  versions: 5\n")
    return Attack(["validate", "--crd", str(tmp / "crd.yaml"), str(_plan(tmp, PLAN))], None, None, {}, "KV009")


def argocd_crds_billion_laughs(tmp: Path) -> Attack:
    crd_billion_laughs(tmp)
    app = _plan(tmp, PLAN)
    (app / "crd.yaml").unlink(missing_ok=True)
    (app / "crds").mkdir()
    (app / "crds" / "vm.yml").write_text((tmp / "crd.yaml").read_text())
    params = json.dumps([{"name": "crds", "array": ["crds/vm.yml"]}])
    return Attack(["cmp", "generate"], app, None, {"ARGOCD_APP_NAME": "x", "ARGOCD_APP_PARAMETERS": params}, "KV003")


def fn_resource_list_bomb(tmp: Path) -> Attack:
    text = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
            + "".join("  " + line + "\n" for line in (LAUGHS + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                                      "f: [*e, *e]").splitlines()))
    (tmp / "rl.yaml").write_text(text)
    return Attack(["fn"], tmp, tmp / "rl.yaml", {}, "KV003")


def fn_ten_mib_item_without_a_plan(tmp: Path) -> Attack:
    text = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: v1, kind: ConfigMap, "
            "metadata: {name: a}, data: {k: '" + "x" * (10 * 1024 * 1024 - 300) + "'}}\nfunctionConfig: {}\n")
    (tmp / "rl.yaml").write_text(text)
    return Attack(["fn"], tmp, tmp / "rl.yaml", {}, "KV006", krm=True)


def kustomize_config_bomb(tmp: Path) -> Attack:
    (tmp / "gen.yaml").write_text("---\n".join([DOC_UNDER_OLD_BOUND] * 3))
    return Attack(["kustomize", "exec", str(tmp / "gen.yaml")], tmp, None, {}, "KV003")


def verify_nad_config_bomb(tmp: Path) -> Attack:
    body = "".join("    " + line + "\n" for line in (LAUGHS + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                                    "f: [*e, *e]").splitlines())
    nad = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\nspec:\n"
           "  config:\n" + body)
    (tmp / "nad.yaml").write_text(nad)
    return Attack(["verify", str(tmp / "nad.yaml")], None, None, {}, "KV003")


def huge_secret(tmp: Path) -> Attack:
    user_data = "#cloud-config\nwrite_files:\n- path: /x\n  content: " + "A" * (1100 * 1024) + "\n"
    plan = {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "metadata": {"name": "x", "namespace": "vms"},
            "spec": {"vms": [{"name": "a", "image": "quay.io/x/y:1", "cloudInit": {"userData": user_data},
                              "interfaces": [{"network": "default"}]}]}}
    return Attack(["build", str(_plan(tmp, json.dumps(plan)))], None, None, {}, "KV108")


ATTACKS: dict[str, Callable[[Path], Attack]] = {f.__name__: f for f in (
    aliases_over_many_documents, aliases_over_many_files, ten_mib_flow_list, ten_mib_block_list,
    files_over_the_total_bound, crd_billion_laughs, crd_not_utf8, crd_malformed, argocd_crds_billion_laughs,
    fn_resource_list_bomb, fn_ten_mib_item_without_a_plan, kustomize_config_bomb, huge_secret,
    verify_nad_config_bomb)}
