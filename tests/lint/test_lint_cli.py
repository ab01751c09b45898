"""``kvnet lint`` as a command: inputs (files, -r, stdin), formats, exit codes, --strict."""

from __future__ import annotations

import json
from pathlib import Path

from testlib import EXAMPLES, run_kvnet, write

CORPUS = Path(__file__).parent / "corpus"


def test_stdin_and_exit_codes(tmp_path: Path) -> None:
    bad = (CORPUS / "macvlan-bridge-binding.yaml").read_text()
    run = run_kvnet("lint", "-", input=bad)
    assert run.code == 1 and run.out.startswith("<stdin>:26:13: error[KV230]:")
    clean = run_kvnet("lint", "-", input=(CORPUS / "clean-bridge-static.yaml").read_text())
    assert clean.code == 0 and clean.out == "0 plans, 2 objects: 0 errors, 0 warnings\n"
    missing = run_kvnet("lint", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "KV000" in missing.out


def test_strict_fails_on_warnings() -> None:
    path = str(CORPUS / "missing-nad.yaml")
    assert run_kvnet("lint", path).code == 0
    strict = run_kvnet("lint", "--strict", path)
    assert strict.code == 1 and "warning[KV306]" in strict.out and "'storage-net'" in strict.out


def test_recursive_reads_subdirectories(tmp_path: Path) -> None:
    write(tmp_path / "apps" / "a" / "vm.yaml", (CORPUS / "ipvlan-bridge-binding.yaml").read_text())
    write(tmp_path / "apps" / "b" / ".hidden" / "x.yaml", (CORPUS / "config-not-json.yaml").read_text())
    flat = run_kvnet("lint", str(tmp_path / "apps"))
    assert flat.code == 0 and flat.out == "0 plans, 0 objects: 0 errors, 0 warnings\n"
    deep = run_kvnet("lint", "-r", str(tmp_path / "apps"))
    assert deep.code == 1 and "a/vm.yaml:26:13: error[KV230]" in deep.out and "x.yaml" not in deep.out


def test_github_and_json_formats() -> None:
    path = str(CORPUS / "static-default-route.yaml")
    gh = run_kvnet("lint", "--format", "github", path)
    assert gh.code == 1 and gh.out.startswith(f"::error file={path},line=9,col=3,title=kvnet KV305::")
    js = run_kvnet("lint", "--format", "json", path)
    [d] = json.loads(js.out)
    assert (d["code"], d["line"], d["column"], d["severity"]) == ("KV305", 9, 3, "error")
    assert "ipam.routes[0].dst" in d["message"]


def test_yaml_error_is_a_finding_and_other_files_are_still_read(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "kind: [\n")
    write(tmp_path / "b.yaml", (CORPUS / "ipvlan-bridge-binding.yaml").read_text())
    run = run_kvnet("lint", str(tmp_path))
    assert run.code == 1 and "error[KV001]" in run.out and "error[KV230]" in run.out


def test_plan_documents_are_validated_too(tmp_path: Path) -> None:
    plan = write(tmp_path / "kvnet.yaml", (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
                 .replace("subnet: 192.168.1.0/24", "subnet: 192.168.1.200/24"))
    run = run_kvnet("lint", str(plan))
    assert run.code == 1 and "error[KV210]" in run.out and "network 'external'" in run.out


def test_unknown_distribution_is_a_usage_error() -> None:
    run = run_kvnet("lint", "--distribution", "k4s", str(CORPUS))
    assert run.code == 2 and "--distribution" in run.err
