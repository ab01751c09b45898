"""Helpers shared by the verify tests: run the command in-process, build NAD documents."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from kvnet.verify.command import DEFAULT_BIN_DIRS, has_plugins


def kvnet_namespaces() -> set[str]:
    if shutil.which("ip") is None:
        return set()
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.startswith("kvnet-verify-")}


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
