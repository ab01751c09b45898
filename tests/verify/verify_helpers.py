"""Helpers shared by the verify tests: run the command in-process, build NAD documents."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvnet.verify.command import DEFAULT_BIN_DIRS, has_plugins


# Processes (by pid) that ran `kvnet verify` for this test session: their namespaces are ours.
# Any other `kvnet verify` on the host (another user's, another suite's) names its namespaces
# after its own pid, ``kvnet-verify-<pid>-<n>``; the tests never look at those.
SPAWNED: set[int] = set()


def kvnet_namespaces() -> set[str]:
    """Every ``kvnet-verify-*`` namespace on the host (of any run)."""
    if shutil.which("ip") is None:
        return set()
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.startswith("kvnet-verify-")}


def namespaces_of(pids: set[int]) -> set[str]:
    """The ``kvnet-verify-<pid>-*`` namespaces of the verify runs in processes ``pids``."""
    return {n for n in kvnet_namespaces() if n.split("-")[2] in {str(p) for p in pids}}


def own_namespaces() -> set[str]:
    """The namespaces of this session's verify runs: in-process ones and the processes it
    spawned (:data:`SPAWNED`). Other runs' namespaces on the host are left out."""
    return namespaces_of({os.getpid(), *SPAWNED})


def run_verify_process(argv: list[str], timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` for a ``kvnet verify`` process, its pid recorded in :data:`SPAWNED`."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs) as proc:
        SPAWNED.add(proc.pid)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def plugin_dir() -> str | None:
    return next((d for d in DEFAULT_BIN_DIRS if has_plugins(d)), None)


def why_not_runnable() -> str | None:
    if os.geteuid() != 0:
        return "kvnet verify needs root (network namespaces)"
    if shutil.which("ip") is None:
        return "iproute2 'ip' is not installed"
    if plugin_dir() is None:
        return f"no CNI plugins in {' or '.join(DEFAULT_BIN_DIRS)} (apt-get install containernetworking-plugins)"
    return None


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def result(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.json["results"] if r["name"] == name]
        assert len(matches) == 1, (name, self.out, self.err)
        return matches[0]


def run(paths: list[str], fmt: str = "json", jobs: int = 2, bin_dir: str | None = None) -> Run:
    from kvnet.verify.command import run_verify

    out, err = io.StringIO(), io.StringIO()
    code = run_verify(paths, bin_dir, jobs, fmt, out, err)
    return Run(code, out.getvalue(), err.getvalue())


def nad_yaml(name: str, config: Any, namespace: str | None = None) -> str:
    """A NetworkAttachmentDefinition document; dict configs become compact JSON."""
    text = config if isinstance(config, str) else json.dumps(config, separators=(",", ":"))
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    doc = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
           "metadata": meta, "spec": {"config": text}}
    return json.dumps(doc) + "\n"  # JSON is YAML


def slow_nads(path: Path, count: int = 150) -> Path:
    """Many NADs, each a three-plugin chain, so a run lasts several seconds."""
    docs = []
    for i in range(count):
        conf = {"cniVersion": "1.0.0", "name": f"s{i}", "plugins": [
            {"type": "bridge", "bridge": "br-slow", "ipam": {"type": "host-local", "subnet": "10.70.0.0/16"}},
            {"type": "tuning", "mtu": 1400},
            {"type": "tuning", "sysctl": {"net.ipv4.conf.net1.arp_ignore": "1"}},
        ]}
        docs.append(nad_yaml(f"s{i}", conf))
    path.write_text("---\n".join(docs))
    return path
