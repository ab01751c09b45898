"""The module-fixture prelude the guest render tests share: skip without cloud-init, write the
plans, build them all with one ``kvnet build`` and read the objects back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from guest_tools import Version, versions
from testlib import run_kvnet

#: plan label -> (plan directory, the plan as YAML data)
Plans = dict[str, tuple[Path, dict[str, Any]]]


@dataclass
class Built:
    found: list[Version]  # the cloud-init versions this machine runs
    tmp: Path  # the module's work directory
    plans: Plans
    objs: list[dict[str, Any]]  # every object `kvnet build` wrote for all plans


def build_plans(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Plans]) -> Built:
    """Skip (naming what is missing) without a cloud-init to run; else ``make(tmp)`` writes the
    plans and one ``kvnet build`` of them all must succeed."""
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    tmp = factory.mktemp(name)
    plans = make(tmp)
    res = run_kvnet("build", *(str(d) for d, _ in plans.values()))
    assert res.code == 0, res.err
    return Built(found, tmp, plans, [o for o in yaml.safe_load_all(res.out) if o])


def plan_lock(plan_dir: Path) -> dict[str, Any] | None:
    """The plan directory's kvnet.lock (SPEC §7), None without one."""
    path = plan_dir / "kvnet.lock"
    return yaml.safe_load(path.read_text()) if path.is_file() else None
