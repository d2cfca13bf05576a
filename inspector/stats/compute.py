"""Statistics for every parameter of a census, in one pass over each tensor's values, on every core.

Each stored tensor is read a slice at a time by a pool of threads (numpy releases the GIL), each
slice's mapped pages given back as soon as it is read, so memory stays flat whatever the model's
size.  A slice gives its moments and its fine histogram (fine.py) at once; values shared by several
logical parameters are read once.  Layers are finished in the census's order and reported as they
finish (`on_layer`), so a view can fill while the rest is read.  At the end the fine counts are
re-binned onto edges shared by all tensors of one (kind, role), and by all layers of one kind, so
block 3's MLP histogram can be laid beside block 30's.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from ..errors import Cancelled
from ..model.dequantize import values
from ..model.tensors import CHUNK
from . import fine, half
from .histogram import BINS, LAYER_BINS, shared_edges, uniform_histogram
from .moments import Moments, TensorStats
from .. import progress_text as say

Progress = say.Progress
IN_FLIGHT_PER_WORKER = 2  # slices read ahead per thread: enough to keep the cores busy, little memory


_scratch = threading.local()  # each worker's int64 buffer for a slice's fine codes, reused slice after slice


def _codes_buffer(n: int) -> np.ndarray:
    buf = getattr(_scratch, "codes", None)
    if buf is None or buf.size < n:
        buf = _scratch.codes = np.empty(max(n, CHUNK), np.int64)
    return buf


def _summarize(x: np.ndarray) -> tuple[Moments, np.ndarray]:
    """A slice's moments and dense fine counts."""
    m = Moments()
    if x.dtype != np.float32:
        x64, x = x, x.astype(np.float32)
    else:
        x64 = None
    total = float(x.sum(dtype=np.float64)) if x64 is None else float(x64.sum())
    if not np.isfinite(total):  # NaN or Inf here: the careful path (rare)
        m.update(x if x64 is None else x64)
        finite = x[np.isfinite(x)]
        return m, fine.counts(finite)
    counts = fine.counts(x, _codes_buffer(x.size))
    m.count = x.size
    m.total = total
    m.total_sq = float(np.square(x).sum(dtype=np.float64)) if x64 is None else float(np.square(x64).sum())
    m.min, m.max = (float(x.min()), float(x.max())) if x64 is None else (float(x64.min()), float(x64.max()))
    if counts[fine.ZERO_CODES[0]] or counts[fine.ZERO_CODES[1]]:  # there may be zeros: count them exactly
        m.zeros = int(x.size - np.count_nonzero(x))
    return m, counts


def compute_statistics(census, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                       on_layer: Callable[[object], None] | None = None, workers: int | None = None,
                       pause: Callable[[], None] | None = None) -> None:
    """Fill `stats` on every ParamTensor and Layer of `census` (in place).  `pause()` is called before each slice
    is read, on the thread that reads it (the app gives its busy GUI thread a turn there: app/gui_pulse.py).

    `on_layer(layer)` is called as each layer's tensors are all read (its statistics are then final, its
    histograms on the layer's own edges); the shared edges come at the end, when every range is known."""
    sharing: dict[str, list] = {}  # stored tensor -> the logical parameters reading it (aliases, ties)
    for p in census.tensors:
        sharing.setdefault(p.stored, []).append(p)
    copies = _exact_copies(census)  # a tied head's stored copy -> the embedding it copies: not read again
    order, seen = [], set(copies)  # each stored tensor once, in layer order, with the layer it completes
    for layer in census.layers:
        for p in layer.tensors:
            if p.stored not in seen:
                seen.add(p.stored)
                order.append(p)
    if any(_pattern_kind(p, census.model.tensors[p.stored]) for p in order):
        from . import kernel  # noqa: F401  (numba: imported once here, not by the pool's threads at their first slice)
    waiting = {layer.name: {p.stored for p in layer.tensors} for layer in census.layers}
    total = sum(p.count for p in order) or 1
    done = 0
    fine_of: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    finished_layers = 0
    for p, moments, counts in _stream(census, order, workers or max(1, os.cpu_count() or 1), cancelled,
                                        pause):
        for stored in [p.stored] + [c for c, source in copies.items() if source == p.stored]:
            fine_of[stored] = counts
            for q in sharing[stored]:
                q.stats = TensorStats(moments, q.nbytes)
        done += p.count
        if progress:
            progress(min(done / total, 1.0), say.STATISTICS(p.layer))
        while finished_layers < len(census.layers) and waiting[census.layers[finished_layers].name] <= fine_of.keys():
            layer = census.layers[finished_layers]
            _layer_stats(layer, fine_of)
            if on_layer:
                on_layer(layer)
            finished_layers += 1
    _shared_histograms(census, fine_of)
    census.statistics_done = True
    if progress:
        progress(1.0, say.STATISTICS_DONE())


