"""The `kvnet init` starter's userData passes `cloud-init schema` on cloud-init 22.4.2 and 26.2
(SPEC §3 "Guest network config")."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from guest_tools import SYSTEM_PYTHON, versions


def test_starter_user_data_passes_cloud_init_schema(tmp_path: Path, kvnet) -> None:
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    assert kvnet("init", str(tmp_path)).code == 0
    plan = yaml.safe_load((tmp_path / "kvnet.yaml").read_text())
    user_data = [vm["cloudInit"]["userData"] for vm in plan["spec"]["vms"] if "cloudInit" in vm]
    assert user_data, "the starter has no userData to check"
    for i, text in enumerate(user_data):
        path = tmp_path / f"user-data-{i}"
        path.write_text(text)
        for v in found:
            env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            if v.pythonpath:
                env["PYTHONPATH"] = v.pythonpath
            proc = subprocess.run([str(SYSTEM_PYTHON), "-m", "cloudinit.cmd.main", "schema", "--config-file",
                                   str(path)], capture_output=True, text=True, env=env, timeout=120)
            assert proc.returncode == 0, f"cloud-init {v.name}: {proc.stdout}{proc.stderr}"


def test_schema_check_rejects_what_it_should(tmp_path: Path) -> None:
    """The check above can fail: the old starter's `ssh_authorized_keys: []` is rejected."""
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    path = tmp_path / "user-data"
    path.write_text("#cloud-config\nssh_authorized_keys: []\n")
    env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(SYSTEM_PYTHON), "-m", "cloudinit.cmd.main", "schema", "--config-file", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode != 0 and "too short" in proc.stdout + proc.stderr
