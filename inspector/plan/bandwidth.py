"""This machine's memory read bandwidth, measured once by a short probe and kept in the user's cache folder.

Decoding reads every weight a token touches once per token, as a matrix times a vector: the probe does just
that, a float32 matrix of 512 MiB (larger than the caches) times a vector through numpy's BLAS on every core,
and takes the best of a few runs (about half a second in all).  The result is cached per machine (processor,
cores, memory size) in `cache_dir()/bandwidth.json`; `read_bandwidth(refresh=True)` measures again.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)
PROBE_BYTES = 512 << 20
ROUNDS = 4
CACHE_FILE = "bandwidth.json"


def cache_dir() -> Path:
    """The user's cache folder for the inspector (GPT_INSPECTOR_CACHE overrides it)."""
    if os.environ.get("GPT_INSPECTOR_CACHE"):
        return Path(os.environ["GPT_INSPECTOR_CACHE"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gpt-inspector"


def machine_key() -> str:
    """What the bandwidth depends on: the processor, its cores and the memory installed."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu} | {psutil.cpu_count(logical=True)} cores | {psutil.virtual_memory().total}"


def probe(size: int = PROBE_BYTES, rounds: int = ROUNDS) -> float:
    """GB/s read by a matrix-vector product over `size` bytes, the best of `rounds`."""
    import numpy as np

    columns = 1024
    a = np.ones((max(1, size // 4 // columns), columns), np.float32)  # written once: its pages are real
    x = np.ones(columns, np.float32)
    best = 0.0
    try:
        for _ in range(rounds):
            t0 = time.perf_counter()
            a @ x
            best = max(best, a.nbytes / max(time.perf_counter() - t0, 1e-9) / 1e9)
    finally:
        del a
    return best


def read_bandwidth(refresh: bool = False) -> float:
    """This machine's read bandwidth in GB/s: from the cache, or measured now and cached."""
    path = cache_dir() / CACHE_FILE
    key = machine_key()
    cached = {}
    try:
        cached = json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    entry = cached.get(key) if isinstance(cached, dict) else None
    if not refresh and isinstance(entry, dict) and isinstance(entry.get("gbs"), (int, float)) and entry["gbs"] > 0:
        return float(entry["gbs"])
    gbs = probe()
    cached = cached if isinstance(cached, dict) else {}
    cached[key] = {"gbs": gbs, "measured": time.strftime("%Y-%m-%d %H:%M:%S"), "probe_bytes": PROBE_BYTES}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cached, indent=1))
        tmp.replace(path)
    except OSError as exc:  # a read-only home: measured each time, said once in the log
        log.info("could not cache the bandwidth in %s: %s", path, exc)
    return gbs
