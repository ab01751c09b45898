"""One vocabulary of problems: the codes kvnet's source reports, the registry (kvnet.codes) and
the README's code table are the same set, and agree on which codes are warnings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kvnet.codes import CODES, Severity

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^KV\d{3}$")


def _source_codes() -> tuple[set[str], dict[str, set[str]]]:
    """Every KVnnn string in kvnet/ (registry aside), and the codes each of error()/warning()
    is called with (directly, or through a module constant such as ``MISSING = "KV260"``)."""
    seen: set[str] = set()
    called: dict[str, set[str]] = {"error": set(), "warning": set()}
    for path in sorted((ROOT / "kvnet").rglob("*.py")):
        if path.name == "codes.py" and path.parent.name == "kvnet":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                seen.add(node.value)
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in called
                    and node.args):
                arg = node.args[0]
                code = arg.value if isinstance(arg, ast.Constant) else constants.get(getattr(arg, "id", ""))
                if isinstance(code, str) and CODE.match(code):
                    called[node.func.id].add(code)
    return seen, called


def _readme_codes() -> dict[str, bool]:
    """README code table: code -> marked "(warning)"."""
    out: dict[str, bool] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.match(r"^KV\d{3}( / KV\d{3})*$", cells[0]):
            continue
        for code in cells[0].split(" / "):
            assert code not in out, f"{code} has two rows in the README"
            out[code] = cells[1].startswith("(warning)")
    return out


def test_source_registry_and_readme_list_the_same_codes() -> None:
    seen, called = _source_codes()
    readme = _readme_codes()
    assert called["error"] | called["warning"] <= seen
    assert seen == set(CODES), (f"reported but not registered: {sorted(seen - set(CODES))}; "
                                f"registered but never reported: {sorted(set(CODES) - seen)}")
    assert set(readme) == set(CODES), (f"not in the README table: {sorted(set(CODES) - set(readme))}; "
                                       f"not registered: {sorted(set(readme) - set(CODES))}")


def test_severities_agree() -> None:
    _, called = _source_codes()
    readme = _readme_codes()
    for code, entry in CODES.items():
        assert readme[code] == (entry.severity is Severity.WARNING), f"README severity of {code}"
    assert {c for c in called["error"] if CODES[c].severity is not Severity.ERROR} == set()
    assert {c for c in called["warning"] if CODES[c].severity is not Severity.WARNING} == set()


def test_every_registered_code_has_a_summary_and_spec_section() -> None:
    for code, entry in CODES.items():
        assert entry.summary, code
        assert entry.spec == "" or re.match(r"^§\d+$", entry.spec), (code, entry.spec)
        assert entry.spec or code.startswith("KV9"), f"{code}: only adapters' codes may lack a SPEC section"
