"""Accepting a known warning (issue 26 item 3): ``--ignore``, ``# kvnet: ignore[KVnnn]: reason``
comments in the plan (and in manifests ``lint`` reads), and the project file ``.kvnet.yaml``;
always through the real ``kvnet`` program."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from testlib import EXAMPLES, run_kvnet, write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: lab
  namespace: lab
spec:
  networks:
    {above}
    - name: pool
      type: bridge
      bridge: br0
      subnet: 10.0.0.0/24
      ipam: host-local{trailing}
  vms:
    - name: vm1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - network: pool
"""
HOST_LOCAL_LINE = 13  # the line of 'ipam: host-local', where KV281 stands


def plan(tmp_path: Path, above: str = "", trailing: str = "") -> Path:
    """A plan whose one warning is KV281 (a host-local pool behind a VM), in its own git repository."""
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)  # the repository root: .kvnet.yaml is not looked up above it
    write(tmp_path / "kvnet.yaml", PLAN.format(above=above, trailing=trailing))
    return tmp_path


def codes(path: Path, *args: str) -> tuple[int, list[tuple[str, int]], str]:
    """(exit code, [(code, line)] of ``validate --format json``, stderr) for the plan at ``path``."""
    res = run_kvnet("validate", "--format", "json", *args, str(path), cwd=path)
    return res.code, [(d["code"], d["line"]) for d in json.loads(res.out or "[]")], res.err


def test_without_suppression_the_warning_is_there_and_strict_fails(tmp_path: Path) -> None:
    assert codes(plan(tmp_path))[:2] == (0, [("KV281", HOST_LOCAL_LINE)])
    assert codes(plan(tmp_path), "--strict")[0] == 1


def test_a_comment_above_an_item_accepts_its_warning_and_strict_passes(tmp_path: Path) -> None:
    plan(tmp_path, above="# kvnet: ignore[KV281]: a one-node lab; host-local cannot hand out an address twice")
    assert codes(tmp_path, "--strict") == (0, [], "")
    res = run_kvnet("build", "--strict", str(tmp_path))
    assert res.code == 0 and "kind: NetworkAttachmentDefinition" in res.out and res.err == ""


def test_a_trailing_comment_accepts_the_warning_on_its_line(tmp_path: Path) -> None:
    plan(tmp_path, trailing="   # kvnet: ignore[KV281,KV267]: one node")
    code, found, _ = codes(tmp_path)
    # KV281 accepted; KV267 accepted nothing there, so it is named as unused (KV050), at the comment
    assert code == 0 and found == [("KV050", HOST_LOCAL_LINE)]


def test_a_comment_elsewhere_accepts_nothing_and_says_so(tmp_path: Path) -> None:
    text = PLAN.format(above="", trailing="").replace("  vms:\n", "  vms:   # kvnet: ignore[KV281]: wrong place\n")
    write(tmp_path / "kvnet.yaml", text)
    code, found, _ = codes(tmp_path)
    assert code == 0 and found == [("KV281", HOST_LOCAL_LINE), ("KV050", 14)]
    assert codes(tmp_path, "--strict")[0] == 1


@pytest.mark.parametrize("comment", ["# kvnet: ignore[KV281]", "# kvnet: ignore[KV281]:  ", "# kvnet: ignore: because",
                                     "# kvnet: ignore[KV999]: no such code", "# kvnet: ignore[KV210]: an error"])
def test_a_malformed_comment_is_an_error_and_build_writes_nothing(tmp_path: Path, comment: str) -> None:
    plan(tmp_path, above=comment)
    code, found, _ = codes(tmp_path)
    assert code == 1 and ("KV051", 8) in found and ("KV281", HOST_LOCAL_LINE) in found
    res = run_kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == "" and "error[KV051]" in res.err


def test_ignore_accepts_a_code_everywhere(tmp_path: Path) -> None:
    assert codes(plan(tmp_path), "--strict", "--ignore", "KV281")[:2] == (0, [])
    assert codes(tmp_path, "--ignore", "kv267,KV281")[:2] == (0, [])


