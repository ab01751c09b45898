"""Refusals and input errors: exit 2 for usage/unreadable input, 1 for broken input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from verify_helpers import Run, nad_yaml, run_verify_process

import kvnet.verify.command as command

Verify = Callable[..., Run]
MACVLAN = {"cniVersion": "1.0.0", "name": "m", "type": "macvlan", "master": "eth0"}
ROOT = Path(__file__).resolve().parents[2]


def test_missing_plugin_dir_is_refused(runnable: str, tmp_path: Path, verify: Verify) -> None:
    nads = tmp_path / "n.yaml"
    nads.write_text(nad_yaml("m", MACVLAN))
    r = verify([str(nads)], bin_dir=str(tmp_path / "no-such-dir"))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"kvnet verify: --cni-bin-dir {tmp_path / 'no-such-dir'}: no such directory\n"

    empty = tmp_path / "empty"
    empty.mkdir()
    r = verify([str(nads)], bin_dir=str(empty))
    assert r.code == 2 and "no reference CNI plugins there" in r.err and r.err.count("\n") == 1


def test_no_default_plugin_dir_is_refused(runnable: str, tmp_path: Path, verify: Verify,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "DEFAULT_BIN_DIRS", (str(tmp_path / "a"), str(tmp_path / "b")))
    nads = tmp_path / "n.yaml"
    nads.write_text(nad_yaml("m", MACVLAN))
    r = verify([str(nads)])
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("kvnet verify: no CNI plugins found in ") and "--cni-bin-dir" in r.err


def test_explicit_plugin_dir_is_used(runnable: str, tmp_path: Path, verify: Verify) -> None:
    nads = tmp_path / "n.yaml"
    nads.write_text(nad_yaml("m", MACVLAN))
    r = verify([str(nads)], bin_dir=runnable, fmt="json")
    assert r.code == 0 and r.json["summary"]["cniBinDir"] == runnable


def test_not_root_is_refused_in_process(tmp_path: Path, verify: Verify, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command.os, "geteuid", lambda: 1000)
    r = verify([str(tmp_path)])
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith("kvnet verify: needs root") and r.err.count("\n") == 1


def test_not_root_is_refused_for_real(runnable: str, tmp_path: Path) -> None:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv not installed")
    drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    if subprocess.run([*drop, "-c", "import kvnet.verify.command"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip("the unprivileged user cannot import kvnet here")
    code = ("import sys; from kvnet.verify.command import run_verify; "
            "sys.exit(run_verify(['.'], None, 2, 'text', sys.stdout, sys.stderr))")
    proc = subprocess.run([*drop, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("kvnet verify: needs root")


@pytest.mark.parametrize("fmt, jobs, message", [
    ("xml", 2, "unknown format 'xml'"),
    ("text", 0, "--jobs must be between 1 and 64, got 0"),
    ("text", 1000, "--jobs must be between 1 and 64"),
])
def test_usage_errors(tmp_path: Path, verify: Verify, fmt: str, jobs: int, message: str) -> None:
    r = verify([str(tmp_path)], fmt=fmt, jobs=jobs)
    assert r.code == 2 and r.out == "" and message in r.err


def test_unreadable_input_exit_2(runnable: str, tmp_path: Path, verify: Verify) -> None:
    r = verify([str(tmp_path / "missing.yaml")], fmt="text")
    assert r.code == 2 and r.out == ""
    assert r.err == f"{tmp_path / 'missing.yaml'}:1:1: error[KV000]: no such file or directory\n"

    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00kind: x\n")
    r = verify([str(binary)], fmt="text")
    assert r.code == 2 and "not UTF-8" in r.err


def test_broken_yaml_is_an_input_error(runnable: str, tmp_path: Path, verify: Verify) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: NetworkAttachmentDefinition\nspec:\n  config: [unclosed\n")
    r = verify([str(bad)], fmt="text")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith(f"{bad}:") and "error[KV001]: invalid YAML" in r.err

    r = verify([str(bad)], fmt="github")
    assert r.err.startswith(f"::error file={bad},line=")


def test_nothing_to_verify(runnable: str, tmp_path: Path, verify: Verify) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n- a list\n")
    r = verify([str(tmp_path)], fmt="text")
    assert r.code == 1 and r.out == ""
    assert r.err == f"kvnet verify: no NetworkAttachmentDefinition found in {tmp_path}\n"


def test_list_kind_and_default_path(runnable: str, tmp_path: Path, verify: Verify,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: k8s.cni.cncf.io/v1\n    kind: NetworkAttachmentDefinition\n"
        "    metadata: {name: in-list}\n"
        "    spec:\n      config: '{\"cniVersion\":\"1.0.0\",\"name\":\"in-list\",\"type\":\"macvlan\",\"master\":\"eth0\"}'\n")
    monkeypatch.chdir(tmp_path)
    r = verify([])
    assert r.code == 0, r.err
    res = r.result("in-list")
    assert res["status"] == "ok" and res["line"] == 8 and res["source"] == "./list.yaml"



def test_cli_wiring(runnable: str, tmp_path: Path) -> None:
    try:
        import kvnet.commands.verify  # noqa: F401
    except ImportError:
        pytest.skip("kvnet verify is not wired into the CLI yet (kvnet.commands.verify)")
    nads = tmp_path / "n.yaml"
    nads.write_text(nad_yaml("m", MACVLAN))
    kvnet = [sys.executable, "-m", "kvnet", "verify"]
    ok = run_verify_process([*kvnet, "--format", "json", "--jobs", "1", str(nads)], cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert '"status": "ok"' in ok.stdout
    refused = run_verify_process([*kvnet, "--cni-bin-dir", str(tmp_path / "nope"), str(nads)], cwd=ROOT)
    assert refused.returncode == 2 and "no such directory" in refused.stderr and refused.stdout == ""
