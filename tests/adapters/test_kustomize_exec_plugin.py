"""kvnet as a kustomize legacy exec plugin, through the real ``kubectl kustomize --enable-alpha-plugins``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from adapter_helpers import (
    BAD_LINE,
    BAD_PLAN,
    GOOD_PLAN,
    by_identity,
    clean_env,
    kvnet,
    kvnet_build,
    objects,
)

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@pytest.fixture
def plugin_home(tmp_path: Path) -> Path:
    home = tmp_path / "plugins"
    res = kvnet(["kustomize", "install-plugin", "--plugin-home", str(home)], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    exe = home / "kvnet.dev" / "v1alpha1" / "networkplan" / "NetworkPlan"
    assert res.stdout.strip() == str(exe)
    return home


def kustomize(directory: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(KUSTOMIZE_PLUGIN_HOME=str(home))
    return subprocess.run(["kubectl", "kustomize", "--enable-alpha-plugins", str(directory)], env=env,
                          capture_output=True, text=True, check=False, timeout=180)


def test_installed_executable_runs_kvnet_with_this_python(plugin_home: Path) -> None:
    exe = plugin_home / "kvnet.dev" / "v1alpha1" / "networkplan" / "NetworkPlan"
    assert os.access(exe, os.X_OK)
    text = exe.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert sys.executable in text and "-m kvnet kustomize exec \"$@\"" in text


def test_default_plugin_home_follows_kustomize() -> None:
    from kvnet.adapters.kustomize import plugin_home

    assert plugin_home({"KUSTOMIZE_PLUGIN_HOME": "/k", "XDG_CONFIG_HOME": "/x"}) == "/k"
    assert plugin_home({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == "/x/kustomize/plugin"
    assert plugin_home({"HOME": "/h"}) == "/h/.config/kustomize/plugin"
    assert plugin_home({"HOME": "/h"}, "/explicit") == "/explicit"


def test_install_into_xdg_config_home(tmp_path: Path) -> None:
    env = clean_env(XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    res = kvnet(["kustomize", "install-plugin"], cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "xdg/kustomize/plugin/kvnet.dev/v1alpha1/networkplan/NetworkPlan").is_file()


@needs_kubectl
def test_generator_gives_the_objects_of_kvnet_build(tmp_path: Path, plugin_home: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "kvnet.yaml").write_text(GOOD_PLAN)
    (app / "kustomization.yaml").write_text("generators:\n  - kvnet.yaml\n")
    res = kustomize(app, plugin_home)
    assert res.returncode == 0, res.stderr
    got = by_identity(objects(res.stdout))
    want = by_identity(objects(kvnet_build(app)))
    assert got == want  # same objects, nothing added (kvnet.dev/source names the user's file)
    assert {o["metadata"]["annotations"]["kvnet.dev/source"] for o in got.values()} == {"kvnet.yaml"}


@needs_kubectl
def test_generator_in_a_subdirectory_has_the_source_of_kvnet_build(tmp_path: Path, plugin_home: Path) -> None:
    """SPEC §6: kvnet.dev/source is relative to the plan root (the plan's directory), not to the kustomization."""
    app = tmp_path / "app"
    (app / "plans").mkdir(parents=True)
    (app / "plans" / "lab.yaml").write_text(GOOD_PLAN)
    (app / "kustomization.yaml").write_text("generators: [plans/lab.yaml]\n")
    res = kustomize(app, plugin_home)
    assert res.returncode == 0, res.stderr
    got = by_identity(objects(res.stdout))
    want = by_identity(objects(kvnet_build(app / "plans")))
    assert got == want
    assert {o["metadata"]["annotations"]["kvnet.dev/source"] for o in got.values()} == {"lab.yaml"}
    # diagnostics still name the file as the kustomization does, with its real lines
    (app / "plans" / "lab.yaml").write_text(BAD_PLAN)
    res = kustomize(app, plugin_home)
    assert res.returncode != 0 and res.stdout == ""
    assert f"plans/lab.yaml:{BAD_LINE}:15: error[KV210]" in res.stderr


def test_exec_finds_a_generator_in_a_subdirectory(tmp_path: Path) -> None:
    """The plugin's own contract, without kubectl: a re-serialised copy (sorted keys, no comments) as argv[1]."""
    app = tmp_path / "app"
    (app / "sub" / "plans").mkdir(parents=True)
    (app / "sub" / "plans" / "lab.yaml").write_text(GOOD_PLAN)
    (app / "kustomization.yaml").write_text("generators:\n  - ./sub/plans/lab.yaml\n")
    cfg = tmp_path / "kust-plugin-config-1"
    cfg.write_text(yaml.safe_dump(yaml.safe_load(GOOD_PLAN), sort_keys=True))
    res = kvnet(["kustomize", "exec", str(cfg)], cwd=app)
    assert res.returncode == 0, res.stderr
    got = by_identity(objects(res.stdout))
    assert got == by_identity(objects(kvnet_build(app / "sub" / "plans")))
    assert {o["metadata"]["annotations"]["kvnet.dev/source"] for o in got.values()} == {"lab.yaml"}


@needs_kubectl
def test_kustomize_transformers_apply_to_generated_objects(tmp_path: Path, plugin_home: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "kvnet.yaml").write_text(GOOD_PLAN.replace("  namespace: vms\n", ""))
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n")
    (app / "kustomization.yaml").write_text("namespace: lab\nresources: [cm.yaml]\ngenerators: [kvnet.yaml]\n")
    res = kustomize(app, plugin_home)
    assert res.returncode == 0, res.stderr
    objs = objects(res.stdout)
    assert {o["kind"] for o in objs} == {"ConfigMap", "NetworkAttachmentDefinition", "VirtualMachine"}
    assert {o["metadata"]["namespace"] for o in objs} == {"lab"}


@needs_kubectl
def test_broken_plan_fails_kustomize_with_kvnets_diagnostic(tmp_path: Path, plugin_home: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "kvnet.yaml").write_text(BAD_PLAN)
    (app / "kustomization.yaml").write_text("generators:\n  - kvnet.yaml\n")
    res = kustomize(app, plugin_home)
    assert res.returncode != 0
    assert res.stdout == ""
    # kvnet found the user's file, so the diagnostic has its real line and column
    assert f"kvnet.yaml:{BAD_LINE}:15: error[KV210]" in res.stderr
    assert "hint:" in res.stderr


@needs_kubectl
def test_inline_generator_is_named_by_plan_and_field(tmp_path: Path, plugin_home: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    inline = "\n".join("    " + line for line in BAD_PLAN.splitlines() if not line.startswith("#"))
    (app / "kustomization.yaml").write_text(f"generators:\n  - |-\n{inline}\n")
    res = kustomize(app, plugin_home)
    assert res.returncode != 0
    assert "NetworkPlan/lab: spec.networks[0].subnet: error[KV210]" in res.stderr


def test_exec_without_a_kustomization_uses_the_placeholder_name(tmp_path: Path) -> None:
    cfg = tmp_path / "kust-plugin-config-123"
    cfg.write_text(GOOD_PLAN)
    res = kvnet(["kustomize", "exec", str(cfg)], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert {o["metadata"]["annotations"]["kvnet.dev/source"] for o in objects(res.stdout)} == {"NetworkPlan/lab"}

    cfg.write_text("- not\n- a plan\n")
    res = kvnet(["kustomize", "exec", str(cfg)], cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == "" and "KV970" in res.stderr

    res = kvnet(["kustomize", "exec", str(tmp_path / "missing")], cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr


@needs_kubectl
def test_a_kustomization_namespace_that_would_strand_the_vms_fails(tmp_path: Path, plugin_home: Path) -> None:
    """kustomize's ``namespace:`` moves the NAD and the VM but keeps ``multus.networkName: vms/...``
    (a plan with its own namespace): the generator refuses with KV056 instead of a silent break;
    the same namespace as the plan's passes."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "kvnet.yaml").write_text(GOOD_PLAN)
    assert "  namespace: vms\n" in GOOD_PLAN
    (app / "kustomization.yaml").write_text("namespace: lab\ngenerators: [kvnet.yaml]\n")
    res = kustomize(app, plugin_home)
    assert res.returncode != 0 and res.stdout == ""
    assert "kustomization.yaml:1:12: error[KV056]" in res.stderr and "metadata.namespace: lab" in res.stderr
    (app / "kustomization.yaml").write_text("namespace: vms\ngenerators: [kvnet.yaml]\n")
    res = kustomize(app, plugin_home)
    assert res.returncode == 0, res.stderr
    assert {o["metadata"]["namespace"] for o in objects(res.stdout)} == {"vms"}
