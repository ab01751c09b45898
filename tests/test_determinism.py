"""Same plan in, same bytes out: whatever the file order, argument order or hash seed."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from testlib import REPO, run_kvnet

sys.path.insert(0, str(REPO / "bench"))
from genplan import split_plan  # noqa: E402


@pytest.mark.slow
def test_byte_identical_across_file_order_and_hash_seed(tmp_path: Path) -> None:
    parts = split_plan(n_vms=120, n_networks=9, nics=3, parts=4)
    names = [f"part-{i}.yaml" for i in range(len(parts))]
    for name, text in zip(names, parts, strict=True):
        (tmp_path / name).write_text(text)
    rng = random.Random(7)
    outputs = []
    for seed in ("0", "1", "4242", "random"):
        order = names[:]
        rng.shuffle(order)
        res = run_kvnet("build", *order, cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        assert res.code == 0, res.err
        outputs.append(res.out)
    whole = run_kvnet("build", ".", cwd=tmp_path, env={"PYTHONHASHSEED": "99"})
    assert whole.code == 0
    outputs.append(whole.out)
    assert len(outputs[0]) > 10_000
    assert all(o == outputs[0] for o in outputs[1:])


def test_documents_in_one_file_in_other_order_give_same_objects(tmp_path: Path) -> None:
    parts = split_plan(n_vms=30, n_networks=6, nics=2, parts=3)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "kvnet.yaml").write_text("---\n".join(parts))
    (tmp_path / "b" / "kvnet.yaml").write_text("---\n".join(reversed(parts)))
    one = run_kvnet("build", str(tmp_path / "a"))
    two = run_kvnet("build", str(tmp_path / "b"))
    assert one.code == two.code == 0
    assert one.out == two.out


def test_source_annotation_is_root_relative_not_cwd_relative(tmp_path: Path) -> None:
    parts = split_plan(n_vms=2, n_networks=3, nics=2, parts=1)
    plan_dir = tmp_path / "apps" / "lab"
    plan_dir.mkdir(parents=True)
    (plan_dir / "kvnet.yaml").write_text("---\n".join(parts))
    from_root = run_kvnet("build", "apps/lab", cwd=tmp_path)
    from_inside = run_kvnet("build", cwd=plan_dir)
    assert from_root.code == from_inside.code == 0
    assert from_root.out == from_inside.out
    assert "kvnet.dev/source: kvnet.yaml" in from_root.out
