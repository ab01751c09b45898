"""What build and validate report, and where (SPEC §5): validate's report on stdout in every
format with a summary line in text; --strict makes warnings fail; build -o counts its files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet, write

# ipam: dhcp warns (KV220; KV624: a pool behind a VM that can live-migrate) and builds: a plan with
# warnings and no error.
WARNS = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      ipam: dhcp
  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - network: lan
"""
SUMMARY = re.compile(r"^(\d+) plans, (\d+) objects: (\d+) errors, (\d+) warnings$")


def test_validate_text_report_ends_with_the_summary(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "app" / "kvnet.yaml", WARNS)
    res = kvnet("validate", str(path))
    assert res.code == 0 and res.err == ""
    lines = res.out.splitlines()
    assert lines[0].startswith(f"{path}:9:13: warning[KV220]: network 'lan'")
    assert SUMMARY.match(lines[-1]).groups() == ("1", "2", "0", "2"), lines[-1]  # NAD + VM
    clean = kvnet("validate", str(EXAMPLES / "k3s-multus"), str(EXAMPLES / "pool-shared"))
    assert clean.code == 0 and clean.out.count("\n") == 1
    plans, objects, errors, warnings = SUMMARY.match(clean.out.strip()).groups()
    built = kvnet("build", str(EXAMPLES / "k3s-multus"), str(EXAMPLES / "pool-shared"))
    assert (plans, errors, warnings) == ("2", "0", "0")
    assert int(objects) == len(list(yaml.safe_load_all(built.out)))


def test_validate_counts_errors_and_keeps_stderr_empty(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", WARNS.replace("      ipam: dhcp\n", "      subnet: 10.0.0.1/24\n"))
    res = kvnet("validate", str(path))
    assert res.code == 1 and res.err == ""
    assert "error[KV210]" in res.out.splitlines()[0]
    assert SUMMARY.match(res.out.splitlines()[-1]).groups()[2:] == ("1", "0")


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_validate_machine_formats_go_to_stdout_without_summary(tmp_path: Path, kvnet, fmt: str) -> None:
    path = write(tmp_path / "kvnet.yaml", WARNS)
    res = kvnet("validate", "--format", fmt, str(path))
    assert res.code == 0 and res.err == ""
    if fmt == "json":
        assert [d["code"] for d in json.loads(res.out)] == ["KV220", "KV624"]
    else:
        assert res.out.startswith(f"::warning file={path},line=9,col=13,title=kvnet KV220::")
        assert res.out.count("\n") == 2  # annotations only
    ok = kvnet("validate", "--format", fmt, str(EXAMPLES / "k3s-lan-static"))
    assert ok.code == 0 and ok.out == ("[]\n" if fmt == "json" else "")


def test_validate_json_pipes_into_a_json_reader(tmp_path: Path) -> None:
    """`kvnet validate --format json | jq`: the real process's stdout alone is the JSON."""
    path = write(tmp_path / "kvnet.yaml", WARNS)
    res = run_kvnet("validate", "--format", "json", str(path))
    assert res.code == 0 and res.err == ""
    assert json.loads(res.out)[0]["severity"] == "warning"


def test_strict_makes_warnings_fail(tmp_path: Path, kvnet) -> None:
    app = tmp_path / "app"
    write(app / "kvnet.yaml", WARNS)
    res = kvnet("validate", "--strict", str(app))
    assert res.code == 1
    assert "warning[KV220]" in res.out and res.err == "kvnet: warnings fail with --strict\n"
    built = kvnet("build", "--strict", str(app))
    assert built.code == 1 and built.out == ""
    assert "warning[KV220]" in built.err and built.err.endswith("kvnet: warnings fail with --strict; nothing written\n")
    out = tmp_path / "out"
    to_dir = kvnet("build", "--strict", "-o", str(out), str(app))
    assert to_dir.code == 1 and not out.exists()
    lenient = kvnet("build", str(app))
    assert lenient.code == 0 and "kind: VirtualMachine" in lenient.out
    # no warning: --strict changes nothing
    assert kvnet("validate", "--strict", str(EXAMPLES / "k3s-lan-static")).code == 0
    assert kvnet("build", "--strict", str(EXAMPLES / "k3s-lan-static")).code == 0


def test_build_output_dir_says_what_it_wrote_and_pruned(tmp_path: Path, kvnet) -> None:
    out = tmp_path / "out"
    first = kvnet("build", "-o", str(out), str(EXAMPLES / "k3s-multus"))
    files = sorted(p.name for p in out.iterdir())
    assert first.code == 0 and first.out == ""
    assert first.err == f"kvnet: wrote {len(files)} files to {out}, pruned 0\n"
    second = kvnet("build", "-o", str(out), "--prune", str(EXAMPLES / "k3s-lan-static"))
    left = sorted(p.name for p in out.iterdir())
    assert second.code == 0 and len(left) == 2
    assert second.err == f"kvnet: wrote 2 files to {out}, pruned {len(files) - len(set(files) & set(left))}\n"
