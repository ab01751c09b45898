"""Helpers for the GitOps adapter tests: plans and running kvnet as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]

GOOD_PLAN = """\
# a comment kustomize drops
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: lab
  namespace: vms
spec:
  networks:
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.10.0/24
      gateway: 192.168.10.1
  vms:
    - name: web-1
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - network: default
        - network: lan
          address: 192.168.10.20/24
"""

# Line 12, column 15: a subnet with host bits set (KV210).
BAD_PLAN = GOOD_PLAN.replace("subnet: 192.168.10.0/24", "subnet: 192.168.10.7/24")
BAD_LINE = 12


def big_plan(vms: int, name: str = "big") -> str:
    """A plan that takes seconds to compile (for signal tests)."""
    head = (f"apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata:\n  name: {name}\n  namespace: vms\n"
            "spec:\n  networks:\n    - name: lan\n      type: bridge\n      bridge: br-lan\n"
            "      subnet: 10.20.0.0/16\n  vms:\n")
    out = [head]
    for i in range(vms):
        out.append(f"    - name: vm-{i}\n      image: quay.io/containerdisks/ubuntu:22.04\n"
                   f"      interfaces:\n        - network: default\n        - network: lan\n"
                   f"          address: 10.20.{i // 250}.{i % 250 + 2}/16\n")
    return "".join(out)


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without CI/Argo CD/kustomize variables that change behaviour."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARGOCD_", "KUSTOMIZE_", "KVNET_", "PRE_COMMIT")) and k not in (
               "GITHUB_ACTIONS", "KUBE_VERSION")}
    env.update(extra)
    return env


def kvnet(args: list[str], cwd: Path | str, env: dict[str, str] | None = None, stdin: str | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kvnet", *args], cwd=cwd, env=env or clean_env(),
                          input=stdin, capture_output=True, text=True, check=False, timeout=timeout)


def objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def by_identity(objs: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    out = {}
    for o in objs:
        meta = o.get("metadata") or {}
        out[(o["apiVersion"], o["kind"], meta.get("namespace") or "", meta["name"])] = o
    return out


def kvnet_build(path: Path) -> str:
    res = kvnet(["build", str(path)], cwd=path if path.is_dir() else path.parent)
    assert res.returncode == 0, res.stderr
    return res.stdout
