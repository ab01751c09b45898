"""The processes bench.py times: a fresh process per run, wall clock, CPU (user + system of the
child) and peak RSS (``ru_maxrss`` of the child, KiB on Linux), and the inputs of one plan size."""

from __future__ import annotations

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
FLOOR = "floor"
BUILD = "build"


@dataclass
class Command:
    """One command line, run again and again; ``ratio_to``: the command it is compared with."""

    name: str
    argv: list[str]
    stdin: str | None = None
    cwd: str | None = None
    ratio_to: str | None = None
    before: Path | None = None  # a file or directory removed before each run
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    failed: str = ""  # stderr of a run that did not exit 0 (the command is then not run again)

    def run(self) -> None:
        """One run as a fresh process; a non-zero exit is recorded in ``failed``."""
        if self.failed:
            return
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
            if os.waitstatus_to_exitcode(status) != 0:
                err.seek(0)
                self.failed = f"exit {os.waitstatus_to_exitcode(status)}: " + err.read().decode()[:300].strip()
                return
        self.times.append(elapsed)
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.rss_kib.append(usage.ru_maxrss)

    @property
    def wall(self) -> float:
        """Median wall clock, seconds."""
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        """Median CPU time (user + system), seconds."""
        return statistics.median(self.cpu)


def install_copy(root: Path) -> None:
    """Children import kvnet from a copy of the package with compiled bytecode (as pip installs it;
    an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run)."""
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


@dataclass
class Size:
    """The inputs of one plan size under ``root``: the plan, kvnet's output of it, the floor's pickle."""

    n_vms: int
    root: Path
    plan: str = ""
    n_objects: int = 0

    @property
    def plan_dir(self) -> Path:
        return self.root / "plan"

    @property
    def out_yaml(self) -> Path:
        return self.root / "out.yaml"

    def write(self) -> None:
        """Write the plan, build it once (in a child: this process would lend it its RSS), pickle
        the output for the floor, and write the ResourceList ``kvnet fn`` reads."""
        self.plan_dir.mkdir(parents=True)
        self.plan = plan_text(self.n_vms, 20, 3)
        (self.plan_dir / "kvnet.yaml").write_text(self.plan)
        with open(self.out_yaml, "wb") as fh:
            subprocess.run([*KVNET, "build", str(self.plan_dir)], stdout=fh, stderr=subprocess.DEVNULL, check=True,
                           cwd=CWD[0], env=ENV)
        self.n_objects = int(subprocess.run([PY, str(HERE / "floor.py"), "--pickle", str(self.out_yaml),
                                             str(self.root / "objects.pickle")], capture_output=True, text=True,
                                            check=True).stdout)
        indented = "".join("  " + line + "\n" if line else "\n" for line in self.plan.splitlines())
        (self.root / "resourcelist.yaml").write_text("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
                                                     "items: []\nfunctionConfig:\n" + indented)

    def describe(self) -> str:
        return (f"{len(self.plan) / 1e6:.2f} MB in, {self.n_objects:,} objects, "
                f"{self.out_yaml.stat().st_size / 1e6:.1f} MB out")

    def core(self) -> list[Command]:
        """The floor (libyaml compose of the plan + libyaml dump of the same output) and build."""
        return [Command(FLOOR, [PY, str(HERE / "floor.py"), str(self.plan_dir / "kvnet.yaml"),
                                str(self.root / "objects.pickle")]),
                Command(BUILD, [*KVNET, "build", str(self.plan_dir)], ratio_to=FLOOR)]

    def others(self) -> list[Command]:
        """The commands compared with build: they read the plan, its output, or the ResourceList."""
        out = str(self.out_yaml)
        return [Command("validate", [*KVNET, "validate", str(self.plan_dir)], ratio_to=BUILD),
                Command("lint (of the output)", [*KVNET, "lint", out], ratio_to=BUILD),
                Command("import (of the output)", [*KVNET, "import", out], ratio_to=BUILD),
                Command("explain", [*KVNET, "explain", str(self.plan_dir)], ratio_to=BUILD),
                Command("fn (ResourceList on stdin)", [*KVNET, "fn"], stdin=str(self.root / "resourcelist.yaml"),
                        ratio_to=BUILD)]

    def extras(self) -> list[Command]:
        """Consumers and the other commands, with no acceptance target (``--extras``)."""
        commands = lock_commands(self.n_vms, self.root / "lock-plan") if has_command("lock") else []
        if has_command("diff") and shutil.which("git"):
            commands.append(diff_command(self.plan, self.root / "diff-repo"))
        if shutil.which("kpt"):
            (self.root / "pkg").mkdir()
            (self.root / "fn-config.yaml").write_text(self.plan)
            commands.append(Command("kpt fn eval --exec 'kvnet fn' (render)",
                                    ["kpt", "fn", "eval", str(self.root / "pkg"), "--exec", " ".join([*KVNET, "fn"]),
                                     "--fn-config", str(self.root / "fn-config.yaml")], ratio_to=BUILD,
                                    before=self.root / "pkg" / "kvnet"))
        if shutil.which("kubectl"):
            kust = self.root / "kustomize"
            kust.mkdir()
            shutil.copy(self.out_yaml, kust / "out.yaml")
            (kust / "kustomization.yaml").write_text("resources:\n- out.yaml\n")
            commands.append(Command("kubectl kustomize (re-reads the output)", ["kubectl", "kustomize", str(kust)],
                                    ratio_to=BUILD))
        return commands


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
    return Command("diff HEAD (two networks changed)", [*KVNET, "diff", "HEAD", "plan"], cwd=str(repo),
                   ratio_to=BUILD)


def lock_commands(n_vms: int, work: Path) -> list[Command]:
    """``kvnet lock`` of the same VMs with 3 allocated interfaces each, beside build reading the lock
    (SPEC §7: lock costs no more than build)."""
    work.mkdir()
    (work / "kvnet.yaml").write_text(plan_text(n_vms, 20, 4, allocated=True))
    subprocess.run([*KVNET, "lock", str(work)], capture_output=True, check=True, cwd=CWD[0], env=ENV)
    build = "build (allocated plan, reads kvnet.lock)"
    return [Command(build, [*KVNET, "build", str(work)]),
            Command("lock (lock current)", [*KVNET, "lock", str(work)], ratio_to=build),
            Command(f"lock ({3 * n_vms:,} new entries)", [*KVNET, "lock", str(work)], ratio_to=build,
                    before=work / "kvnet.lock")]
