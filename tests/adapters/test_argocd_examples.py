"""examples/argocd: plugin.yaml holds only fields Argo CD reads; the sidecar patch renders; settings parsing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from adapter_helpers import REPO, objects

EXAMPLE = REPO / "examples" / "argocd"

# The fields argocd-cmp-server reads from plugin.yaml (cmpserver/plugin/config.go, Argo CD 2.6 … 3.x).
# Argo CD ignores unknown keys silently, so a typo would just disable a feature: keep to this tree.
COMMAND = {"command": [str], "args": [str]}
PLUGIN_FIELDS: dict[str, Any] = {
    "apiVersion": str,
    "kind": str,
    "metadata": {"name": str, "namespace": str, "labels": dict, "annotations": dict},
    "spec": {
        "version": str,
        "init": COMMAND,
        "generate": COMMAND,
        "discover": {"fileName": str, "find": {**COMMAND, "glob": str}},
        "allowConcurrency": bool,
        "lockRepo": bool,
        "preserveFileMode": bool,
        "provideGitCreds": bool,
        "parameters": {
            "static": [{"name": str, "title": str, "tooltip": str, "required": bool, "itemType": str,
                        "collectionType": str, "string": str, "array": [str], "map": dict}],
            "dynamic": COMMAND,
        },
    },
}


def unknown_fields(value: Any, schema: Any, path: str = "") -> list[str]:
    """Keys of ``value`` outside ``schema`` (and values of the wrong type)."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path or '.'}: expected a mapping"]
        out = []
        for key, sub in value.items():
            if key not in schema:
                out.append(f"{path}.{key}" if path else str(key))
            else:
                out += unknown_fields(sub, schema[key], f"{path}.{key}" if path else str(key))
        return out
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [p for i, item in enumerate(value) for p in unknown_fields(item, schema[0], f"{path}[{i}]")]
    return [] if isinstance(value, schema) else [f"{path}: expected {schema.__name__}"]


def plugin() -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLE / "plugin.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_plugin_yaml_uses_only_fields_argocd_reads() -> None:
    assert unknown_fields(plugin(), PLUGIN_FIELDS) == []


def test_the_field_check_catches_typos() -> None:
    bad = plugin()
    bad["spec"]["discovery"] = {"fileName": "./kvnet.yaml"}
    bad["spec"]["generate"]["cmd"] = ["kvnet"]
    assert unknown_fields(bad, PLUGIN_FIELDS) == ["spec.generate.cmd", "spec.discovery"]


def test_plugin_yaml_contract() -> None:
    data = plugin()
    assert data["apiVersion"] == "argoproj.io/v1alpha1"
    assert data["kind"] == "ConfigManagementPlugin"
    assert data["metadata"]["name"] == "kvnet"
    spec = data["spec"]
    assert "version" not in spec  # matched by name alone: `plugin: {name: kvnet}`
    assert set(spec["discover"]) == {"find"} and set(spec["discover"]["find"]) == {"command"}
    assert spec["generate"] == {"command": ["kvnet", "cmp", "generate"]}  # no sh -c
    assert "init" not in spec


PLAN_NAMES = ("kvnet.yaml", "kvnet.yml", "lab.kvnet.yaml", "kvnet-lab.yml", "networkplan.yaml", "a_kvnet.yaml",
              ".kvnet.yaml")
OTHER_NAMES = ("kustomization.yaml", "rendered.yaml", "mykvnet.yaml", "kvnet.json", "values.yaml", "kvnetx.yaml")


@pytest.mark.skipif(shutil.which("sh") is None or shutil.which("grep") is None, reason="sh and grep are needed")
@pytest.mark.parametrize("name", PLAN_NAMES + OTHER_NAMES)
def test_discovery_matches_the_plan_names_of_the_pre_commit_hooks(tmp_path: Path, name: str) -> None:
    """The discovery command, run as argocd-cmp-server runs it (in the app directory; a match is
    exit 0 with output), selects exactly the directories whose files the kvnet-validate hook
    treats as plans."""
    import re

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    is_plan = re.search(hooks["kvnet-validate"]["files"], name) is not None
    assert is_plan == (name in PLAN_NAMES)
    app = tmp_path / "app"
    (app / "sub").mkdir(parents=True)
    (app / name).write_text("kind: Anything\n")
    (app / "sub" / "kvnet.yaml").write_text("kind: NetworkPlan\n")  # not the app directory's own file
    (app / "README.md").write_text("x\n")
    argv = plugin()["spec"]["discover"]["find"]["command"]
    found = subprocess.run(argv, cwd=app, capture_output=True, text=True, timeout=30, check=False)
    assert found.returncode == 0, found.stderr
    assert (found.stdout.strip() != "") == is_plan, (name, found.stdout)


def test_announced_parameters_are_the_ones_kvnet_reads() -> None:
    from kvnet.adapters.argocd import SETTINGS

    announced = [p["name"] for p in plugin()["spec"]["parameters"]["static"]]
    assert sorted(announced) == sorted(SETTINGS)


