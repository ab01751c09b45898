"""The GitHub Actions recipe of docs/diff.md runs as written (its kvnet lines, in a repository
with the base branch fetched as origin/<base>) and finds its own comment by kvnet's marker."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from diff_helpers import edit, git, repo_with
from testlib import REPO, run_kvnet

from kvnet.diff.report_md import MARKER


def _workflow() -> dict:
    text = (REPO / "docs/diff.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block
    return yaml.safe_load(block.group(1))  # type: ignore[no-any-return]


def test_recipe_runs_as_written(tmp_path: Path) -> None:
    steps = _workflow()["jobs"]["diff"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert f'const marker = "{MARKER}"' in steps[4]["with"]["script"]
    repo = repo_with(tmp_path, "k3s-lan-static")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    (repo / "clusters").mkdir()
    git(repo, "mv", "k3s-lan-static", "clusters/prod")
    git(repo, "commit", "-qm", "move")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    edit(repo / "clusters/prod/kvnet.yaml", ("memory: 2Gi", "memory: 4Gi"))
    runs = [s["run"] for s in steps if "run" in s and "kvnet diff" in s["run"]]
    assert len(runs) == 2
    for line in runs:
        line = line.replace("${{ github.base_ref }}", "main")
        argv = shlex.split(line.split(">")[0])
        assert argv[:2] == ["kvnet", "diff"]
        run = run_kvnet(*argv[1:], cwd=repo)
        if "--fail-on" in argv:
            assert run.code == 1 and run.out.startswith("::warning file=clusters/prod/kvnet.yaml,line=")
        else:
            assert run.code == 0 and run.out.startswith(MARKER + "\n### kvnet diff: base origin/main -> ")
