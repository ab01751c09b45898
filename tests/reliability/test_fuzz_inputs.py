"""Seeded, time-bounded fuzzing of every entry point with every input kind (issue #27): plans,
kvnet.lock, lint/import input, --crd files, KRM ResourceLists, kustomize generator configs and
ARGOCD_APP_PARAMETERS, mutated in text, through every command that reads them (build, build -o,
validate, explain, graph, lock, lock --check, check-rendered [--fix], diff between revisions and
--live, node-config, doctor --plan, verify with the real CNI plugins as root, lint, import, fn,
cmp generate, kustomize exec), mutated in text and with explicit YAML tags (``!!int 0x``,
``!!python/tuple``, ``!!timestamp``...). Invariants: no exit 3 and no traceback, an exit in
(0, 1, 2), empty stdout on failure (a report command's report aside; fn's answer always reads
with yaml.safe_load), and every error diagnostic placed at ``file:line:col`` (or the field-path
form for plans an orchestrator re-serialised). In-process, through the console script's main.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from test_fuzz_entry_points import mutate
from testlib import EXAMPLES, Run, cli

SEED = int(os.environ.get("KVNET_FUZZ_SEED", "27"))  # another seed, a longer run: KVNET_FUZZ_SECONDS
TIME_CAP_S = float(os.environ.get("KVNET_FUZZ_SECONDS", "60"))
TAGS = ["!!int 0x", "!!int ''", "!!int abc", "!!float abc", "!!float .", "!!bool maybe", "!!bool ''",
        "!!timestamp 2001-13-45", "!!timestamp x", "!!timestamp 2001-12-14", "!!timestamp 2001-12-14t21:59:43.10-05:00",
        "!!binary aGk=", "!!binary '!!'", "!!null x", "!!str 5", "!!int 0o17", "!!float 1e400", "!!int 0b",
        "!!set {a: null}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]", "!!python/tuple [1, 2]", "!!python/name:os.system",
        "!custom x", "!<tag:example.com,2000:x> y", "!!map [1]", "!!seq {a: 1}", "!!str {a: 1}", "!!int [1]",
        "!!merge x", "!!value x", "!!yaml x", "{<<: [1, 2]}", "{1: a, true: b}", "{<<: 3, a: 1}", "~", "[]", "{}"]
# FILE:LINE:COL, or the field-path form (FILE: FIELD) of a plan kustomize or kpt re-serialised
POSITIONED = re.compile(r"^(?!<input>)(\S.*?):(\d+):(\d+): error\[KV\d{3}\]|^(?!<input>)\S.*?: (.+: )?error\[KV\d{3}\]")
REPORTS = {"validate", "lint", "check-rendered", "check-rendered --fix", "lock --check", "diff", "diff --live",
           "doctor", "verify"}  # their report goes to stdout
# verify runs the real CNI plugins in namespaces of its own: root and the plugins needed
VERIFY = os.geteuid() == 0 and Path("/usr/lib/cni/bridge").exists()


def tagged(text: str, rng: random.Random) -> str:
    """One to three values (or keys) of ``text`` replaced by an explicit-tag form."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        line = lines[i]
        if ": " in line and rng.random() < 0.8:
            lines[i] = line.split(": ", 1)[0] + ": " + rng.choice(TAGS)
        elif line.strip().startswith("- "):
            lines[i] = line[: line.index("- ") + 2] + rng.choice(TAGS)
        else:
            indent = len(line) - len(line.lstrip())
            lines.insert(i, " " * indent + rng.choice(TAGS).replace(" ", "") + ": x")
    return "\n".join(lines)


def mutated(text: str, rng: random.Random) -> str:
    return tagged(text, rng) if rng.random() < 0.6 else mutate(text, rng)


def params(rng: random.Random) -> str:
    """ARGOCD_APP_PARAMETERS: valid, nested, NUL-laden, wrongly typed, huge."""
    choices: list[object] = [
        [{"name": "paths", "array": ["."]}], [{"name": "paths", "array": ["\0"]}],
        [{"name": "strict", "string": "maybe"}],
        [{"name": "crds", "array": ["nope.yaml"]}], [{"name": "kube-version", "string": "9.99"}], [{"name": 1}],
        [{"name": "paths", "map": {"a": "b"}}], [{"name": "x" * 5000, "string": "1"}], {"a": 1}, None, "x", 1e400]
    pick = rng.choice(choices)
    text = json.dumps(pick)
    return "[" * rng.choice([1, 200, 5000]) + "]" * 5000 if rng.random() < 0.1 else text


def check(entry: str, run: Run, what: str) -> None:
    where = f"{entry} on {what}\n--- stdout:\n{run.out[:600]}\n--- stderr:\n{run.err[-1200:]}"
    assert run.code in (0, 1, 2), where
    assert "Traceback" not in run.err and "internal error" not in run.err, where
    if entry == "fn":
        if run.out:
            yaml.safe_load(run.out)  # kpt/kustomize read it: it must be plain YAML
    elif run.code and entry not in REPORTS:
        assert run.out == "", where
    for line in (run.err + (run.out if entry in REPORTS else "")).splitlines():
        if "error[KV" in line and not line.startswith(" "):
            m = POSITIONED.match(line)
            assert m, f"not placed at file:line:col: {line!r}\n{where}"
            assert not m.group(2) or int(m.group(2)) >= 1, where


