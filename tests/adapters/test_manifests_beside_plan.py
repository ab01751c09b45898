"""Issue 24: plain manifests beside the plan (a Secret, a ConfigMap, a MultiNetworkPolicy) are
part of an Argo CD app: ``kvnet cmp generate`` passes them through with the plan's objects,
checked as kvnet's own are (KV327), never twice (KV250); local configuration, kvnet's own
rendered output and the ``crds`` files stay out. ``build``/``validate`` do it with
``--include-manifests`` (off by default: a Flux ``kustomization.yaml`` lists its files itself)."""

from __future__ import annotations

import json
from pathlib import Path

from adapter_helpers import GOOD_PLAN, kvnet, objects
from test_argocd_cmp import app, argocd_env, assert_failure_header, generate

EXTRA = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: vms}
data: {level: "3"}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: creds, namespace: vms}
  stringData: {password: s3cret}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: local-only
  annotations: {config.kubernetes.io/local-config: "true"}
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: []
---
apiVersion: kpt.dev/v1
kind: Kptfile
metadata: {name: app}
"""


def _kinds(stdout: str) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in objects(stdout)]


def test_cmp_passes_plain_manifests_through(tmp_path: Path) -> None:
    d = app(tmp_path)
    (d / "extra.yaml").write_text(EXTRA)
    rendered = kvnet(["build", "."], cwd=d).stdout
    (d / "rendered.yaml").write_text(rendered)  # kvnet's own output, committed beside: not again
    res = generate(d, argocd_env())
    assert res.returncode == 0, res.stderr
    got = _kinds(res.stdout)
    assert ("ConfigMap", "settings") in got and ("Secret", "creds") in got
    assert ("ConfigMap", "local-only") not in got and not {k for k, _ in got} & {"Kustomization", "Kptfile"}
    assert len(got) == len(objects(rendered)) + 2
    assert objects(res.stdout)[[n for _, n in got].index("creds")]["stringData"] == {"password": "s3cret"}
    again = generate(d, argocd_env())
    assert again.stdout == res.stdout  # byte-identical
    off = generate(d, argocd_env([{"name": "manifests", "string": "false"}]))
    assert off.returncode == 0 and off.stdout == rendered


def test_cmp_refuses_an_invalid_or_duplicate_manifest(tmp_path: Path) -> None:
    d = app(tmp_path)
    (d / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {level: 3}\n")
    res = generate(d, argocd_env())
    assert res.returncode == 1 and res.stdout == ""
    assert_failure_header(res.stderr)
    assert f"{d.relative_to(tmp_path / 'repo')}/bad.yaml:2:7: error[KV327]" in res.stderr.replace("\\", "/")
    nad = [o for o in objects(kvnet(["build", "."], cwd=d).stdout) if o["kind"] == "NetworkAttachmentDefinition"][0]
    (d / "bad.yaml").write_text(json.dumps({**nad, "metadata": {"name": nad["metadata"]["name"],
                                                                "namespace": nad["metadata"].get("namespace")}}))
    res = generate(d, argocd_env())
    assert res.returncode == 1 and res.stdout == "" and "error[KV250]" in res.stderr


def test_crd_files_of_the_app_are_not_deployed(tmp_path: Path) -> None:
    d = app(tmp_path)
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    (d / "crd.yaml").write_text(json.dumps(crd))
    res = generate(d, argocd_env([{"name": "crds", "array": ["crd.yaml"]}]))
    assert res.returncode == 0, res.stderr
    assert "CustomResourceDefinition" not in {k for k, _ in _kinds(res.stdout)}


def test_build_and_validate_pass_them_through_only_when_asked(tmp_path: Path) -> None:
    d = tmp_path / "app"
    d.mkdir()
    (d / "kvnet.yaml").write_text(GOOD_PLAN)
    (d / "extra.yaml").write_text(EXTRA)
    plain = kvnet(["build", "."], cwd=d)
    assert plain.returncode == 0 and ("Secret", "creds") not in _kinds(plain.stdout)
    both = kvnet(["build", "--include-manifests", "."], cwd=d)
    assert both.returncode == 0 and len(_kinds(both.stdout)) == len(_kinds(plain.stdout)) + 2
    checked = kvnet(["validate", "--include-manifests", "."], cwd=d)
    assert checked.returncode == 0 and f"{len(_kinds(both.stdout))} objects" in checked.stdout
