"""Benchmarks for the speed targets (run: python bench/bench.py).

- a generated plan of 1,000 VMs x 3 interfaces over 20 networks: compile with
  full output validation + YAML emission, in-process and as `kvnet build`;
- `kvnet lock` of 1,000 VMs x 3 allocated interfaces (SPEC §7), which must take no longer than
  `kvnet build` of the same plan once locked;
- `kvnet build` of the first example (wall clock, fresh process);
- `kvnet --version` (wall clock, fresh process).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from genplan import plan_text  # noqa: E402


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[:500]}")
    return statistics.median(times), min(times)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    kvnet = [sys.executable, "-m", "kvnet"]
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "kvnet.yaml"
        plan.write_text(plan_text(1000, 20, 3))
        size_kb = plan.stat().st_size / 1024

        from kvnet.pipeline import BuildOptions, compile_paths
        from kvnet.emit import to_yaml

        inproc = []
        for _ in range(runs):
            t0 = time.perf_counter()
            result = compile_paths([str(plan)], BuildOptions())
            text = to_yaml(result.objects)
            inproc.append(time.perf_counter() - t0)
            assert result.ok, result.diagnostics[:3]
        n_objects = len(result.objects)
        large_med, large_min = wall([*kvnet, "build", str(plan)], runs)

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "kvnet.yaml"
        plan.write_text(plan_text(1000, 20, 4, allocated=True))
        lock_med, lock_min = wall([*kvnet, "lock", tmp], runs)  # the first run allocates, the rest keep
        (Path(tmp) / "kvnet.lock").unlink()
        fresh_med, fresh_min = wall([*kvnet, "lock", tmp], 1)  # 3,000 new entries
        alloc_build_med, alloc_build_min = wall([*kvnet, "build", tmp], runs)

    ex_med, ex_min = wall([*kvnet, "build", str(REPO / "examples" / "k3s-lan-static")], runs)
    ver_med, ver_min = wall([*kvnet, "--version"], runs)
    rows = [
        (f"1000 VMs x 3 NICs / 20 nets ({size_kb:.0f} KB in, {n_objects} objects, {len(text) / 1e6:.1f} MB out),"
         " in-process compile+validate+emit", statistics.median(inproc), min(inproc), 3.0),
        ("same plan, `kvnet build` wall clock", large_med, large_min, 3.0),
        ("1000 VMs x 3 allocated NICs: `kvnet lock`, 3,000 new entries", fresh_med, fresh_min, alloc_build_med),
        ("same plan: `kvnet lock` with the lock current", lock_med, lock_min, alloc_build_med),
        ("same plan: `kvnet build` reading the lock", alloc_build_med, alloc_build_min, 3.0),
        ("`kvnet build examples/k3s-lan-static` wall clock", ex_med, ex_min, 0.5),
        ("`kvnet --version` wall clock", ver_med, ver_min, 0.2),
    ]
    print(f"{'benchmark':<110} {'median':>8} {'min':>8} {'target':>8}")
    ok = True
    for name, med, mn, target in rows:
        flag = "" if med < target else "  OVER"
        ok = ok and med < target
        print(f"{name:<110} {med:8.3f} {mn:8.3f} {target:8.2f}{flag}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
