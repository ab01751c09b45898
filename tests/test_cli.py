"""The command line: init, schema, formats, exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, REPO, example_dirs, run_kvnet, write

BAD = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab}
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.1.200/24
"""


def test_version_is_fast_and_plain() -> None:
    from kvnet import __version__
    from kvnet.options import DEFAULT_KUBE_VERSION
    from kvnet.profiles import MULTUS_VERSION

    t0 = time.perf_counter()
    res = run_kvnet("--version")
    assert time.perf_counter() - t0 < 5  # generous; the benchmark script measures the real figure
    assert res.code == 0 and res.err == ""
    lines = res.out.splitlines()
    assert lines[0].startswith(f"kvnet {__version__}")
    assert lines[1].startswith(f"Multus: {MULTUS_VERSION} ")
    assert lines[2].startswith("KubeVirt schema: kubevirt.io/v1 VirtualMachine, checked against KubeVirt v1.")
    assert lines[3].startswith(f"Kubernetes schema: {DEFAULT_KUBE_VERSION} by default")
    # click's --version (reached when other arguments follow) prints the same text
    via_click = subprocess.run([sys.executable, "-c", "from kvnet.cli import main; main(['--version'])"],
                               capture_output=True, text=True, timeout=60)
    assert via_click.returncode == 0 and via_click.stdout == res.out


def test_version_names_the_exact_commit() -> None:
    """setuptools-scm derives the version from git: off a release tag it carries the commit
    (``+g<hash>``); an editable install whose checkout moved on names the commit it runs now."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=False, timeout=60)
    if head.returncode != 0:
        pytest.skip("not a git checkout: no commit to name")
    first = run_kvnet("--version").out.splitlines()[0]
    described = subprocess.run(["git", "-C", str(REPO), "describe", "--tags", "--exact-match"],
                               capture_output=True, text=True, check=False, timeout=60)
    if described.returncode == 0:  # on a release tag: the version is the tag's
        assert first.startswith(f"kvnet {described.stdout.strip().lstrip('v')}")
    else:
        assert head.stdout[:7] in first, first


def test_version_loads_no_heavy_module() -> None:
    """--version answers before click, YAML or jsonschema are imported (Python's -X importtime)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kvnet", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("kvnet ")
    loaded = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "kvnet.about" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in ("click", "yaml", "ruamel", "jsonschema", "kubernetes_validate")}
    assert heavy == set()


def test_init_writes_a_plan_that_builds(tmp_path: Path, kvnet) -> None:
    res = kvnet("init", str(tmp_path / "new"))
    assert res.code == 0
    text = (tmp_path / "new" / "kvnet.yaml").read_text()
    assert text.startswith("#") and "kind: NetworkPlan" in text
    built = kvnet("build", str(tmp_path / "new"))
    assert built.code == 0, built.err
    kinds = [d["kind"] for d in yaml.safe_load_all(built.out)]
    assert kinds == ["NetworkAttachmentDefinition", "VirtualMachine"]
    again = kvnet("init", str(tmp_path / "new"))
    assert again.code == 1 and "exists" in again.err


def test_schema_is_a_json_schema_every_example_satisfies(kvnet) -> None:
    from jsonschema import Draft202012Validator

    res = kvnet("schema")
    schema = json.loads(res.out)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for example in example_dirs():
        for doc in yaml.safe_load_all((example / "kvnet.yaml").read_text()):
            assert list(validator.iter_errors(doc)) == [], example.name


def test_json_format(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", BAD)
    res = kvnet("validate", "--format", "json", str(path))
    assert res.code == 1 and res.err == ""
    diags = json.loads(res.out)  # validate's report is its output: stdout (SPEC §5)
    assert diags == [{"severity": "error", "code": "KV210",
                      "message": "network 'lan': subnet '192.168.1.200/24' has host bits set; "
                                 "the network address is 192.168.1.0/24",
                      "file": str(path), "line": 9, "column": 15,
                      "hint": "put the network address in 'subnet' and the host's own address on the VM "
                              "interface ('address:')"}]


def test_github_format_and_auto(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", BAD)
    res = kvnet("validate", "--format", "github", str(path))
    line = res.out.splitlines()[0]
    assert line.startswith(f"::error file={path},line=9,col=15,title=kvnet KV210::network 'lan'")
    assert "%0Ahint: put the network address" in line
    sub = run_kvnet("validate", str(path), env={"GITHUB_ACTIONS": "true"})
    assert sub.out.splitlines()[0] == line


def test_internal_error_is_one_line_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kvnet) -> None:
    import kvnet.pipeline.stages as stages

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("synthetic failure\nsecond line")

    monkeypatch.setattr(stages, "expand_plan", boom)
    res = kvnet("build", str(EXAMPLES / "k3s-lan-static"))
    assert res.code == 3 and res.out == ""
    assert res.err == ("kvnet: internal error: RuntimeError: synthetic failure "
                       "(set KVNET_DEBUG=1 for a traceback)\n")
    monkeypatch.setenv("KVNET_DEBUG", "1")
    with pytest.raises(RuntimeError):
        from kvnet.cli import main

        main(["build", str(EXAMPLES / "k3s-lan-static")])


def test_usage_error_exit_2(kvnet) -> None:
    res = kvnet("build", "--no-such-flag")
    assert res.code == 2 and res.out == "" and "No such option" in res.err


def test_sigterm_exits_143_with_nothing_written(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from genplan import plan_text

    # large enough that the signal surely arrives before the checks end (seconds of CPU), within MAX_NODES
    (tmp_path / "kvnet.yaml").write_text(plan_text(8000, 20, 3))
    proc = subprocess.Popen([sys.executable, "-m", "kvnet", "build", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.8)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert out == b""
