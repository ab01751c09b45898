"""One set of reporters: a diagnostic reads the same from every command and adapter.

The same broken plan goes through the real ``kvnet`` program as build, validate,
check-rendered, doctor --plan, the Argo CD CMP, the kustomize exec plugin, the KRM
function and (as root, with the CNI plugins) verify; each must write the very same
diagnostic in each format.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from test_errors import LAN, plan, vm
from testlib import run_kvnet

from kvnet.diagnostics import Diagnostic, Severity
from kvnet.reporters import annotation, krm_result, render

PLAN = plan(LAN.replace("subnet: 192.168.1.0/24", "subnet: 192.168.1.7/24"),
            vm(ifaces="        - network: lan\n          address: 192.168.1.20/24\n"))
LINE = PLAN.splitlines().index("      subnet: 192.168.1.7/24") + 1  # host bits set (KV210)


def _resource_list() -> str:
    fc = textwrap.indent(PLAN.replace("metadata:\n", "metadata:\n  annotations:\n"
                                      "    config.kubernetes.io/path: kvnet.yaml\n", 1), "  ")
    return f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n{fc}"


def _verify_ready() -> str | None:
    if os.geteuid() != 0:
        return "kvnet verify needs root"
    if not any(os.path.isfile(os.path.join(d, "bridge")) for d in ("/opt/cni/bin", "/usr/lib/cni")):
        return "no CNI plugins installed"
    return None


COMMANDS: dict[str, tuple[list[str], str | None]] = {
    "build": (["build", "kvnet.yaml"], None),
    "validate": (["validate", "kvnet.yaml"], None),
    "check-rendered": (["check-rendered", "kvnet.yaml"], None),
    "doctor": (["doctor", "--root", ".", "--plan", "kvnet.yaml"], None),
    "cmp": (["cmp", "generate"], None),
    "kustomize": (["kustomize", "exec", "kust-plugin-config-1"], None),
    "fn": (["fn"], "resource-list"),
    "verify": (["verify", "kvnet.yaml"], None),
}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "kvnet.yaml").write_text(PLAN)
    (tmp_path / "kust-plugin-config-1").write_text(PLAN)  # kustomize hands over a copy (named so)
    (tmp_path / "kustomization.yaml").write_text("generators:\n  - kvnet.yaml\n")
    return tmp_path


_BUILD: dict[str, str] = {}  # build's rendering per format (the files are named relative to the app)


def _diagnostics(app: Path, command: str, fmt: str) -> str:
    args, stdin = COMMANDS[command]
    if command == "verify" and _verify_ready():
        pytest.skip(_verify_ready() or "")
    res = run_kvnet(*args, "--format", fmt, cwd=app, input=_resource_list() if stdin else None)
    assert res.code == 1, (command, res.err)
    report = res.out if command == "validate" else res.err  # validate's report is its stdout (SPEC §5)
    lines = [line for line in report.splitlines() if "KV210" in line or line.startswith(("[", "]", " "))]
    if fmt == "json":
        start = report.index("[")
        return json.dumps(json.loads(report[start:report.rindex("]") + 1]))
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "build"])
def test_every_command_writes_a_diagnostic_as_build_does(app: Path, command: str, fmt: str) -> None:
    expected = _BUILD.get(fmt) or _BUILD.setdefault(fmt, _diagnostics(app, "build", fmt))
    assert f"{LINE}" in expected and "KV210" in expected and "192.168.1.7/24" in expected
    assert _diagnostics(app, command, fmt) == expected


def test_the_formats_of_one_diagnostic() -> None:
    d = Diagnostic(Severity.ERROR, "KV210", "subnet '10.0.0.7/24' has host bits set", "a,b:c.yaml", 3, 9,
                   hint="use 10.0.0.0/24\n100%")
    assert render("text", [d]) == ("a,b:c.yaml:3:9: error[KV210]: subnet '10.0.0.7/24' has host bits set\n"
                                   "  hint: use 10.0.0.0/24\n100%\n")
    assert render("github", [d]) == ("::error file=a%2Cb%3Ac.yaml,line=3,col=9,title=kvnet KV210::"
                                     "subnet '10.0.0.7/24' has host bits set%0Ahint: use 10.0.0.0/24%0A100%25\n")
    assert json.loads(render("json", [d])) == [{"severity": "error", "code": "KV210", "file": "a,b:c.yaml",
                                                "message": "subnet '10.0.0.7/24' has host bits set",
                                                "line": 3, "column": 9, "hint": "use 10.0.0.0/24\n100%"}]
    assert render("json", []) == "[]\n" and render("text", []) == render("github", []) == ""


def test_the_field_path_form() -> None:
    d = Diagnostic(Severity.WARNING, "KV220", "ipam 'dhcp' needs the CNI DHCP daemon", "NetworkPlan/lab", 0, 0,
                   field="spec.networks[0].ipam")
    assert render("text", [d]) == "NetworkPlan/lab: spec.networks[0].ipam: warning[KV220]: ipam 'dhcp' needs " \
                                  "the CNI DHCP daemon\n"
    assert render("github", [d]) == ("::warning title=kvnet KV220::NetworkPlan/lab: spec.networks[0].ipam: "
                                     "ipam 'dhcp' needs the CNI DHCP daemon\n")
    (row,) = json.loads(render("json", [d]))
    assert (row["line"], row["column"], row["field"]) == (None, None, "spec.networks[0].ipam")
    ref = {"apiVersion": "kvnet.dev/v1alpha1", "kind": "NetworkPlan", "name": "lab"}
    assert krm_result(d, ref) == {"message": "KV220: ipam 'dhcp' needs the CNI DHCP daemon", "severity": "warning",
                                  "resourceRef": ref, "field": {"path": "spec.networks[0].ipam"},
                                  "tags": {"kvnet.dev/code": "KV220"}}


def test_annotation_leaves_out_what_is_not_given() -> None:
    assert annotation("notice", "a: b") == "::notice::a: b"
    assert annotation("error", "x", file="f.yaml", line=2) == "::error file=f.yaml,line=2::x"