@pytest.fixture
def in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for key in [k for k in os.environ if k.startswith(("ARGOCD_", "KVNET_", "KUBE_VERSION"))]:
        monkeypatch.delenv(key)

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
        with monkeypatch.context() as m:
            if cwd is not None:
                m.chdir(cwd)
            for key, value in (env or {}).items():
                m.setenv(key, value)
            if stdin is not None:
                m.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8", "surrogatepass"))))
            return cli(capsys, *args)

    return run


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def test_every_entry_point_with_every_input_kind(tmp_path: Path, in_process: Callable[..., Run]) -> None:
    rng = random.Random(SEED)
    plans = {p.parent.name: p.read_text() for p in sorted(EXAMPLES.glob("*/kvnet.yaml"))}
    lockfile = (EXAMPLES / "pool-shared" / "kvnet.lock").read_text()
    manifests = in_process("build", str(EXAMPLES / "pool-shared")).out
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec:\n"
           "  group: kubevirt.io\n  names: {kind: VirtualMachine}\n  versions:\n  - name: v1\n    schema:\n"
           "      openAPIV3Schema: {type: object, properties: {spec: {type: object}}}\n")
    pool = plans["pool-shared"]
    items = "".join("  " + line + "\n" for line in manifests.replace("---\n", "- ").splitlines() if line != "---")
    started, n, outcomes = time.monotonic(), 0, set()
    seen: set[tuple[str, int]] = set()
    while time.monotonic() - started < TIME_CAP_S:
        d = tmp_path / f"m{n}"
        kind = ["plan", "lock", "manifests", "crd", "resourcelist", "generator", "params"][n % 7]
        base_name = rng.choice(sorted(plans))
        base, base_dir = plans[base_name], EXAMPLES / base_name
        plan_text = mutated(base, rng) if kind == "plan" else pool
        _write(d / "kvnet.yaml", plan_text)
        _write(d / "kvnet.lock", mutated(lockfile, rng) if kind == "lock" else lockfile)
        runs: dict[str, Run] = {}
        if kind in ("plan", "lock"):
            runs["build"] = in_process("build", str(d))
            runs["lock --check"] = in_process("lock", "--check", str(d))
        if kind == "plan":
            runs["validate"] = in_process("validate", str(d))
            runs["build -o"] = in_process("build", "-o", str(d / "out"), "--prune", str(d))
            runs["explain"] = in_process("explain", str(d))
            runs["graph"] = in_process("graph", str(d))
            runs["check-rendered"] = in_process("check-rendered", str(d))
            runs["cmp generate"] = in_process("cmp", "generate", cwd=d, env={"ARGOCD_APP_NAME": "fuzz"})
            runs["diff"] = in_process("diff", str(base_dir), "--to", str(d))
            runs["node-config"] = in_process("node-config", "-o", str(d / "node"), str(d))
            runs["doctor"] = in_process("doctor", "--root", str(d), "--plan", str(d), "--format", "json")
            runs["check-rendered --fix"] = in_process("check-rendered", "--fix", str(d))
            runs["lock"] = in_process("lock", str(d))
            if VERIFY and n % 21 == 0:  # real CNI plugins in namespaces: slower, a third of the plan mutants
                runs["verify"] = in_process("verify", "-j", "2", str(d))
            body = "".join("  " + line + "\n" for line in plan_text.splitlines())
            runs["fn"] = in_process("fn", cwd=d, stdin="apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
                                    "items: []\nfunctionConfig:\n" + body)
        elif kind == "manifests":
            text = mutated(manifests, rng)
            _write(d / "in.yaml", text)
            runs["lint"] = in_process("lint", str(d / "in.yaml"))
            runs["import"] = in_process("import", str(d / "in.yaml"))
            runs["diff --live"] = in_process("diff", "--live", str(d / "in.yaml"), str(EXAMPLES / "pool-shared"))
        elif kind == "crd":
            _write(d / "crd.yaml", mutated(crd, rng))
            runs["validate"] = in_process("validate", "--crd", str(d / "crd.yaml"), str(d))
        elif kind == "resourcelist":
            body = "".join("  " + line + "\n" for line in pool.splitlines())
            text = mutated("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + items
                           + "functionConfig:\n" + body, rng)
            runs["fn"] = in_process("fn", cwd=d, stdin=text)
        elif kind == "generator":
            cfg = _write(d / "gen" / "config.yaml", mutated(pool, rng))
            runs["kustomize exec"] = in_process("kustomize", "exec", str(cfg), cwd=d / "gen")
        else:
            runs["cmp generate"] = in_process("cmp", "generate", cwd=d,
                                              env={"ARGOCD_APP_NAME": "fuzz", "ARGOCD_APP_PARAMETERS": params(rng)})
        for entry, result in runs.items():
            check(entry, result, f"mutant {n} ({kind})")
            outcomes.add((kind, result.code))
            seen.add((entry, result.code))
        n += 1
    print(f"fuzz: {n} mutants in {time.monotonic() - started:.0f} s (seed {SEED}); exits per entry point: {sorted(seen)}")
    assert n >= 50, f"only {n} mutants in {TIME_CAP_S} s"
    assert {code for _, code in outcomes} >= {0, 1, 2}, sorted(outcomes)