@pytest.mark.parametrize("code, why", [("KV210", "only warnings can be ignored"), ("KV999", "no such diagnostic code")])
def test_ignore_refuses_errors_and_unknown_codes(tmp_path: Path, code: str, why: str) -> None:
    res = run_kvnet("validate", "--ignore", code, str(plan(tmp_path)))
    assert res.code == 2 and res.out == "" and why in res.err and "Traceback" not in res.err


def test_the_project_file_gives_default_flags_the_command_line_overrides(tmp_path: Path) -> None:
    write(plan(tmp_path) / ".kvnet.yaml", "strict: true\nformat: json\n")
    sub = tmp_path / "apps" / "lab"
    sub.mkdir(parents=True)
    # found from a subdirectory of the repository; format json and strict come from it
    res = run_kvnet("validate", str(tmp_path), cwd=sub)
    assert res.code == 1 and [d["code"] for d in json.loads(res.out)] == ["KV281"]
    res = run_kvnet("validate", "--format", "text", str(tmp_path), cwd=sub)  # the command line wins
    assert res.code == 1 and res.out.endswith("1 plans, 2 objects: 0 errors, 1 warnings\n")
    assert run_kvnet("--no-config", "validate", str(tmp_path), cwd=sub).code == 0
    write(tmp_path / ".kvnet.yaml", "strict: true\nignore: [KV281]\n")
    assert run_kvnet("validate", str(tmp_path), cwd=sub).code == 0
    other = write(sub / "team.yaml", "ignore: KV281\n")
    assert run_kvnet("--config", str(other), "validate", "--strict", str(tmp_path), cwd=sub).code == 0


def test_the_project_file_is_not_looked_up_above_the_repository(tmp_path: Path) -> None:
    write(tmp_path / ".kvnet.yaml", "strict: true\n")
    repo = plan(tmp_path / "repo")
    assert run_kvnet("validate", ".", cwd=repo).code == 0


@pytest.mark.parametrize("text, where, why", [
    ("strcit: true\n", "1:1", "unknown key 'strcit'"),
    ("strict: yes please\n", "1:9", "strict: expected bool"),
    ("ignore: [KV281, KV210]\n", "1:9", "'KV210' is an error"),
    ("- strict\n", "1:1", "not a mapping"),
    ("strict: [\n", "2:1", "not YAML"),
])
def test_a_bad_project_file_is_one_line_and_exit_2(tmp_path: Path, text: str, where: str, why: str) -> None:
    write(plan(tmp_path) / ".kvnet.yaml", text)
    res = run_kvnet("build", ".", cwd=tmp_path)
    assert res.code == 2 and res.out == ""
    assert res.err.count("\n") == 1 and res.err.startswith(f".kvnet.yaml:{where}: error[KV052]: ") and why in res.err


def test_lint_honours_comments_in_manifests(tmp_path: Path) -> None:
    nads = (EXAMPLES / "hand-written" / "nads.yaml").read_text()
    marked = nads.replace("  config: '{\n", "  # kvnet: ignore[KV281]: one node\n  config: '{\n")
    assert marked != nads
    write(tmp_path / "nads.yaml", marked)
    res = run_kvnet("lint", "--format", "json", str(tmp_path))
    assert {d["code"] for d in json.loads(res.out)} == {"KV206", "KV210"}


def test_the_argocd_plugin_honours_comments(tmp_path: Path) -> None:
    """The Argo CD plugin compiles the same files, so a comment in the plan holds there too."""
    plan(tmp_path, above="# kvnet: ignore[KV281]: one node")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=False)
    env = {"ARGOCD_APP_NAME": "lab", "ARGOCD_APP_SOURCE_PATH": ".", "ARGOCD_APP_REVISION": "HEAD",
           "ARGOCD_APP_PARAMETERS": '[{"name": "strict", "string": "true"}]'}
    res = run_kvnet("cmp", "generate", cwd=tmp_path, env=env)
    assert res.code == 0 and "kind: VirtualMachine" in res.out, res.err


def test_commands_the_project_file_does_not_configure_never_read_it(tmp_path: Path) -> None:
    write(plan(tmp_path) / ".kvnet.yaml", "strcit: true\n")
    assert run_kvnet("build", ".", cwd=tmp_path).code == 2
    res = run_kvnet("explain", ".", cwd=tmp_path)
    assert res.code == 0 and "KV052" not in res.err
