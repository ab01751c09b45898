"""Benchmarks against the floor: every figure of issue 28's acceptance in one run.

    python bench/bench.py [--quick] [--runs N] [--sizes 10,1000] [--extras] [--source]

Generated plans (bench/genplan.py: 3 NICs per VM over 20 networks) of 10, 100, 1,000, 5,000
and 20,000 VMs (``--quick``: 10, 100 and 1,000). Every command runs as a fresh process, the
commands of one size interleaved round by round so that a machine shared with other work slows
them alike; medians of ``--runs`` rounds (default 5; 3 at 20,000 VMs, where the commands
compared with build run once: that they accept the input is the figure there).

- **the floor**: one process composing the plan with libyaml and dumping the same output data
  with libyaml's C dumper (floor.py);
- ``kvnet build`` against the floor: target <= 1.5x at 10 VMs, <= 1.0x at 1,000, 5,000, 20,000;
- ``validate``, ``lint`` and ``import`` of the build output, ``explain``, ``fn`` (the
  ResourceList kpt sends) against ``build``: target <= 1.0x at 100, 1,000 and 5,000 VMs;
- peak RSS of ``build`` per VM above the build of 10 VMs: target <= 16 KiB at 5,000 and 20,000;
- ``kvnet build examples/k3s-lan-static`` <= 0.25 s and ``kvnet --version`` <= 0.1 s (wall);
- ``--extras``: ``lock``, ``diff HEAD``, ``kpt fn eval --exec``, ``kubectl kustomize``, no target.

A ratio is met when its CPU ratio (user + system, steadier on a shared machine) and its wall
ratio both are; the load average is printed before and after. Output bytes are not compared
here: tests/test_emit_exact.py and tests/test_examples.py do that. Exit 1 when a target is missed.

kvnet runs as installed, from a copy of the package with its bytecode compiled (``--source``:
this tree as it is).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from runner import BUILD, FLOOR, KVNET, REPO, Command, Size, install_copy

BUILD_VS_FLOOR = {10: 1.5, 1000: 1.0, 5000: 1.0, 20000: 1.0}
VS_BUILD_SIZES = (100, 1000, 5000)
VS_BUILD = 1.0
RSS_SIZES, RSS_KIB_PER_VM = (5000, 20000), 16.0
SMALL, VERSION = 0.25, 0.1
LARGE = 20000  # from here on, the commands compared with build run once


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(wall: float, cpu: float, target: float) -> str:
    """ok, or MISS saying which of the two ratios misses ``target``."""
    if wall <= target and cpu <= target:
        return "ok"
    return "MISS" if wall > target and cpu > target else f"MISS ({'wall' if wall > target else 'CPU'} only)"


class Run:
    """The figures of one run, and the targets they are checked against."""

    def __init__(self) -> None:
        self.checks: list[tuple[str, str]] = []  # (verdict, text)
        self.base_rss_kib = 0.0

    def ratio(self, n: int, c: Command, ref: Command, target: float | None) -> str:
        wall, cpu = c.wall / ref.wall, c.cpu_median / ref.cpu_median
        shown = f"{wall:5.2f}x {cpu:5.2f}x {ref.name}"
        if target is not None:
            self.checks.append((verdict(wall, cpu, target), f"{n:>6,} VMs: {c.name} = {wall:.2f}x wall, "
                                f"{cpu:.2f}x CPU of {ref.name} (target <= {target}x)"))
        return shown

    def target(self, n: int, c: Command) -> float | None:
        if c.ratio_to == FLOOR:
            return BUILD_VS_FLOOR.get(n)
        if c.ratio_to == BUILD and c.name != BUILD and n in VS_BUILD_SIZES and not c.name.startswith(
                ("lock", "diff", "kpt", "kubectl", "build (")):
            return VS_BUILD
        return None

    def report(self, size: Size, commands: list[Command]) -> None:
        n = size.n_vms
        by_name = {c.name: c for c in commands}
        print(f"\n{n:,} VMs x 3 NICs / 20 networks ({size.describe()}); {load()}")
        print(f"  {'command':<42} {'wall':>7} {'min':>7} {'CPU':>7}  {'ratio (wall, CPU)':<22} {'peak RSS':>8} "
              f"{'KiB/VM':>13}")
        for c in commands:
            if c.failed:
                self.checks.append(("MISS", f"{n:>6,} VMs: {c.name} failed ({c.failed})"))
                print(f"  {c.name:<42} FAILED {c.failed}")
                continue
            if n >= LARGE and c.ratio_to == BUILD:
                self.checks.append(("ok", f"{n:>6,} VMs: {c.name} accepts the input (exit 0)"))
            ref = by_name.get(c.ratio_to or "")
            shown = self.ratio(n, c, ref, self.target(n, c)) if ref is not None and not ref.failed else ""
            rss = max(c.rss_kib)
            per_vm = f"{(rss - self.base_rss_kib) / n:5.1f} ({rss / n:5.1f})" if c.name != FLOOR else ""
            print(f"  {c.name:<42} {c.wall:7.3f} {min(c.times):7.3f} {c.cpu_median:7.3f}  {shown:<22} "
                  f"{rss / 1024:6.0f} M {per_vm:>13}")
            if c.name == BUILD and n in RSS_SIZES:
                above = (rss - self.base_rss_kib) / n
                self.checks.append(("ok" if above <= RSS_KIB_PER_VM else "MISS",
                                    f"{n:>6,} VMs: build peak RSS {above:.1f} KiB/VM above the build of 10 VMs "
                                    f"({rss / n:.1f} KiB/VM in all, {rss / 1024:.0f} MiB; target <= "
                                    f"{RSS_KIB_PER_VM:.0f})"))

    def small(self, c: Command, target: float) -> None:
        print(f"  {c.name:<42} {c.wall:7.3f} {min(c.times):7.3f} {c.cpu_median:7.3f}  (target {target} s wall)")
        self.checks.append(("ok" if c.wall <= target else "MISS", f"{c.name} {c.wall:.3f} s (target <= {target} s)"))


def rounds(commands: list[Command], once: list[Command], runs: int) -> None:
    """``runs`` interleaved rounds of ``commands``; ``once`` joins the first round only."""
    for r in range(runs):
        for c in commands + (once if r == 0 else []):
            c.run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10, 100 and 1,000 VMs only, 3 rounds")
    ap.add_argument("--runs", type=int, default=None, help="rounds per plan size (default 5, 3 at 20,000 VMs)")
    ap.add_argument("--source", action="store_true", help="run this tree's kvnet as it is (no compiled copy)")
    ap.add_argument("--extras", action="store_true", help="also lock, diff, kpt and kubectl kustomize (no target)")
    ap.add_argument("--sizes", type=lambda v: tuple(int(x) for x in v.split(",")), default=None,
                    help="plan sizes in VMs, e.g. 5000 or 100,1000 (10 is always added: the RSS baseline)")
    args = ap.parse_args(argv)
    sizes = sorted({10, *(args.sizes or ((100, 1000) if args.quick else (100, 1000, 5000, LARGE)))})
    small = Command("build examples/k3s-lan-static", [*KVNET, "build", str(REPO / "examples/k3s-lan-static")])
    version = Command("--version", [*KVNET, "--version"])
    run = Run()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.source:
            install_copy(Path(tmp))
        print(f"kvnet from {'this tree, as it is' if args.source else 'a compiled copy of this tree'}; {load()}")
        for n in sizes:
            size = Size(n, Path(tmp) / str(n))
            size.write()
            core, others = size.core(), (size.others() if n >= 100 else []) + (size.extras() if args.extras else [])
            runs = args.runs or (3 if args.quick or n >= LARGE else 5)
            if n >= LARGE:
                rounds(core, others, runs)
            else:
                rounds(core + others + [small, version], [], runs)
            if n == 10:
                run.base_rss_kib = max(core[1].rss_kib)
            run.report(size, core + others)
    print()
    run.small(small, SMALL)
    run.small(version, VERSION)
    print(f"\n{load()}")
    for text_verdict, text in run.checks:
        print(f"  {text_verdict:<16} {text}")
    missed = sum(v != "ok" for v, _ in run.checks)
    print(f"\n{missed} of {len(run.checks)} targets missed" if missed else f"\nall {len(run.checks)} targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
