"""The lock's codes and command are documented, and the bundled examples' locks are current."""

from __future__ import annotations

from pathlib import Path

import pytest
from testlib import EXAMPLES, REPO

from kvnet.codes import CODES

LOCK_CODES = [f"KV{n}" for n in range(280, 288)]


@pytest.mark.parametrize("code", LOCK_CODES)
def test_code_is_registered_and_in_the_readme(code: str) -> None:
    assert CODES[code].spec == "§7"
    assert f"\n| {code} | " in (REPO / "README.md").read_text()


def test_lock_command_is_listed(kvnet) -> None:
    res = kvnet("--help")
    assert res.code == 0 and "\n  lock " in res.out
    assert "| `kvnet lock [PATH...]` |" in (REPO / "README.md").read_text()


LOCKED = sorted(p.parent for p in EXAMPLES.glob("*/kvnet.lock"))


@pytest.mark.parametrize("example", LOCKED, ids=[p.name for p in LOCKED])
def test_bundled_lock_is_current(kvnet, example: Path) -> None:
    res = kvnet("lock", "--check", str(example))
    assert res.code == 0 and res.out == "", (res.out, res.err)


def test_pool_shared_models_addresses_that_work_on_every_node() -> None:
    assert EXAMPLES / "pool-shared" in LOCKED
    text = (EXAMPLES / "pool-shared" / "kvnet.yaml").read_text()
    assert "allocate:" in text and "ipam: host-local" not in text
