"""The booted layer's figures (measure.py) on this host's own processes: no guest booted."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

import measure


@dataclass
class _Result:
    seconds: float
    cpu: float | None
    report: dict | None


def test_cpu_seconds_counts_a_running_process_and_none_once_it_is_gone() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                             "while time.process_time() - t < 0.5: pass\ntime.sleep(30)"])
    try:
        end, cpu = time.monotonic() + 20, 0.0
        while time.monotonic() < end and cpu < 0.4:
            time.sleep(0.2)
            cpu = measure.cpu_seconds(proc.pid) or 0.0
        assert 0.4 <= cpu < 5, cpu
    finally:
        proc.kill()
        proc.wait()
    assert measure.cpu_seconds(proc.pid) is None


def test_summary_gives_cpu_per_boot_and_the_guests_uptime() -> None:
    results = [_Result(100, 60.0, {"uptime": "95.5 80.0\n"}), _Result(120, 80.0, {"uptime": "110.2 90.1"}),
               _Result(900, None, None)]
    line = measure.summary("netplan first boot", results, 130.4)
    assert line == ("netplan first boot: 3 guests, wall 130 s, qemu CPU 140 s (70 s/boot, max 80 s),"
                    " guest uptime at report 96-110 s")


def test_load_sampler_reports_median_and_range() -> None:
    with measure.LoadSampler(every=0.05) as load:
        time.sleep(0.2)
    assert len(load.samples) >= 3 and str(load).startswith("median ")
    assert min(load.samples) >= 0 and os.getloadavg()
