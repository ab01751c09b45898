"""What the docs tell people to install and pin exists: no index release nobody publishes, and
pre-commit `rev:` pins that resolve in this repository's history."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml
from testlib import REPO, run_kvnet

DOCS = [REPO / "README.md", REPO / ".pre-commit-hooks.yaml", *sorted((REPO / "docs").glob("*.md")),
        *sorted((REPO / "examples").rglob("*"))]
REV = re.compile(r"^[#\s]*rev:\s*(\S+)", re.MULTILINE)


def texts() -> dict[str, str]:
    return {str(p.relative_to(REPO)): p.read_text() for p in DOCS if p.is_file()}


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False, timeout=60)


def test_nothing_installs_kvnet_from_a_package_index() -> None:
    """kvnet is not published on an index: recipes install it from the repository or a wheel."""
    bad = {name: line.strip() for name, text in texts().items() for line in text.splitlines()
           if re.search(r"pip install\s+(-\S+\s+)*[\"']?kvnet(?!\s*@)([=<>~\"'\s]|$)", line) or "kvnet==" in line}
    assert bad == {}


def _pinned_hooks(text: str) -> list[tuple[str, list[str]]]:
    """(rev, hook ids listed under it) for every ``rev:`` of a pre-commit snippet in ``text``
    (a YAML block, or one written as ``#`` comments, up to its first blank line)."""
    out = []
    for m in REV.finditer(text):
        commented = text[text.rfind("\n", 0, m.start()) + 1:m.start() + 1].lstrip().startswith("#")
        ids = []
        for line in text[m.end():].splitlines()[1:]:
            body = line.lstrip()
            if commented:
                if not body.startswith("#"):
                    break
                body = body[1:].lstrip()
            if not body or body.startswith(("```", "- repo:")):
                break
            if body.startswith("- id:"):
                ids.append(body.split(":", 1)[1].split()[0])
        out.append((m.group(1), ids))
    return out


def test_pre_commit_pins_are_commits_of_this_repository() -> None:
    pins = {(name, rev, tuple(ids)) for name, text in texts().items() for rev, ids in _pinned_hooks(text)}
    assert pins, "the docs show how to pin the hooks"
    if shutil.which("git") is None or git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: the pinned commits cannot be looked up")
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone lacks the history the pins point into")
    hook_ids = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    for name, rev, ids in sorted(pins):
        # a full commit id, or a release tag (vX.Y.Z) that exists
        assert re.fullmatch(r"[0-9a-f]{40}|v\d+\.\d+\.\d+", rev), f"{name}: rev {rev!r} is neither a commit nor a tag"
        assert git("cat-file", "-e", f"{rev}^{{commit}}").returncode == 0, f"{name}: {rev} is not a commit here"
        hooks = git("show", f"{rev}:.pre-commit-hooks.yaml")
        assert hooks.returncode == 0, f"{name}: {rev} has no .pre-commit-hooks.yaml"
        at_rev = {h["id"] for h in yaml.safe_load(hooks.stdout)}
        assert ids and set(ids) <= at_rev, f"{name}: hooks {sorted(set(ids) - at_rev)} do not exist at {rev}"
        assert set(ids) <= hook_ids, f"{name}: hooks {sorted(set(ids) - hook_ids)} no longer exist"


def last_release() -> str:
    """The newest ``## [X.Y.Z] - date`` section of CHANGELOG.md."""
    found = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", (REPO / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert found, "CHANGELOG.md has a released version"
    return found.group(1)


def test_changelog_names_the_pinned_release() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog") and "## [Unreleased]" in changelog
    version = last_release()
    release = re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}\n\n.*?`([0-9a-f]{{40}})`",
                        changelog, re.MULTILINE | re.DOTALL)
    assert release, f"CHANGELOG.md has a section for {version} naming its commit"
    pins = {rev for text in texts().values() for rev in REV.findall(text)}
    assert pins <= {release.group(1), f"v{version}"}, "the docs pin the current release"


def test_the_version_is_derived_never_written() -> None:
    """setuptools-scm derives the version (pyproject: dynamic); its fallback (a copy without git
    metadata, and the base a clone without tags counts from) is the last release."""
    import tomllib

    from kvnet import __version__

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    scm = pyproject["tool"]["setuptools_scm"]
    assert scm["fallback_version"] == last_release()
    assert "setuptools-scm>=8" in pyproject["build-system"]["requires"]
    assert re.fullmatch(r"\d+\.\d+\.\d+((\.dev\d+)?\+[0-9a-z.]+|\.dev\d+)?", __version__), __version__
    assert "__version__ =" not in (REPO / "kvnet" / "__init__.py").read_text().split("except ImportError")[0]


def readme_setup_commands() -> list[str]:
    """The two commands of the README's Set-up: install + build the example, install + test."""
    readme = (REPO / "README.md").read_text()
    setup = readme[readme.index("## Set-up"):readme.index("\n## ", readme.index("## Set-up") + 1)]
    blocks = re.findall(r"^```sh\n(.*?)\n```", setup, re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 2, "Set-up shows the install command and the test command"
    return blocks[:2]


def test_ci_runs_the_readme_commands_verbatim() -> None:
    """.ci/run runs both Set-up commands character for character (a fresh venv, as on a Debian 12
    whose system Python is externally managed), and the Tests section shows the same test command."""
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    for command in readme_setup_commands():
        assert "\n" not in command and command.startswith("python3 -m venv .venv && .venv/bin/pip install -e ")
        assert any(line.startswith(command + " ") or line == command for line in ci), command
    assert readme_setup_commands()[1] in (REPO / "README.md").read_text().split("## Tests", 1)[1]


def test_the_readme_shows_the_real_version_output() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"^\$ kvnet --version\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    assert block, "README shows `kvnet --version`"
    shown, real = block.group(1).splitlines(), run_kvnet("--version").out.splitlines()
    assert shown[0].startswith("kvnet ") and shown[0].endswith("# <- varies: the version of your checkout")
    assert shown[1:] == real[1:]