HALF_TYPES = {"float16", "bfloat16"}  # stored 16-bit floats: counted by bit pattern (half.py)


def _pattern_kind(p, ref) -> str | None:
    """The 16-bit float type a parameter's stored tensor is counted as by bit pattern, or None (read as values)."""
    return ref.dtype if p.quant is None and ref.dtype in HALF_TYPES else None


def _exact_copies(census) -> dict[str, str]:
    """Stored copies of the embedding a tied head reads (the census compared them value for value): the same
    values, so the same statistics, and not read a second time."""
    by_name = {p.name: p for p in census.tensors}
    out = {}
    for p in census.tensors:
        source = by_name.get(p.tied_to or "")
        if source is not None and not p.counted and p.stored != source.stored and p.quant is None \
                and source.quant is None and p.dtype == source.dtype:
            out[p.stored] = source.stored
    return out


def _float32_readers(ref, chunk: int = CHUNK):
    """Readers of a stored float32 tensor's moments and fine counts, a slice at a time, summarized where the
    bytes lie (no copy) before their pages are given back."""
    flat = ref.raw()
    mapped = ref.files is not None

    def read(start: int, stop: int):
        out = _summarize(flat[start:stop])
        if mapped:
            ref.release(start * 4, (stop - start) * 4)
        return out

    for start in range(0, flat.size, chunk):
        yield lambda s=start: read(s, min(flat.size, s + chunk))


def _pattern_readers(ref, chunk: int = 2 * CHUNK):
    """Readers of a stored 16-bit float tensor's bit-pattern counts, a slice at a time, pages given back."""
    codes = ref.raw().view(np.uint16)
    mapped = ref.files is not None

    def read(start: int, stop: int) -> np.ndarray:
        n = half.counts(codes[start:stop])
        if mapped:
            ref.release(start * 2, (stop - start) * 2)
        return n

    for start in range(0, codes.size, chunk):
        yield lambda s=start: read(s, min(codes.size, s + chunk))


def _after(pause: Callable[[], None], task: Callable):
    def paused():
        pause()
        return task()
    return paused


