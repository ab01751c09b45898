"""Benchmarks against the floor (run: python bench/bench.py [--quick] [--runs N] [--sizes N,..] [--source]).

For generated plans of 100, 1,000 and 5,000 VMs (3 interfaces each over 20 networks,
bench/genplan.py; --quick: 100 and 1,000) every command runs as a fresh process, the
commands interleaved round by round so that a machine shared with other work slows them
alike:

- the floor: libyaml compose of the plan + libyaml dump of the same output data (floor.py);
- ``kvnet build``, ``kvnet validate``, ``kvnet fn`` (the ResourceList kpt sends on stdin),
  ``kpt fn eval --exec 'kvnet fn'`` rendering a package when kpt is on PATH, ``kvnet lint`` of
  the build output when this kvnet has it;
- ``kvnet diff HEAD`` in a git repository whose work tree changes two networks, beside
  ``kvnet build`` (target: at most 2.5x build), when this kvnet has it;
- ``kvnet lock`` when this kvnet has it, on the same VMs with 3 allocated interfaces each
  (``genplan --allocated``): with the lock current and writing every entry anew, beside
  ``kvnet build`` of that plan reading the lock (SPEC §7: lock costs no more than build);
- ``kubectl kustomize`` re-reading kvnet's output, when kubectl is on PATH.

Printed: median and min wall clock, median CPU (user + system, steadier on a shared
machine), each ratio of medians (to the floor, or to ``kvnet build``), peak RSS, and peak
RSS per VM above a small build's. Then the small figures: ``kvnet build
examples/k3s-lan-static`` and ``kvnet --version``. Exit 1 when a target is missed.

kvnet runs as installed: from a copy of the package with its bytecode compiled, as pip
leaves it (an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every
module from source on every run); ``--source`` runs this tree as it is instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from genplan import plan_text  # noqa: E402

PY = sys.executable
KVNET = [PY, "-m", "kvnet"]
ENV = dict(os.environ)
CWD = [str(REPO)]  # where children run: not the repository when they must import the compiled copy
TARGETS = {"build/floor": 1.6, "fn/build": 1.3, "lint/build": 1.0, "diff/build": 2.5, "rss_kib_per_vm": 30.0,
           "small": 0.25, "version": 0.1}
FLOOR = "floor: libyaml compose + dump"


LINT_INPUT_BOUND = 10 * 1024 * 1024  # kvnet.input.bounds.MAX_FILE_BYTES (SPEC §4)


@dataclass
class Command:
    name: str
    argv: list[str]
    stdin: str | None = None
    cwd: str | None = None
    ratio_to: str | None = None  # the command this one is compared with
    before: Path | None = None  # a file or directory removed before each run
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    def run(self) -> None:
        if self.before is not None and self.before.is_dir():
            shutil.rmtree(self.before)
        elif self.before is not None:
            self.before.unlink(missing_ok=True)
        with open(self.stdin or os.devnull, "rb") as fin, tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(self.argv, stdin=fin, stdout=subprocess.DEVNULL, stderr=err,
                                    cwd=self.cwd or CWD[0], env=ENV)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                err.seek(0)
                raise SystemExit(f"{self.name} failed ({proc.returncode}): {err.read().decode()[:800]}")
        self.times.append(elapsed)
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.rss_kib.append(usage.ru_maxrss)  # KiB on Linux

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def install_copy(root: Path) -> None:
    """Children import kvnet from a copy of the package with compiled bytecode (as installed)."""
    site = root / "site"
    shutil.copytree(REPO / "kvnet", site / "kvnet", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([PY, "-m", "compileall", "-q", str(site / "kvnet")], check=True)
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), ENV.get("PYTHONPATH", "")]))
    CWD[0] = str(root)
    where = subprocess.run([PY, "-c", "import kvnet; print(kvnet.__file__)"], capture_output=True, text=True,
                           cwd=CWD[0], env=ENV, check=True).stdout.strip()
    if not where.startswith(str(site)):
        raise SystemExit(f"the compiled copy is not what runs ({where}); try --source")


def has_command(name: str) -> bool:
    """True when this kvnet has the subcommand ``name`` (``kvnet NAME --help`` exits 0)."""
    return subprocess.run([*KVNET, name, "--help"], capture_output=True, cwd=CWD[0], env=ENV).returncode == 0


def prepare(n_vms: int, root: Path) -> tuple[list[Command], str]:
    """The commands for one plan size, with their inputs written under ``root``."""
    plan_dir = root / "plan"
    plan_dir.mkdir(parents=True)
    plan = plan_text(n_vms, 20, 3)
    (plan_dir / "kvnet.yaml").write_text(plan)
    # in child processes: a large bench process would lend its RSS to every child it forks
    out_yaml = root / "out.yaml"
    with open(out_yaml, "wb") as fh:
        subprocess.run([*KVNET, "build", str(plan_dir)], stdout=fh, stderr=subprocess.DEVNULL, check=True,
                       cwd=CWD[0], env=ENV)
    n_objects = int(subprocess.run([PY, str(HERE / "floor.py"), "--pickle", str(out_yaml),
                                    str(root / "objects.pickle")], capture_output=True, text=True, check=True).stdout)
    (root / "fn-config.yaml").write_text(plan)
    indented = "".join("  " + line + "\n" if line else "\n" for line in plan.splitlines())
    (root / "resourcelist.yaml").write_text("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
                                            "items: []\nfunctionConfig:\n" + indented)
    commands = [
        Command(FLOOR, [PY, str(HERE / "floor.py"), str(plan_dir / "kvnet.yaml"), str(root / "objects.pickle")]),
        Command("kvnet build", [*KVNET, "build", str(plan_dir)], ratio_to=FLOOR),
        Command("kvnet validate", [*KVNET, "validate", str(plan_dir)], ratio_to=FLOOR),
        Command("kvnet fn (ResourceList on stdin)", [*KVNET, "fn"], stdin=str(root / "resourcelist.yaml"),
                ratio_to="kvnet build"),
    ]
    if shutil.which("kpt"):
        (root / "pkg").mkdir()
        # each run renders anew: re-rendering 5,000 VMs would send kvnet fn more than its 10 MiB
        commands.append(Command("kpt fn eval --exec 'kvnet fn' (render)",
                                ["kpt", "fn", "eval", str(root / "pkg"), "--exec", " ".join([*KVNET, "fn"]),
                                 "--fn-config", str(root / "fn-config.yaml")], ratio_to="kvnet build",
                                before=root / "pkg" / "kvnet"))
    if has_command("lint") and out_yaml.stat().st_size > LINT_INPUT_BOUND:
        print(f"  kvnet lint: not run, the {out_yaml.stat().st_size / 1e6:.1f} MB output is over kvnet's input bound "
              f"({LINT_INPUT_BOUND // 2**20} MiB a file), so lint refuses it (KV004) by design")
    elif has_command("lint"):
        commands.append(Command("kvnet lint (of the build output)", [*KVNET, "lint", str(out_yaml)],
                                ratio_to="kvnet build"))
    if has_command("lock"):
        commands += lock_commands(n_vms, root / "lock-plan")
    if has_command("diff") and shutil.which("git"):
        commands.append(diff_command(plan, root / "diff-repo"))
    if shutil.which("kubectl"):
        kust = root / "kustomize"
        kust.mkdir()
        shutil.copy(out_yaml, kust / "out.yaml")
        (kust / "kustomization.yaml").write_text("resources:\n- out.yaml\n")
        commands.append(Command("kubectl kustomize (re-reads the output)", ["kubectl", "kustomize", str(kust)],
                                ratio_to="kvnet build"))
    size = f"{len(plan) / 1024:.0f} KB in, {n_objects} objects, {out_yaml.stat().st_size / 1e6:.1f} MB out"
    return commands, size


def lock_commands(n_vms: int, work: Path) -> list[Command]:
    """``kvnet lock`` of the same VMs with 3 allocated interfaces each, beside build reading the lock."""
    work.mkdir()
    (work / "kvnet.yaml").write_text(plan_text(n_vms, 20, 4, allocated=True))
    subprocess.run([*KVNET, "lock", str(work)], capture_output=True, check=True, cwd=CWD[0], env=ENV)
    build = "kvnet build (allocated plan, reads kvnet.lock)"
    return [
        Command(build, [*KVNET, "build", str(work)]),
        Command("kvnet lock (lock current)", [*KVNET, "lock", str(work)], ratio_to=build),
        Command(f"kvnet lock ({3 * n_vms:,} new entries)", [*KVNET, "lock", str(work)], ratio_to=build,
                before=work / "kvnet.lock"),
    ]


def diff_command(plan: str, repo: Path) -> Command:
    """``kvnet diff HEAD plan`` in a git repository whose work tree changes two networks (a NAD's
    VLAN, DNS servers in the networkData of every VM on a network): both sides compiled."""
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    (repo / "plan").mkdir(parents=True)
    (repo / "plan" / "kvnet.yaml").write_text(plan)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    changed = plan.replace("      vlan: 101\n", "      vlan: 201\n", 1).replace(
        "      ipam: none\n", "      ipam: none\n      dns: {nameservers: [10.0.0.53]}\n", 1)
    (repo / "plan" / "kvnet.yaml").write_text(changed)
    return Command("kvnet diff HEAD (two networks changed)", [*KVNET, "diff", "HEAD", "plan"], cwd=str(repo),
                   ratio_to="kvnet build")


def report(n_vms: int, size: str, commands: list[Command], base_rss: float) -> list[tuple[str, bool]]:
    by_name = {c.name: c for c in commands}
    print(f"\n{n_vms:,} VMs x 3 NICs / 20 networks ({size})")
    print(f"  {'command':<48} {'median':>7} {'min':>7} {'CPU':>7}  {'ratio (wall, CPU)':<24} {'peak RSS':>8} "
          f"{'RSS/VM':>7}")
    checks: list[tuple[str, bool]] = []
    for c in commands:
        ratio = ""
        if c.ratio_to:
            ref = by_name[c.ratio_to]
            value = c.median / ref.median
            cpu = statistics.median(c.cpu) / statistics.median(ref.cpu)
            ratio = f"{value:5.2f}x {cpu:5.2f}x {'floor' if c.ratio_to == FLOOR else 'build'}"
            key = {"kvnet build": "build/floor", "kvnet fn (ResourceList on stdin)": "fn/build",
                   "kvnet lint (of the build output)": "lint/build",
                   "kvnet diff HEAD (two networks changed)": "diff/build"}.get(c.name)
            if key and n_vms >= 1000:
                checks.append((f"{n_vms} VMs: {c.name} {value:.2f}x (CPU {cpu:.2f}x) <= {TARGETS[key]}x",
                               value <= TARGETS[key]))
        rss = max(c.rss_kib)
        per_vm = (rss - base_rss) / n_vms
        shown = f"{per_vm:5.1f} K" if c.name.startswith("kvnet") else ""
        print(f"  {c.name:<48} {c.median:7.3f} {min(c.times):7.3f} {statistics.median(c.cpu):7.3f}  {ratio:<24} "
              f"{rss / 1024:6.0f} M {shown:>7}")
        if c.name == "kvnet build" and n_vms >= 1000:
            checks.append((f"{n_vms} VMs: kvnet build peak RSS {per_vm:.1f} KiB/VM above a small build "
                           f"({rss / n_vms:.1f} KiB/VM in all) <= {TARGETS['rss_kib_per_vm']}",
                           per_vm <= TARGETS["rss_kib_per_vm"]))
    return checks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 and 1,000 VMs only")
    ap.add_argument("--runs", type=int, default=5, help="rounds per plan size (default 5; 3 with --quick)")
    ap.add_argument("--source", action="store_true", help="run this tree's kvnet as it is (no compiled copy)")
    ap.add_argument("--sizes", type=lambda v: tuple(int(x) for x in v.split(",")), default=None,
                    help="plan sizes in VMs, e.g. 5000 or 100,1000")
    args = ap.parse_args(argv)
    runs = 3 if args.quick and args.runs == 5 else args.runs
    sizes = args.sizes or ((100, 1000) if args.quick else (100, 1000, 5000))
    small = Command("kvnet build examples/k3s-lan-static", [*KVNET, "build", str(REPO / "examples/k3s-lan-static")])
    version = Command("kvnet --version", [*KVNET, "--version"])
    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.source:
            install_copy(Path(tmp))
        print(f"kvnet from {'this tree, as it is' if args.source else 'a compiled copy of this tree'}; "
              f"{runs} rounds; medians")
        prepared = {n: prepare(n, Path(tmp) / str(n)) for n in sizes}
        for n in sizes:
            commands, size = prepared[n]
            for _ in range(runs):
                for c in [*commands, small, version]:
                    c.run()
            checks += report(n, size, commands, statistics.median(small.rss_kib))
    print()
    for c, target in ((small, TARGETS["small"]), (version, TARGETS["version"])):
        print(f"  {c.name:<48} {c.median:7.3f} {min(c.times):7.3f} {statistics.median(c.cpu):7.3f}  "
              f"(target {target} s)")
        checks.append((f"{c.name} {c.median:.3f} s <= {target} s", c.median <= target))
    print()
    for text, ok in checks:
        print(("  ok    " if ok else "  MISS  ") + text)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
