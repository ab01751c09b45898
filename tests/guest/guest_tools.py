"""The real guest-side programs: Debian's cloud-init 22.4.2, cloud-init 26.2 and netplan.

Rendering is batched: one interpreter per cloud-init version runs `devel net-convert`'s own
``handle_args`` for every (networkData, output kind) (render_batch.py); both versions run at
once, then ``netplan generate --root-dir`` runs on each distinct netplan file, two at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from testlib import UPSTREAM

SYSTEM_PYTHON = Path("/usr/bin/python3")
NEW_CLOUDINIT = UPSTREAM / "cloud-init-26.2"
BATCH = Path(__file__).with_name("render_batch.py")
# output kind -> the distro net-convert renders it for (sysconfig: the RHEL flavour)
KINDS = {"netplan": "ubuntu", "networkd": "debian", "eni": "debian", "sysconfig": "rhel",
         "network-manager": "fedora"}


@dataclass(frozen=True)
class Version:
    name: str  # "22.4.2" | "26.2"
    pythonpath: str | None


def versions() -> tuple[list[Version], list[str]]:
    """The cloud-init versions this machine can run, and why others are skipped."""
    found: list[Version] = []
    missing: list[str] = []
    if not SYSTEM_PYTHON.exists():
        return [], ["/usr/bin/python3 absent (cloud-init runs on the system Python)"]
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import cloudinit.version as v; print(v.version_string())"],
                           capture_output=True, text=True)
    if probe.returncode == 0:
        found.append(Version(probe.stdout.strip(), None))
    else:
        missing.append("Debian's cloud-init is not installed (apt-get install cloud-init)")
    if (NEW_CLOUDINIT / "cloudinit" / "cmd" / "devel" / "net_convert.py").is_file() and found:
        found.append(Version("26.2", str(NEW_CLOUDINIT)))
    else:
        missing.append(f"{NEW_CLOUDINIT} absent (or Debian's cloud-init, which provides its libraries)")
    return found, missing


def netplan_binary() -> str | None:
    return shutil.which("netplan") or ("/usr/sbin/netplan" if os.access("/usr/sbin/netplan", os.X_OK) else None)


def render_all(version: Version, jobs: list[dict[str, str]]) -> subprocess.Popen[str]:
    """Start one batch process for ``version``; ``communicate()`` gives its JSON results."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    if version.pythonpath:
        env["PYTHONPATH"] = version.pythonpath
    proc = subprocess.Popen([str(SYSTEM_PYTHON), str(BATCH)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(jobs))
    proc.stdin.close()
    return proc


def finish(proc: subprocess.Popen[str]) -> list[dict[str, object]]:
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out)


def netplan_generate(netplan: str, files: list[Path], work: Path) -> dict[Path, tuple[Path, str]]:
    """Run ``netplan generate --root-dir`` once per distinct netplan file content.

    Returns file -> (root dir holding run/systemd/network, error text or "").
    """
    by_digest: dict[str, list[Path]] = {}
    for f in files:
        by_digest.setdefault(hashlib.sha256(f.read_bytes()).hexdigest()[:16], []).append(f)

    def one(item: tuple[str, list[Path]]) -> tuple[str, str]:
        digest, same = item
        root = work / digest
        (root / "etc/netplan").mkdir(parents=True, exist_ok=True)
        target = root / "etc/netplan" / same[0].name
        shutil.copyfile(same[0], target)
        target.chmod(0o600)
        proc = subprocess.run([netplan, "generate", "--root-dir", str(root)], capture_output=True, text=True,
                              timeout=120)
        return digest, "" if proc.returncode == 0 else proc.stderr or proc.stdout

    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = dict(pool.map(one, by_digest.items()))
    return {f: (work / d, errors[d]) for d, fs in by_digest.items() for f in fs}
