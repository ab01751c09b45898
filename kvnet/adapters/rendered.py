"""Is the committed rendered output of each plan directory what ``kvnet build DIR`` makes?

For repositories that commit rendered manifests next to the plan (convention:
``<plan dir>/rendered.yaml``), typically checked by a pre-commit hook. Each plan
directory is compiled on its own, exactly as ``kvnet build DIR`` would.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from kvnet.record import dataclass, field

from kvnet.adapters.outcome import Outcome
from kvnet.diagnostics import Diagnostic, Loc, error
from kvnet.emit import to_yaml
from kvnet.exitcodes import PROBLEMS, exit_code
from kvnet.input.discover import plan_dirs
from kvnet.options import BuildOptions
from kvnet.pipeline import compile_paths

__all__ = ["DEFAULT_RENDERED", "DirCheck", "RenderedInputs", "check_dir", "plan_dirs", "run"]

DEFAULT_RENDERED = "rendered.yaml"


@dataclass(frozen=True)
class RenderedInputs:
    """``paths``: plan files or directories (a file stands for its directory); ``rendered_name``:
    the committed file, relative to each plan directory; ``fix``: rewrite stale or missing files."""

    paths: Sequence[str] = ()
    rendered_name: str = DEFAULT_RENDERED
    fix: bool = False


def run(inputs: RenderedInputs, options: BuildOptions) -> Outcome:
    """Check every plan directory: diffs on stdout, KV960/KV961 (and the plans' own problems) as
    diagnostics, with ``fix`` the files to rewrite; exit 1 while anything was stale or missing."""
    outcome = Outcome()
    for directory in plan_dirs(inputs.paths):
        check = check_dir(directory, inputs.rendered_name, options)
        outcome.diagnostics.extend(check.diagnostics)
        outcome.stdout += check.diff
        if inputs.fix and check.expected is not None and exit_code(check.diagnostics) == PROBLEMS:
            outcome.files[check.rendered] = check.expected  # stale or missing
    outcome.exit_code = exit_code(outcome.diagnostics)
    return outcome


@dataclass
class DirCheck:
    directory: str
    rendered: str  # path of the committed file
    diagnostics: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    expected: str | None = None  # what the file should hold (None: the plan does not compile)


def check_dir(directory: str, rendered_name: str, options: BuildOptions) -> DirCheck:
    """``directory`` compiled as ``kvnet build`` does, against its committed ``rendered_name``."""
    rendered = os.path.normpath(os.path.join(directory, rendered_name))
    check = DirCheck(directory, rendered)
    result = compile_paths([directory], options)
    check.diagnostics = list(result.diagnostics)
    if not result.ok:
        return check
    check.expected = to_yaml(result.objects)
    fix = f"kvnet build {directory} > {rendered}"
    try:
        with open(rendered, encoding="utf-8") as fh:
            actual = fh.read()
    except FileNotFoundError:
        check.diagnostics.append(error("KV961", "rendered output is missing", Loc(rendered),
                                       hint=f"run: {fix} (or kvnet check-rendered --fix)"))
        return check
    except (OSError, UnicodeDecodeError) as exc:
        check.diagnostics.append(error("KV000", f"cannot read rendered output: {exc}", Loc(rendered)))
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
    return check