def test_dockerfile() -> None:
    text = (EXAMPLE / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines[0].startswith("FROM python:") and "slim" in lines[0]
    # kvnet comes from the repository (the build context is its root), not from an index name
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    assert copies and all((REPO / src).exists() for srcs in copies for src in srcs), copies
    installs = [line for line in lines if "pip install" in line]
    assert len(installs) == 1 and "pip install --no-cache-dir /src" in installs[0]
    assert "kvnet==" not in text
    assert "USER 999" in lines
    assert any(line.startswith("ENV HOME=/tmp") for line in lines)
    assert lines[-1] == 'ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]'


def test_application_selects_the_plugin_by_name() -> None:
    app = yaml.safe_load((EXAMPLE / "application.yaml").read_text())
    assert app["kind"] == "Application" and app["apiVersion"] == "argoproj.io/v1alpha1"
    assert app["spec"]["source"]["plugin"]["name"] == "kvnet"
    from kvnet.adapters.argocd import SETTINGS

    for p in app["spec"]["source"]["plugin"].get("parameters", []):
        assert p["name"] in SETTINGS


REPO_SERVER = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector: {matchLabels: {app.kubernetes.io/name: argocd-repo-server}}
  template:
    metadata: {labels: {app.kubernetes.io/name: argocd-repo-server}}
    spec:
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v2.13.0
          volumeMounts:
            - {mountPath: /home/argocd/cmp-server/plugins, name: plugins}
            - {mountPath: /tmp, name: tmp}
      volumes:
        - {name: var-files, emptyDir: {}}
        - {name: plugins, emptyDir: {}}
        - {name: tmp, emptyDir: {}}
"""


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_sidecar_component_patches_the_repo_server(tmp_path: Path) -> None:
    """A stand-in for Argo CD's install.yaml (the upstream Deployment has these volumes) + the component."""
    (tmp_path / "repo-server.yaml").write_text(REPO_SERVER)
    rel = os.path.relpath(EXAMPLE, tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        f"namespace: argocd\nresources: [repo-server.yaml]\ncomponents: [{rel}]\n")
    res = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=False, timeout=120)
    assert res.returncode == 0, res.stderr
    objs = {o["kind"]: o for o in objects(res.stdout)}
    cm = objs["ConfigMap"]
    assert cm["metadata"] == {"name": "kvnet-cmp-plugin", "namespace": "argocd"}
    assert yaml.safe_load(cm["data"]["plugin.yaml"]) == plugin()

    pod = objs["Deployment"]["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"argocd-repo-server", "kvnet"}
    side = containers["kvnet"]
    assert side["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert side["securityContext"]["runAsUser"] == 999 and side["securityContext"]["runAsNonRoot"] is True
    assert ":" in side["image"] and side["image"] != "kvnet-cmp"
    mounts = {m["mountPath"]: m for m in side["volumeMounts"]}
    assert mounts["/var/run/argocd"]["name"] == "var-files"
    assert mounts["/home/argocd/cmp-server/plugins"]["name"] == "plugins"
    assert mounts["/tmp"]["name"] == "cmp-tmp"
    cfg = mounts["/home/argocd/cmp-server/config/plugin.yaml"]
    assert cfg["subPath"] == "plugin.yaml"
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[cfg["name"]]["configMap"]["name"] == "kvnet-cmp-plugin"
    assert "emptyDir" in volumes["cmp-tmp"]
    assert {"var-files", "plugins", "tmp"} <= set(volumes)  # the repo-server's own are kept
    # the sidecar never shares the repo-server's /tmp
    assert containers["argocd-repo-server"]["volumeMounts"][1]["name"] == "tmp"


# -- the settings parser, on env mappings (no process environment involved) --

def test_settings_defaults(tmp_path: Path) -> None:
    from kvnet.adapters.argocd import settings

    s = settings({}, str(tmp_path))
    assert (s.kube_version, s.distribution, s.allow_empty, s.strict, s.paths, s.crds) == (
        "1.31", None, False, False, ["."], [])


def test_settings_from_parameters_and_env(tmp_path: Path) -> None:
    from kvnet.adapters.argocd import settings

    (tmp_path / "crd.yaml").write_text("{}\n")
    env = {
        "ARGOCD_APP_PARAMETERS": '[{"name": "paths", "array": ["a", "b"]}, {"name": "crds", "string": "crd.yaml"},'
                                 ' {"name": "strict", "string": "yes"}]',
        "ARGOCD_ENV_KVNET_DISTRIBUTION": "k3s",
        "ARGOCD_ENV_KVNET_PATHS": "ignored-because-the-parameter-wins",
        "ARGOCD_ENV_OTHER_TOOL": "not ours",
        "KUBE_VERSION": "1.30.5+k3s1",
    }
    s = settings(env, str(tmp_path))
    assert (s.kube_version, s.distribution, s.strict, s.paths, s.crds) == ("1.30", "k3s", True, ["a", "b"],
                                                                           ["crd.yaml"])


def test_repo_root_and_path_checks(tmp_path: Path) -> None:
    from kvnet.adapters.argocd import SettingsError, check_path, repo_root

    app = tmp_path / "clusters" / "lab"
    app.mkdir(parents=True)
    root = repo_root(str(app), "clusters/lab")
    assert root == str(tmp_path.resolve())
    check_path("p", "../shared", str(app), root)  # inside the checkout: fine
    with pytest.raises(SettingsError):
        check_path("p", "../../../x", str(app), root)
    os.symlink("/etc", app / "etc-link")
    with pytest.raises(SettingsError):
        check_path("p", "etc-link", str(app), root)
