"""Is the committed rendered output of each plan directory what ``kvnet build DIR`` makes?

For repositories that commit rendered manifests next to the plan (convention:
``<plan dir>/rendered.yaml``), typically checked by a pre-commit hook. Each plan
directory is compiled on its own, exactly as ``kvnet build DIR`` would.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from typing import Any

from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.input.discover import plan_dirs
from kvnet.output import write_file

__all__ = ["DEFAULT_RENDERED", "DirCheck", "check_dir", "plan_dirs", "write_expected"]

DEFAULT_RENDERED = "rendered.yaml"


@dataclass
class DirCheck:
    directory: str
    rendered: str  # path of the committed file
    diagnostics: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    expected: str | None = None  # what the file should hold (None: the plan does not compile)
    exit_code: int = 0


def check_dir(directory: str, rendered_name: str, options: Any) -> DirCheck:
    from kvnet.emit import to_yaml
    from kvnet.pipeline import compile_paths

    rendered = os.path.normpath(os.path.join(directory, rendered_name))
    check = DirCheck(directory, rendered)
    result = compile_paths([directory], options)
    check.diagnostics = list(result.diagnostics)
    if not result.ok:
        check.exit_code = result.exit_code
        return check
    check.expected = to_yaml(result.objects)
    fix = f"kvnet build {directory} > {rendered}"
    try:
        with open(rendered, encoding="utf-8") as fh:
            actual = fh.read()
    except FileNotFoundError:
        check.diagnostics.append(error("KV961", "rendered output is missing", Loc(rendered),
                                       hint=f"run: {fix} (or kvnet check-rendered --fix)"))
        check.exit_code = 1
        return check
    except (OSError, UnicodeDecodeError) as exc:
        check.diagnostics.append(error("KV000", f"cannot read rendered output: {exc}", Loc(rendered)))
        check.exit_code = 2
        return check
    if actual != check.expected:
        check.diff = "".join(difflib.unified_diff(actual.splitlines(keepends=True),
                                                  check.expected.splitlines(keepends=True),
                                                  fromfile=f"{rendered} (committed)",
                                                  tofile=f"{rendered} (kvnet build {directory})"))
        if check.diff and not check.diff.endswith("\n"):
            check.diff += "\n"
        check.diagnostics.append(error("KV960", "rendered output is stale: it differs from kvnet build",
                                       Loc(rendered), hint=f"run: {fix} (or kvnet check-rendered --fix)"))
        check.exit_code = 1
    return check


def write_expected(check: DirCheck) -> None:
    """Replace the rendered file (kvnet.output: safe temporary file, atomic rename)."""
    assert check.expected is not None
    write_file(check.rendered, check.expected)
