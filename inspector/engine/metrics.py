"""What a run cost: time to first token, decode latency percentiles, tokens/s, peak memory."""

from __future__ import annotations

import functools
import logging
import ctypes
import os
import sys
from dataclasses import dataclass, field

import numpy as np
import psutil

from .. import units

log = logging.getLogger(__name__)


@dataclass
class RunMetrics:
    ttft_ms: float | None = None
    decode_ms: list[float] = field(default_factory=list)
    peak_rss: int = 0  # the highest RSS sampled during this run (not the process's lifetime peak)
    start_rss: int = 0
    peak_gpu: int | None = None

    def record(self, latency_ms: float, prefill: bool, rss: int, gpu: int | None) -> None:
        if prefill:
            self.ttft_ms = latency_ms
        else:
            self.decode_ms.append(latency_ms)
        if not self.start_rss:
            self.start_rss = rss  # the run's own peak is read against where it started
        self.peak_rss = max(self.peak_rss, rss)
        if gpu is not None:
            self.peak_gpu = max(self.peak_gpu or 0, gpu)

    @property
    def tokens_per_s(self) -> float | None:
        total = sum(self.decode_ms)
        return 1000.0 * len(self.decode_ms) / total if total > 0 else None

    def percentile(self, q: float) -> float | None:
        return float(np.percentile(self.decode_ms, q)) if self.decode_ms else None

    def summary(self) -> dict:
        return {
            "ttft_ms": self.ttft_ms, "tokens_per_s": self.tokens_per_s, "decode_tokens": len(self.decode_ms),
            "latency_p50_ms": self.percentile(50), "latency_p95_ms": self.percentile(95),
            "latency_max_ms": max(self.decode_ms) if self.decode_ms else None,
            "peak_rss_mb": units.mb(self.peak_rss), "peak_gpu_mb": units.mb(self.peak_gpu),
            "rss_at_start_mb": units.mb(self.start_rss) if self.start_rss else None,
        }


def release_memory() -> None:
    """Give freed memory back to the system: after a model is closed, glibc keeps its freed heap (hundreds of MB
    after a big model) and the process's RSS, and the next run's peak, would still count it."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl): nothing to trim
            pass


ROLLING_WINDOW = 8  # decode steps in the rolling tokens/s (the prefill, step 1, is not one)


def step_series(steps, window: int = ROLLING_WINDOW) -> dict[str, np.ndarray]:
    """What the live plots draw, per step: x (1-based), latency, tokens/s over the last `window` decode steps
    (NaN at the prefill), RSS and GPU memory in MB (NaN where not measured)."""
    n = len(steps)
    x = np.arange(1, n + 1, dtype=float)
    lat = np.array([s.latency_ms for s in steps], float)
    tps = np.full(n, np.nan)
    if n > 1:
        c = np.concatenate(([0.0], np.cumsum(lat[1:])))  # c[j]: the first j decode latencies summed
        end = np.arange(1, n)
        start = np.maximum(end - window, 0)
        tps[1:] = 1000.0 * (end - start) / (c[end] - c[start])
    rss = np.array([units.mb(s.rss) for s in steps], float)
    gpu = np.array([np.nan if s.gpu is None else units.mb(s.gpu) for s in steps], float)
    return {"x": x, "latency_ms": lat, "tokens_per_s": tps, "rss_mb": rss, "gpu_mb": gpu}


class MemoryProbe:
    """Process RSS each step (cheap), and GPU memory through NVML when running on CUDA."""

    def __init__(self, gpu: bool):
        self.process = psutil.Process(os.getpid())
        self.handle = _nvml_handle() if gpu else None

    def rss(self) -> int:
        return self.process.memory_info().rss

    def gpu(self) -> int | None:
        if self.handle is None:
            return None
        try:
            import pynvml

            return int(pynvml.nvmlDeviceGetMemoryInfo(self.handle).used)
        except Exception:  # noqa: BLE001 - a failed read is a missing sample, not an error
            return None


@functools.lru_cache(maxsize=1)
def _nvml_handle():
    try:
        import pynvml

        pynvml.nvmlInit()
        index = int((os.environ.get("CUDA_VISIBLE_DEVICES") or "0").split(",")[0] or 0)
        return pynvml.nvmlDeviceGetHandleByIndex(index)
    except Exception:  # noqa: BLE001
        log.info("NVML unavailable: no GPU memory figures")
        return None
