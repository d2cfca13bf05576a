"""Run a command in a child process and take its wall time and peak RSS (from the kernel's rusage)."""

from __future__ import annotations

import os
import statistics
import subprocess
import time


def run(cmd: list[str], allow_fail: bool = False) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one run of `cmd`; raises if it fails, unless allowed."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    p.stderr.close()
    p.returncode = code
    if code != 0 and not allow_fail:
        raise RuntimeError(f"{cmd[:4]} failed: {err[-500:]}")
    if code != 0:
        print(f"  ({err.strip().splitlines()[-1][:160] if err.strip() else 'exit ' + str(code)})")
    return elapsed, usage.ru_maxrss * 1024 / 1e6, code  # ru_maxrss is in KiB; MB = 10^6 bytes, as the app


def medians(cmd: list[str], repeat: int, allow_fail: bool = False) -> tuple[float, float, int]:
    runs = [run(cmd, allow_fail) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs)


def spread(cmd: list[str], repeat: int, allow_fail: bool = False) -> dict:
    """The runs' seconds and peak RSS (MB): median, fastest and slowest, and the worst exit code."""
    runs = [run(cmd, allow_fail) for _ in range(repeat)]
    seconds, rss = [r[0] for r in runs], [r[1] for r in runs]
    return {"seconds": statistics.median(seconds), "min": min(seconds), "max": max(seconds),
            "rss": statistics.median(rss), "rss_max": max(rss), "code": max(r[2] for r in runs)}
