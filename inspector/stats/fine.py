"""A histogram that needs no range in advance: one bin per float32 bit pattern's top 18 bits.

A value's bin is its sign, its 8 exponent bits and the top 9 of its mantissa bits (`bits >> 14`): bins
are 2^-9 of a value wide relative to it, from the smallest subnormal to the largest float, and any
chunk of any tensor can be counted the moment it is read — before the range of its kind and role is
known.  Once every range is known, the fine counts are re-binned onto the shared uniform edges.

Accuracy: a uniform edge that is a multiple of a power of two with at most 10 significant bits (every
edge `histogram.shared_edges` makes for a range holding zero, and most others) falls on a fine bin's
boundary, so its counts are exactly numpy's on the same edges.  Elsewhere a fine bin that straddles an
edge is split in proportion to the overlap: the error is at most that one fine bin's count per edge.
A range far from zero and narrow (norm weights all within 1 ± 0.001) has fine bins wider than the shared
ones; compute.py reads such a tensor a second time for exact counts rather than re-binning it.
"""

from __future__ import annotations

import numpy as np

SHIFT = 14
BINS = 1 << (32 - SHIFT)
MANTISSA_STEPS = 1 << (23 - SHIFT)  # fine bins per power of two: a bin is at most |value| / 512 wide
SIGN = 1 << (31 - SHIFT)
EXPONENT_ALL_ONES = 0xFF << (23 - SHIFT)  # NaN and Inf: left out of the counts
ZERO_CODES = (0, SIGN)  # +0 and -0 (and subnormals too small to tell apart)


def counts(x: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """Dense fine counts of a float32 array (length BINS).  `scratch`: an int64 array of at least x.size to shift
    the codes into (np.bincount counts intp; a fresh temporary each slice costs more than the counting)."""
    if scratch is None:
        return np.bincount(np.right_shift(x.view(np.uint32), SHIFT), minlength=BINS)
    codes = scratch[: x.size]
    np.right_shift(x.view(np.uint32), SHIFT, out=codes, dtype=np.int64)
    return np.bincount(codes, minlength=BINS)


def sparse(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, counts) of the bins that hold values, non-finite bins dropped."""
    codes = np.flatnonzero(dense)
    finite = (codes & EXPONENT_ALL_ONES) != EXPONENT_ALL_ONES
    codes = codes[finite]
    return codes.astype(np.uint32), dense[codes].astype(np.int64)


def merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    codes = np.concatenate([c for c, _n in parts])
    n = np.concatenate([n for _c, n in parts])
    uniq, inverse = np.unique(codes, return_inverse=True)
    return uniq, np.bincount(inverse, weights=n, minlength=uniq.size).astype(np.int64)


def _bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The value interval [lo, hi] each fine bin covers."""
    a = (codes.astype(np.uint32) << SHIFT).view(np.float32).astype(np.float64)
    b = ((codes.astype(np.uint32) << SHIFT) | np.uint32((1 << SHIFT) - 1)).view(np.float32).astype(np.float64)
    return np.minimum(a, b), np.maximum(a, b)


def rebin(fine: tuple[np.ndarray, np.ndarray], edges: np.ndarray) -> np.ndarray:
    """Counts on uniform `edges` (values outside fall in the end bins, as uniform_histogram does)."""
    codes, n = fine
    bins = len(edges) - 1
    out = np.zeros(bins, np.float64)
    if not codes.size:
        return out.astype(np.int64)
    lo_edge, hi_edge = float(edges[0]), float(edges[-1])
    width = (hi_edge - lo_edge) / bins
    lo, hi = _bounds(codes)
    first = np.clip(np.floor((lo - lo_edge) / width), 0, bins - 1).astype(np.int64)
    last = np.clip(np.floor((hi - lo_edge) / width), 0, bins - 1).astype(np.int64)
    whole = first == last
    out += np.bincount(first[whole], weights=n[whole], minlength=bins)
    for i in np.flatnonzero(~whole):  # a fine bin over an edge: shared in proportion to the overlap
        span = max(hi[i] - lo[i], np.finfo(np.float64).tiny)
        for b in range(first[i], last[i] + 1):
            left = lo_edge + b * width if b > 0 else -np.inf
            right = lo_edge + (b + 1) * width if b < bins - 1 else np.inf
            share = (min(hi[i], right) - max(lo[i], left)) / span
            out[b] += n[i] * max(share, 0.0)
    total = int(n.sum())
    result = np.floor(out).astype(np.int64)
    short = total - int(result.sum())  # the fractions, given to the bins that lost the most to rounding down
    if short > 0:
        result[np.argsort(-(out - result))[:short]] += 1
    return result
