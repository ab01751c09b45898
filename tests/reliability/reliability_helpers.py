"""Helpers for the reliability tests (issue #14): big plans, the real kvnet program, resource use."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

KVNET = [sys.executable, "-m", "kvnet"]


def big_plan(directory: Path, vms: int, prefix: str = "vm") -> Path:
    """A NetworkPlan of ``vms`` VMs with three interfaces each (~2.6 KB of manifests per VM)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["apiVersion: kvnet.dev/v1alpha1", "kind: NetworkPlan", "metadata: {name: big, namespace: vms}",
             "spec:", "  cluster: {distribution: k3s}", "  networks:",
             "    - {name: lan, type: bridge, bridge: br-lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1, ipam: static}",
             "    - {name: pool, type: bridge, bridge: br-pool, subnet: 10.1.0.0/16, gateway: 10.1.0.1,"
             " ipam: host-local, range: 10.1.0.10-10.1.250.250}", "  vms:"]
    for i in range(vms):
        a = 10 + i
        lines += [f"    - name: {prefix}-{i}", "      image: quay.io/containerdisks/ubuntu:22.04",
                  "      interfaces:", "        - network: default", "        - network: lan",
                  f"          address: 10.0.{a // 256}.{a % 256}/16", "        - network: pool"]
    path = directory / "kvnet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.pop("GITHUB_ACTIONS", None)
    return out


@dataclass
class Measured:
    code: int
    out: bytes
    err: str
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    max_rss_mb: float  # peak resident set of the child


def measure(*args: str, cwd: Path | None = None, stdin_path: Path | None = None,
                   extra_env: dict[str, str] | None = None, timeout: float = 60) -> Measured:
    """Run ``kvnet ARGS`` with output to files and reap it with os.wait4 for its own rusage."""
    full = env()
    full.update(extra_env or {})
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            (open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")) as stdin:
        # through a small parent: a child spawned by this (large) test process inherits its peak
        # RSS in ru_maxrss (Linux keeps the pre-exec high-water mark), so the parent forks kvnet
        # from its own small image and hands back kvnet's rusage
        rusage_file = tempfile.NamedTemporaryFile(delete=False)
        rusage_file.close()
        proc = subprocess.Popen([sys.executable, "-c", _SPAWN, rusage_file.name, *KVNET, *args], cwd=cwd, env=full,
                                stdin=stdin, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise TimeoutError(f"kvnet {' '.join(args)} ran over {timeout} s")
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        data, text = out.read(), err.read().decode(errors="replace")
    with open(rusage_file.name, encoding="utf-8") as fh:
        cpu, maxrss = (float(x) for x in fh.read().split())
    os.unlink(rusage_file.name)
    return Measured(proc.returncode, data, text, wall, cpu, maxrss / 1024)  # Linux: KiB


_SPAWN = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""
