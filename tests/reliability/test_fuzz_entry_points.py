"""Mutated plans through every entry point (issue #14): build, build -o, validate, fn,
cmp generate and the kustomize plugin. Invariants: no traceback, an exit in the documented set
(0, 1, 2), nothing on stdout (and nothing in -o DIR) on failure, no empty success.

A seeded mutator (deterministic; no extra dependency), run in-process through the same
``main`` as the console script so that a few hundred runs stay well under a minute.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, Run, cli

SEED = 14
MUTANTS = 150
TIME_CAP_S = 30.0
INSERTS = ["\x1b", "\x00", "\t", ":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "'", '"', "#",
           "\n", "---\n", "1:30", "99999999999999999999", ".inf", "!!binary ", "~", "é", "\ufeff", "\\"]
VALUES = ["null", "''", "0", "-1", "65536", "1.5", "true", "[]", "{}", "[x]", "{a: 1}", "x" * 300,
          "192.168.1.0/24", "fd00::/64", "default", "LAN", "02:00:00:00:00:00", "1:30", "0x1F", "0o17",
          "9223372036854775808", "-.inf", ".nan", "&anchor x", "*missing"]


def seeds() -> list[str]:
    return [f.read_text() for f in sorted(EXAMPLES.glob("*/kvnet.yaml"))]


def mutate(text: str, rng: random.Random) -> str:
    """One to three text-level mutations: structure-aware (replace a value, drop or repeat a line)
    and byte-level (insert, delete, truncate)."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        op = rng.randrange(6)
        if op == 0 and ": " in lines[i]:
            lines[i] = lines[i].split(": ", 1)[0] + ": " + rng.choice(VALUES)
        elif op == 1:
            del lines[i]
        elif op == 2:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 3:
            pos = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + rng.choice(INSERTS) + lines[i][pos:]
        elif op == 4:
            lines[i] = " " * rng.randint(0, 6) + lines[i].lstrip()
        else:
            return "\n".join(lines)[: rng.randrange(len(text) + 1)]
        text = "\n".join(lines)
    return text


def resource_list(plan: str) -> str:
    body = "".join("  " + line + "\n" for line in plan.splitlines())
    return "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n" + body


def check(entry: str, run: Run, text: str) -> None:
    where = f"{entry} on:\n{text}\n--- stderr:\n{run.err[-800:]}"
    assert run.code in (0, 1, 2), where
    assert "Traceback" not in run.err and "internal error" not in run.err, where
    if entry == "fn":
        if run.code:
            out = yaml.safe_load(run.out) if run.out else None
            assert out is None or any(r.get("severity") == "error" for r in out.get("results") or []), where
        else:
            assert any((i["metadata"].get("labels") or {}).get("app.kubernetes.io/managed-by") == "kvnet"
                       for i in yaml.safe_load(run.out)["items"]), where
        return
    if entry == "validate":  # its report goes to stdout; never a manifest
        assert "\napiVersion:" not in "\n" + run.out, where
    elif run.code:
        assert run.out == "", where
    else:
        assert run.out.strip().startswith("---"), where  # a manifest stream, never an empty success


@pytest.fixture
def in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for key in [k for k in os.environ if k.startswith(("ARGOCD_", "KVNET_"))]:
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


def test_mutated_plans_through_every_entry_point(tmp_path: Path, in_process) -> None:
    rng = random.Random(SEED)
    bases = seeds()
    started = time.monotonic()
    done = 0
    outcomes: set[tuple[str, int]] = set()
    for n in range(MUTANTS):
        if time.monotonic() - started > TIME_CAP_S:
            break
        text = mutate(rng.choice(bases), rng)
        d = tmp_path / f"m{n}"
        d.mkdir()
        (d / "kvnet.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        runs = {
            "build": in_process("build", str(d)),
            "validate": in_process("validate", str(d)),
            "cmp generate": in_process("cmp", "generate", cwd=d, env={"ARGOCD_APP_NAME": "fuzz"}),
            "kustomize exec": in_process("kustomize", "exec", str(d / "kvnet.yaml"), cwd=d),
            "fn": in_process("fn", cwd=d, stdin=resource_list(text)),
        }
        out_dir = d / "out"
        built = in_process("build", "-o", str(out_dir), str(d))
        assert built.code in (0, 1, 2) and "Traceback" not in built.err, built.err
        if built.code:
            assert not out_dir.exists() or not any(out_dir.iterdir()), "files written by a failed build -o"
        else:
            assert sorted(p.name for p in out_dir.iterdir()), "build -o succeeded with nothing written"
        for entry, run in runs.items():
            check(entry, run, text)
            outcomes.add((entry, run.code))
        assert (runs["build"].code == 0) == (built.code == 0)
        done += 1
    assert done >= 10, f"only {done} mutants in {TIME_CAP_S} s"
    assert {code for _, code in outcomes} >= {0, 1}, "the mutator should produce both good and bad plans"
