"""Statistics for every parameter of a census: pass 1 moments, pass 2 comparable histograms.

Each stored tensor is read a chunk at a time, each chunk's mapped pages given back once read
(memory stays flat on a big model: see TensorRef.chunks and quant.py), and
values shared by several logical parameters are read once per pass.  Histogram edges
are shared by all tensors of one (kind, role), and by all layers of one kind, so block 3's
MLP histogram can be laid beside block 30's.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from ..errors import Cancelled
from .histogram import BINS, LAYER_BINS, shared_edges, uniform_histogram
from ..model.dequantize import values
from .moments import Moments, TensorStats

Progress = Callable[[float, str], None]


def _chunks(census, p) -> Iterator[np.ndarray]:
    """The logical values: dequantized where the tensor is stored as codes (model/dequantize.py)."""
    yield from values(census.model, census.model.tensors[p.stored], p.quant).chunks()


def compute_statistics(census, progress: Progress | None = None,
                       cancelled: Callable[[], bool] | None = None) -> None:
    """Fill `stats` on every ParamTensor and Layer of `census` (in place)."""
    params = census.tensors
    sharing: dict[str, list] = {}  # stored tensor -> the logical parameters reading it (aliases, ties)
    for p in params:
        sharing.setdefault(p.stored, []).append(p)
    total = 2 * sum(group[0].count for group in sharing.values()) or 1
    done = 0

    def tick(n: int, what: str) -> None:
        nonlocal done
        done += n
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(min(done / total, 1.0), what)

    moments: dict[str, Moments] = {}
    for key, (p, *_rest) in sharing.items():
        m = Moments()
        for chunk in _chunks(census, p):
            m.update(chunk)
            tick(chunk.size, f"statistics: {p.name}")
        moments[key] = m
    for p in params:
        ref = census.model.tensors[p.stored]
        p.stats = TensorStats(moments[p.stored], ref.stored_nbytes + (p.quant.aux_bytes if p.quant else 0))

    counted = [p for p in params if p.counted]
    role_edges = _edges_by(counted, lambda p: (p.kind, p.role), BINS)
    kind_edges = _edges_by(counted, lambda p: p.kind, LAYER_BINS)
    layer_hist = {(layer.name, kind): np.zeros(len(edges) - 1, np.int64)
                  for layer in census.layers for kind, edges in kind_edges.items()}
    for group in sharing.values():
        p = group[0]
        wanted = {}
        for q in group:
            if q.counted:
                wanted.setdefault(("role", q.kind, q.role), role_edges[(q.kind, q.role)])
                wanted.setdefault(("kind", q.kind), kind_edges[q.kind])
        counts = {k: np.zeros(len(e) - 1, np.int64) for k, e in wanted.items()}
        for chunk in _chunks(census, p):
            for k, e in wanted.items():
                counts[k] += uniform_histogram(chunk, e)
            tick(chunk.size, f"histogram: {p.name}")
        for q in group:
            if not q.counted:
                continue
            k = ("role", q.kind, q.role)
            q.stats.edges, q.stats.counts = wanted[k], counts[k]
            layer_hist[(q.layer, q.kind)] += counts[("kind", q.kind)]

    for layer in census.layers:
        layer.stats = {}
        for kind in ("weight", "bias"):
            own = [t for t in layer.tensors if t.counted and t.kind == kind]
            if not own:
                continue
            m = Moments()
            for t in own:
                m = m.merge(t.stats.moments)
            st = TensorStats(m, sum(t.stats.nbytes for t in own))
            st.edges, st.counts = kind_edges[kind], layer_hist[(layer.name, kind)]
            layer.stats[kind] = st
    if progress:
        progress(1.0, "statistics done")


def _edges_by(params, key, bins: int) -> dict:
    ranges: dict = {}
    for p in params:
        m = p.stats.moments
        if not m.count:
            continue
        lo, hi = ranges.get(key(p), (np.inf, -np.inf))
        ranges[key(p)] = (min(lo, m.min), max(hi, m.max))
    out = {k: shared_edges(lo, hi, bins) for k, (lo, hi) in ranges.items()}
    for p in params:
        out.setdefault(key(p), shared_edges(0.0, 0.0, bins))
    return out
