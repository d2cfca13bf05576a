"""Statistics of 16-bit floats (fp16, bf16) from their bit patterns, in one counting pass.

A 16-bit float has 65,536 possible values.  Counting how often each bit pattern occurs (np.bincount over the
uint16 view of the stored bytes: no conversion to float, no temporaries the size of the data) gives
everything the census shows, exactly: the count, sum and sum of squares (each distinct value times its
count, in float64), the smallest and largest finite value, the zeros (+0 and -0), the NaNs and the infinities,
and the fine histogram of fine.py (each pattern's float32 value falls in exactly one fine bin).  The counts
of one tensor's slices add up; the figures are derived once per tensor.
"""

from __future__ import annotations

import numpy as np

from . import fine
from .moments import Moments

PATTERNS = 1 << 16
SUBSLICE = 1 << 18  # codes per bincount call: its intp copy of them stays in the core's cache


def _values(kind: str) -> np.ndarray:
    codes = np.arange(PATTERNS, dtype=np.uint32)
    if kind == "float16":
        with np.errstate(invalid="ignore"):  # the NaN patterns stay NaN
            return codes.astype(np.uint16).view(np.float16).astype(np.float32)
    return (codes << 16).view(np.float32)  # bfloat16: the top half of a float32


class Patterns:
    """What each of the 65,536 patterns of one 16-bit float type stands for."""

    def __init__(self, kind: str):
        self.kind = kind
        as32 = _values(kind)
        with np.errstate(invalid="ignore"):
            self.values = as32.astype(np.float64)
        self.finite = np.isfinite(self.values)
        self.nan = np.isnan(self.values)
        self.inf = np.isinf(self.values)
        self.zero = self.values == 0
        self.fine = np.right_shift(as32.view(np.uint32), fine.SHIFT)  # each pattern's fine bin
        order = np.argsort(self.values[self.finite], kind="stable")
        self.ascending = np.flatnonzero(self.finite)[order]  # finite patterns, smallest value first


_TABLES: dict[str, Patterns] = {}


def patterns(kind: str) -> Patterns:
    if kind not in _TABLES:
        _TABLES[kind] = Patterns(kind)
    return _TABLES[kind]


def counts(codes: np.ndarray) -> np.ndarray:
    """How often each bit pattern occurs in `codes` (uint16), length PATTERNS."""
    out = np.bincount(codes[:SUBSLICE], minlength=PATTERNS)
    for start in range(SUBSLICE, codes.size, SUBSLICE):
        out += np.bincount(codes[start:start + SUBSLICE], minlength=PATTERNS)
    return out


def summary(n: np.ndarray, kind: str) -> tuple[Moments, tuple[np.ndarray, np.ndarray]]:
    """The moments and the sparse fine histogram of values whose pattern counts are `n`."""
    t = patterns(kind)
    m = Moments()
    finite_n = np.where(t.finite, n, 0)
    m.count = int(finite_n.sum())
    m.nans = int(n[t.nan].sum())
    m.infs = int(n[t.inf].sum())
    m.zeros = int(n[t.zero].sum())
    if m.count:
        weights = finite_n.astype(np.float64)
        m.total = float(np.dot(weights, np.where(t.finite, t.values, 0.0)))
        m.total_sq = float(np.dot(weights, np.where(t.finite, np.square(t.values), 0.0)))
        present = t.ascending[n[t.ascending] > 0]
        m.min, m.max = float(t.values[present[0]]), float(t.values[present[-1]])
    dense = np.bincount(t.fine, weights=finite_n, minlength=fine.BINS).astype(np.int64)
    return m, fine.sparse(dense)
