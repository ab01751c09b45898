"""What a booted guest cost: its qemu's CPU seconds and the guest's uptime at its report.

CPU seconds per boot is the figure that stays meaningful on a loaded machine (other suites beside
the booted layer stretch the wall time, not the emulation work); the layer's wall time on an idle
2-core machine is about its total qemu CPU / 2. ``utime + stime`` of ``/proc/PID/stat`` (fields 14
and 15, in clock ticks; proc(5)) of the qemu process, read while it still runs: ``ip netns exec``
execs qemu in the process it was started as (iproute2 ``ip/ipnetns.c`` ``netns_exec`` ->
``cmd_exec``), so the Popen's PID is qemu's.
"""
from __future__ import annotations

import os
import statistics
import threading
from collections.abc import Sequence
from typing import Protocol

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the running process ``pid`` so far, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14, 15 counted from 1 with pid, comm


def uptime(report: dict | None) -> float | None:
    """The guest's uptime (s) when it wrote its report (``/proc/uptime``'s first field), if given."""
    raw = (report or {}).get("uptime")
    return float(str(raw).split()[0]) if raw else None


class _Booted(Protocol):
    seconds: float
    cpu: float | None
    report: dict | None


def summary(label: str, results: Sequence[_Booted], wall: float) -> str:
    """One line for a boot group: guests, wall (s), qemu CPU total and per boot (s), uptime range."""
    cpus = [r.cpu for r in results if r.cpu is not None]
    ups = [u for r in results if (u := uptime(r.report)) is not None]
    line = (f"{label}: {len(results)} guests, wall {wall:.0f} s, qemu CPU {sum(cpus):.0f} s"
            f" ({sum(cpus) / max(len(cpus), 1):.0f} s/boot, max {max(cpus, default=0):.0f} s)")
    if ups:
        line += f", guest uptime at report {min(ups):.0f}-{max(ups):.0f} s"
    return line


#: summary lines of this run's boot groups, printed at the end of the pytest run (conftest.py)
LINES: list[str] = []


class LoadSampler:
    """The 1-minute load average sampled every ``every`` seconds while the block runs; str() gives
    "median M (min-max)" of the samples (os.getloadavg)."""

    def __init__(self, every: float = 30.0) -> None:
        self.every, self.samples = every, [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.samples.append(os.getloadavg()[0])

    def __str__(self) -> str:
        return f"median {statistics.median(self.samples):.1f} ({min(self.samples):.1f}-{max(self.samples):.1f})"
