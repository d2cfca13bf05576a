"""Run a command in a child process and take its wall time and peak RSS (from the kernel's rusage)."""

from __future__ import annotations

import os
import statistics
import subprocess
import time


def run(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run of `cmd`; raises if it fails."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {p.stderr.read().decode()[-500:]}")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024.0


def medians(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
