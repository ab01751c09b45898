"""`python -m build` makes a wheel and an sdist that install into a fresh venv and work, offline.

The source is copied out of the repository first (the build writes build/ and *.egg-info next
to its input), then built with `python -m build --no-isolation` (sdist, and the wheel from the
unpacked sdist, so a file missing from the sdist breaks the wheel). Each artifact is installed
with `pip install --no-index --no-deps` into its own fresh venv. The venvs get kvnet's
dependencies from this interpreter's site-packages through a `.pth` file of plain paths (no
index, no network); `.pth` files inside those directories are not run, so an editable kvnet
installed there cannot shadow the one under test, which the test checks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from testlib import EXAMPLES, REPO, run_kvnet

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("build") is None or importlib.util.find_spec("setuptools_scm") is None,
                       reason="'build' or 'setuptools_scm' is not installed (pip install -e '.[test]' installs them)"),
]


def fallback_version() -> str:
    """The version setuptools-scm gives a source tree without git metadata (the copy built here)."""
    import tomllib

    return str(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools_scm"]["fallback_version"])

IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", "*.pyc")
PACKAGE_DATA = ("kvnet/schemas/networkplan.json", "kvnet/schemas/virtualmachine.json",
                "kvnet/schemas/networkattachmentdefinition.json", "kvnet/schemas/cni/bridge.json",
                "kvnet/schemas/cni/ipam-static.json", "kvnet/data/starter-kvnet.yaml", "kvnet/_version.py")


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, check=False, **kwargs)
    assert proc.returncode == 0, f"{argv}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    src = work / "src"
    shutil.copytree(REPO, src, ignore=IGNORED)
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(work / "dist"), str(src)])
    return work / "dist"


def one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def site_dirs() -> list[str]:
    """This interpreter's site-packages directories (where kvnet's dependencies are installed)."""
    return [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]


def fresh_venv(root: Path) -> Path:
    """A new venv without pip whose only access to other packages is a .pth of plain paths."""
    run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = root / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    Path(purelib, "zz-host-deps.pth").write_text("".join(d + "\n" for d in site_dirs()))
    return python


def pip_install(python: Path, artifact: Path) -> None:
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps",
         "--no-build-isolation", "--quiet", str(artifact)])


def test_wheel_holds_the_package_data_and_license(dist: Path) -> None:
    wheel = one(dist, "kvnet-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names, sorted(set(PACKAGE_DATA) - names)
    assert len([n for n in names if n.startswith("kvnet/schemas/cni/")]) >= 10
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert any(n.startswith(info) and n.endswith("LICENSE") for n in names), "LICENSE missing from the wheel"
    meta = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License: Apache-2.0" in meta
    entry = zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode()
    assert "kvnet = kvnet.entry:main" in entry


def test_sdist_holds_what_a_release_needs(dist: Path) -> None:
    sdist = one(dist, "kvnet-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for need in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", *PACKAGE_DATA):
        assert need in names, need


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installed_artifact_builds_an_example_offline(dist: Path, tmp_path: Path, kind: str) -> None:
    artifact = one(dist, "kvnet-*-py3-none-any.whl" if kind == "wheel" else "kvnet-*.tar.gz")
    python = fresh_venv(tmp_path / "venv")
    pip_install(python, artifact)
    kvnet = tmp_path / "venv" / "bin" / "kvnet"
    assert kvnet.is_file(), "the console script is installed"

    where = run([str(python), "-c", "import kvnet; print(kvnet.__file__)"], cwd=tmp_path).stdout.strip()
    assert where.startswith(str(tmp_path / "venv")), f"kvnet imported from {where}, not from the venv"

    # the copy has no .git: setuptools-scm's fallback, written into the package's _version.py
    assert artifact.name.startswith(f"kvnet-{fallback_version()}")
    version = run([str(kvnet), "--version"], cwd=tmp_path).stdout.splitlines()
    assert version[0] == f"kvnet {fallback_version()}"
    assert version[1:] == run_kvnet("--version").out.splitlines()[1:]
    built = run([str(kvnet), "build", str(EXAMPLES / "k3s-lan-static")], cwd=tmp_path)
    assert built.stdout == run_kvnet("build", str(EXAMPLES / "k3s-lan-static")).out  # the same bytes
    assert "kind: VirtualMachine" in built.stdout
    cluster = run([str(kvnet), "build", str(EXAMPLES / "k3s-multus")], cwd=tmp_path)  # CRD, DaemonSets, CNI
    assert "kind: DaemonSet" in cluster.stdout
    schema = run([str(kvnet), "schema"], cwd=tmp_path).stdout
    assert json.loads(schema) == json.loads((REPO / "kvnet/schemas/networkplan.json").read_text())
    run([str(kvnet), "init", str(tmp_path / "app")], cwd=tmp_path)
    assert (tmp_path / "app" / "networkplan.schema.json").read_text() == schema
    run([str(kvnet), "validate", "--strict", str(tmp_path / "app")], cwd=tmp_path)
