"""The lint corpus: small manifests written from the failure classes of SPEC §1 and §8 and from
public bug reports, each stating the findings it must produce (``# expect: CODE@LINE:COL ...``,
or ``# expect: none``) and optionally its command-line arguments (``# args: ...``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testlib import run_kvnet

from kvnet.input.loader import load_file
from kvnet.lint import lint_documents

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (.+)$", re.M)
ARGS = re.compile(r"^# args: (.+)$", re.M)


def expected(path: Path) -> tuple[list[str], list[str]]:
    text = path.read_text()
    m = EXPECT.search(text)
    assert m, f"{path.name} has no '# expect:' line"
    want = [] if m.group(1).strip() == "none" else m.group(1).split()
    args = ARGS.search(text)
    return sorted(want), (args.group(1).split() if args else [])


def test_corpus_size() -> None:
    failing = [f for f in FILES if expected(f)[0]]
    clean = [f for f in FILES if not expected(f)[0]]
    assert len(failing) >= 25 and len(clean) >= 3, (len(failing), len(clean))


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_corpus_file(path: Path, kvnet) -> None:  # type: ignore[no-untyped-def]
    """Through kvnet's command-line entry point: exactly the expected findings, JSON on stdout."""
    want, args = expected(path)
    run = kvnet("lint", "--format", "json", *args, str(path))
    found = json.loads(run.out)
    got = sorted(f"{d['code']}@{d['line']}:{d['column']}" for d in found)
    assert got == want, "\n".join(f"{d['code']}@{d['line']}:{d['column']} {d['message']}" for d in found)
    assert all(d["file"] == str(path) for d in found)
    errors = any(d["severity"] == "error" for d in found)
    assert run.code == (1 if errors else 0) and run.err == ""


def test_corpus_in_process_matches() -> None:
    """The library entry (:func:`lint_documents`) gives the same findings as the command."""
    for path in FILES:
        want, args = expected(path)
        distribution = args[args.index("--distribution") + 1] if "--distribution" in args else None
        result = lint_documents(load_file(str(path), str(path)), distribution)
        assert sorted(f"{d.code}@{d.line}:{d.column}" for d in result.diagnostics) == want, path.name


def test_field_incident_findings() -> None:
    """SPEC §1 rows 2, 3, 4, 9: the four findings of the incident, each at its own line."""
    run = run_kvnet("lint", str(CORPUS / "field-incident.yaml"))
    assert run.code == 1
    for code, needle in (("KV206", "'default'"), ("KV240", "k8s.v1.cni.cncf.io/networks"),
                         ("KV210", "ipam.subnet: '192.168.1.200/24' has host bits set"),
                         ("KV230", "macvlan network behind KubeVirt's 'bridge' binding")):
        line = next(x for x in run.out.splitlines() if f"[{code}]" in x)
        assert needle in line and line.startswith(str(CORPUS / "field-incident.yaml") + ":")
    assert run.out.splitlines()[-1] == "0 plans, 3 objects: 4 errors, 1 warnings"  # KV281: host-local
