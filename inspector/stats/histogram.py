"""Histograms on uniform edges, fast enough to run over every parameter of a model."""

from __future__ import annotations

import math

import numpy as np

BINS = 64  # per (kind, role): tensors of one role have similar ranges
LAYER_BINS = 256  # per kind: norm scales near 1 share the range with matrices near 0


def shared_edges(lo: float, hi: float, bins: int = BINS) -> np.ndarray:
    """Uniform edges covering [lo, hi], on a grid of power-of-two steps: about `bins` bins (between `bins` and
    twice as many), which stay put when the range moves by a rounding error (unless it crosses a grid line), so a
    quantized model's histograms line up bin for bin with its float original's.
    A constant tensor gets a small window around its value."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = -1.0, 1.0
    if hi <= lo:
        pad = max(abs(lo) * 0.01, 1e-6)
        lo, hi = lo - pad, hi + pad
    step = 2.0 ** math.floor(math.log2((hi - lo) / bins))
    first, last = math.floor(lo / step), math.ceil(hi / step)
    if last <= first:
        last = first + 1
    return (first + np.arange(last - first + 1, dtype=np.float64)) * step


def uniform_histogram(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of finite `x` in uniform `edges` (values outside fall in the end bins), like numpy's."""
    bins = len(edges) - 1
    x = x[np.isfinite(x)]
    lo, hi = float(edges[0]), float(edges[-1])
    idx = ((x.astype(np.float64, copy=False) - lo) * (bins / (hi - lo))).astype(np.int64)
    np.clip(idx, 0, bins - 1, out=idx)
    return np.bincount(idx, minlength=bins)[:bins]
