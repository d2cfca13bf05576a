"""Statistics of 16-bit floats (fp16, bf16) from their bit patterns, in one counting pass.

A 16-bit float has 65,536 possible values.  Counting how often each bit pattern occurs (kernel.py, over the
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
        self.finite_patterns = np.flatnonzero(self.finite)
        # each finite pattern's fine bin (fine.py), as an index into the fine bins finite patterns fall in
        self.fine_codes, self.fine_index = np.unique(
            np.right_shift(as32.view(np.uint32)[self.finite_patterns], fine.SHIFT), return_inverse=True)
        self.finite_values = self.values[self.finite_patterns]
        self.finite_squares = np.square(self.finite_values)
        order = np.argsort(self.finite_values, kind="stable")
        self.ascending = self.finite_patterns[order]  # finite patterns, smallest value first


_TABLES: dict[str, Patterns] = {}


def patterns(kind: str) -> Patterns:
    if kind not in _TABLES:
        _TABLES[kind] = Patterns(kind)
    return _TABLES[kind]


def counts(codes: np.ndarray) -> np.ndarray:
    """How often each bit pattern occurs in `codes` (uint16), length PATTERNS."""
    from . import kernel  # numba takes 0.4 s to import: paid only by a model that stores 16-bit floats
    return kernel.pattern_counts(codes)


def summary(n: np.ndarray, kind: str) -> tuple[Moments, tuple[np.ndarray, np.ndarray]]:
    """The moments and the sparse fine histogram of values whose pattern counts are `n`."""
    t = patterns(kind)
    m = Moments()
    finite_n = n[t.finite_patterns]
    m.count = int(finite_n.sum())
    m.nans = int(n[t.nan].sum())
    m.infs = int(n[t.inf].sum())
    m.zeros = int(n[t.zero].sum())
    if m.count:
        weights = finite_n.astype(np.float64)  # elementwise, not np.dot: BLAS's threads cost more than 65,536 products
        m.total = float((weights * t.finite_values).sum())
        m.total_sq = float((weights * t.finite_squares).sum())
        present = t.ascending[n[t.ascending] > 0]
        m.min, m.max = float(t.values[present[0]]), float(t.values[present[-1]])
    per_bin = np.bincount(t.fine_index, weights=finite_n, minlength=t.fine_codes.size)
    held = np.flatnonzero(per_bin)
    return m, (t.fine_codes[held].astype(np.uint32), per_bin[held].astype(np.int64))
