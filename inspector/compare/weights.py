"""Weight by weight: how far B's values are from A's, per tensor and per layer, on the dequantized values.

Each matched pair is read whole, one pair at a time (the largest tensor, twice, as float32, is the peak), in
PyTorch's orientation; sums are taken in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import Cancelled
from ..model.dequantize import values
from .match import Pair, match
from .. import progress_text as say

HIST_BINS = 60


@dataclass
class TensorDiff:
    layer: str
    role: str
    kind: str
    name_a: str
    name_b: str
    shape: list[int]
    count: int
    a_sq: float  # ‖A‖²
    b_sq: float
    d_sq: float  # ‖B − A‖²
    dot: float  # A·B
    max_abs: float
    bytes_a: int
    bytes_b: int
    scheme_a: str
    scheme_b: str
    nonfinite: int = 0  # positions where A or B holds NaN or Inf: left out of every figure
    diff_hist: dict = field(default_factory=dict)  # edges, counts of B − A
    value_hist: dict = field(default_factory=dict)  # edges, counts_a, counts_b on shared edges

    @property
    def rel_l2(self) -> float | None:
        return math.sqrt(self.d_sq / self.a_sq) if self.a_sq > 0 else (0.0 if self.d_sq == 0 else None)

    @property
    def cosine(self) -> float | None:
        den = math.sqrt(self.a_sq * self.b_sq)
        return self.dot / den if den > 0 else (1.0 if self.a_sq == self.b_sq == 0 else None)

    def as_dict(self, histograms: bool = True) -> dict:
        d = {"layer": self.layer, "role": self.role, "kind": self.kind, "name_a": self.name_a, "name_b": self.name_b,
             "shape": self.shape, "count": self.count, "rel_l2": self.rel_l2, "max_abs": self.max_abs,
             "cosine": self.cosine, "bytes_a": self.bytes_a, "bytes_b": self.bytes_b,
             "bits_per_parameter_a": 8 * self.bytes_a / self.count if self.count else None,
             "bits_per_parameter_b": 8 * self.bytes_b / self.count if self.count else None,
             "scheme_a": self.scheme_a, "scheme_b": self.scheme_b, "nonfinite": self.nonfinite}
        if histograms:
            d["diff_histogram"], d["value_histogram"] = self.diff_hist, self.value_hist
        return d


@dataclass
class LayerDiff:
    name: str
    tensors: list[TensorDiff]

    def _sum(self, key: str) -> float:
        return sum(getattr(t, key) for t in self.tensors)

    @property
    def rel_l2(self) -> float | None:
        a, d = self._sum("a_sq"), self._sum("d_sq")
        return math.sqrt(d / a) if a > 0 else (0.0 if d == 0 else None)

    @property
    def cosine(self) -> float | None:
        den = math.sqrt(self._sum("a_sq") * self._sum("b_sq"))
        return self._sum("dot") / den if den > 0 else None

    @property
    def max_abs(self) -> float:
        return max((t.max_abs for t in self.tensors), default=0.0)

    @property
    def nonfinite(self) -> int:
        return sum(t.nonfinite for t in self.tensors)

    def as_dict(self) -> dict:
        count = sum(t.count for t in self.tensors)
        ba, bb = int(self._sum("bytes_a")), int(self._sum("bytes_b"))
        return {"name": self.name, "tensors": len(self.tensors), "count": count, "nonfinite": self.nonfinite,
                "rel_l2": self.rel_l2,
                "max_abs": self.max_abs, "cosine": self.cosine, "bytes_a": ba, "bytes_b": bb,
                "bits_per_parameter_a": 8 * ba / count if count else None,
                "bits_per_parameter_b": 8 * bb / count if count else None}


@dataclass
class WeightComparison:
    tensors: list[TensorDiff]
    layers: list[LayerDiff]  # ranked: the most changed first
    unmatched: list[dict]


def _read(census, t) -> np.ndarray:
    arr = values(census.model, census.model.tensors[t.stored], t.quant).full().astype(np.float32)
    return arr.T if t.transposed and arr.ndim == 2 else arr


def _hist(x: np.ndarray, lo: float, hi: float) -> tuple[list[float], list[int]]:
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(x, bins=HIST_BINS, range=(lo, hi))
    return edges.tolist(), counts.tolist()


def diff_pair(ca, cb, p: Pair) -> TensorDiff:
    a, b = _read(ca, p.a), _read(cb, p.b)
    if a.shape != b.shape and a.ndim == 2 and a.shape == b.shape[::-1]:
        b = b.T  # one exporter stores the matrix the other way round
    a, b = a.ravel(), b.reshape(-1)
    both = np.isfinite(a) & np.isfinite(b)  # a NaN or Inf is counted, not compared: the sums stay finite
    if not both.all():
        a, b = a[both], b[both]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    d = b64 - a64
    td = TensorDiff(p.layer, p.role, p.kind, p.a.name, p.b.name, list(p.a.shape[::-1] if p.a.transposed else p.a.shape),
                    p.a.count, float(a64 @ a64), float(b64 @ b64), float(d @ d), float(a64 @ b64),
                    float(np.abs(d).max()) if d.size else 0.0, p.a.nbytes, p.b.nbytes, p.a.scheme, p.b.scheme,
                    nonfinite=int(both.size - both.sum()))
    m = td.max_abs
    edges, counts = _hist(d, -m, m)
    td.diff_hist = {"edges": edges, "counts": counts}
    lo = float(min(a.min(), b.min())) if a.size else 0.0
    hi = float(max(a.max(), b.max())) if a.size else 0.0
    edges, ca_ = _hist(a, lo, hi)
    _edges, cb_ = _hist(b, lo, hi)
    td.value_hist = {"edges": edges, "counts_a": ca_, "counts_b": cb_}
    return td


def compare_weights(ca, cb, progress: say.Progress | None = None,
                    cancelled: Callable[[], bool] | None = None) -> WeightComparison:
    pairs, unmatched = match(ca, cb)
    diffs = []
    for i, p in enumerate(pairs):
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(i / max(1, len(pairs)), say.COMPARING(p.key))
        diffs.append(diff_pair(ca, cb, p))
    by_layer: dict[str, list[TensorDiff]] = {}
    for t in diffs:
        by_layer.setdefault(t.layer, []).append(t)
    layers = sorted((LayerDiff(n, ts) for n, ts in by_layer.items()),  # NaN or Inf in a layer: first of all
                    key=lambda x: (x.nonfinite == 0, -(x.rel_l2 if x.rel_l2 is not None else math.inf)))
    return WeightComparison(diffs, layers, unmatched)
