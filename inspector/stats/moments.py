"""Mergeable summary statistics: one pass over chunks gives what numpy gives over the whole array."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Moments:
    """Sufficient statistics of a stream of values; `merge` combines two streams exactly."""

    count: int = 0  # finite values seen
    total: float = 0.0
    total_sq: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    zeros: int = 0
    nans: int = 0
    infs: int = 0

    def update(self, x: np.ndarray) -> None:
        finite = np.isfinite(x)
        if not finite.all():
            self.nans += int(np.isnan(x).sum())
            self.infs += int(np.isinf(x).sum())
            x = x[finite]
        if x.size == 0:
            return
        x64 = x.astype(np.float64, copy=False)
        self.count += x.size
        self.total += float(x64.sum())
        self.total_sq += float(np.dot(x64, x64))
        self.min = min(self.min, float(x.min()))
        self.max = max(self.max, float(x.max()))
        self.zeros += int(x.size - np.count_nonzero(x))

    def merge(self, other: "Moments") -> "Moments":
        return Moments(self.count + other.count, self.total + other.total, self.total_sq + other.total_sq,
                       min(self.min, other.min), max(self.max, other.max), self.zeros + other.zeros,
                       self.nans + other.nans, self.infs + other.infs)

    @property
    def elements(self) -> int:
        return self.count + self.nans + self.infs

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    @property
    def std(self) -> float:
        if not self.count:
            return math.nan
        var = self.total_sq / self.count - self.mean**2
        return math.sqrt(max(var, 0.0))

    @property
    def l2(self) -> float:
        return math.sqrt(self.total_sq)

    @property
    def absmax(self) -> float:
        return max(abs(self.min), abs(self.max)) if self.count else math.nan

    @property
    def zero_fraction(self) -> float:
        return self.zeros / self.elements if self.elements else math.nan

    def summary(self) -> dict:
        """The figures shown and exported, as plain floats (None where undefined)."""
        clean = lambda v: None if isinstance(v, float) and not math.isfinite(v) else v
        return {
            "count": self.elements, "mean": clean(self.mean), "std": clean(self.std),
            "min": clean(self.min), "max": clean(self.max), "absmax": clean(self.absmax),
            "zero_fraction": clean(self.zero_fraction), "nan": self.nans, "inf": self.infs,
            "l2": clean(self.l2),
        }


@dataclass
class TensorStats:
    """Moments plus a histogram on edges shared by every tensor of the same kind and role."""

    moments: Moments
    nbytes: int  # stored bytes of the tensor
    edges: np.ndarray | None = field(default=None, repr=False)
    counts: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> dict:
        return self.moments.summary()

    def histogram(self) -> dict | None:
        if self.counts is None:
            return None
        return {"edges": [float(e) for e in self.edges], "counts": [int(c) for c in self.counts]}