def _stream(census, order: list, workers: int, cancelled, pause=None):
    """(parameter, moments, fine counts) for each stored tensor in `order`, as it completes.  Slices of all
    tensors go through one pool, a bounded number in flight, so the cores stay busy across tensors.  A tensor
    stored as 16-bit floats is counted by bit pattern (half.py), any other read as float values."""
    def slices():
        for p in order:
            ref = census.model.tensors[p.stored]
            kind = _pattern_kind(p, ref)
            if kind:
                tasks = list(_pattern_readers(ref))
            elif p.quant is None and ref.dtype == "float32" and ref.raw().flags.aligned:
                tasks = list(_float32_readers(ref))
            else:
                tasks = [lambda r=read: _summarize(r()) for read in values(census.model, ref, p.quant).slices()]
            for i, task in enumerate(tasks):
                yield p, kind, task, i == len(tasks) - 1
            if not tasks:
                yield p, kind, None, True

    acc: dict[str, list] = {}
    pending: deque = deque()
    with ThreadPoolExecutor(workers, thread_name_prefix="stats") as pool:
        def collect():
            p, kind, future, last = pending.popleft()
            if kind:  # bit-pattern counts, summed; the figures once the tensor is whole
                total = acc.setdefault(p.stored, np.zeros(half.PATTERNS, np.int64))
                if future is not None:
                    np.add(total, future.result(), out=total)
                if last:
                    return (p, *half.summary(acc.pop(p.stored), kind))
                return None
            m, counts = future.result() if future is not None else (Moments(), None)
            entry = acc.setdefault(p.stored, [Moments(), np.zeros(fine.BINS, np.int64)])
            entry[0] = entry[0].merge(m)
            if counts is not None:
                np.add(entry[1], counts, out=entry[1])
            if last:
                moments, dense = acc.pop(p.stored)
                return p, moments, fine.sparse(dense)
            return None

        try:
            for p, kind, task, last in slices():
                if cancelled and cancelled():
                    raise Cancelled()
                future = pool.submit(_after(pause, task) if pause else task) if task is not None else None
                pending.append((p, kind, future, last))
                while len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    if (out := collect()) is not None:
                        yield out
            while pending:
                if (out := collect()) is not None:
                    yield out
        finally:
            for _p, _kind, future, _last in pending:
                if future is not None:
                    future.cancel()


def _layer_stats(layer, fine_of: dict) -> None:
    """The layer's moments per kind (its histograms come with the shared edges, at the end)."""
    layer.stats = {}
    for kind in ("weight", "bias"):
        own = [t for t in layer.tensors if t.counted and t.kind == kind]
        if not own:
            continue
        m = Moments()
        for t in own:
            m = m.merge(t.stats.moments)
        layer.stats[kind] = TensorStats(m, sum(t.stats.nbytes for t in own))


FINE_ENOUGH = 4  # fine bins at most a quarter of a shared bin wide: re-binning is faithful; wider, read again


def _shared_histograms(census, fine_of: dict) -> None:
    counted = [p for p in census.tensors if p.counted]
    role_edges = _edges_by(counted, lambda p: (p.kind, p.role), BINS)
    kind_edges = _edges_by(counted, lambda p: p.kind, LAYER_BINS)
    rebinned: dict[tuple, np.ndarray] = {}
    by_stored = {p.stored: p for p in counted}

    def on(stored: str, edges: np.ndarray) -> np.ndarray:
        key = (stored, id(edges))
        if key not in rebinned:
            m = by_stored[stored].stats.moments
            fine_width = (m.absmax if m.count else 0.0) / fine.MANTISSA_STEPS
            if fine_width * FINE_ENOUGH > (edges[-1] - edges[0]) / (len(edges) - 1):
                rebinned[key] = _exact_counts(census, by_stored[stored], edges)  # a narrow range far from 0
            else:
                rebinned[key] = fine.rebin(fine_of[stored], edges)
        return rebinned[key]

    for p in counted:
        p.stats.edges = role_edges[(p.kind, p.role)]
        p.stats.counts = on(p.stored, p.stats.edges)
    for layer in census.layers:
        for kind, st in layer.stats.items():
            st.edges = kind_edges[kind]
            st.counts = sum(on(t.stored, st.edges) for t in layer.tensors if t.counted and t.kind == kind)


def _exact_counts(census, p, edges: np.ndarray) -> np.ndarray:
    """A second read of one tensor, for a range the fine bins cannot resolve (norm weights all near 1, say)."""
    out = np.zeros(len(edges) - 1, np.int64)
    for chunk in values(census.model, census.model.tensors[p.stored], p.quant).chunks():
        out += uniform_histogram(chunk, edges)
    return out


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
