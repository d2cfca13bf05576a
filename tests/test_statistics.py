"""Statistics in one pass: fine histograms re-binned onto shared edges, layers reported as they finish."""

import json
import subprocess
import sys

import numpy as np
import pytest

from inspector.model import load_model, take_census
from inspector.stats import compute_statistics, fine
from inspector.stats.histogram import shared_edges

from .conftest import FIXTURES, ROOT, reference


def test_rebinning_equals_numpy_where_edges_fall_on_fine_boundaries():
    rng = np.random.default_rng(0)
    for scale in (0.02, 1.0, 300.0):
        x = (rng.standard_normal(200_000) * scale).astype(np.float32)
        x[:50] = 0.0
        edges = shared_edges(float(x.min()), float(x.max()), 64)
        ours = fine.rebin(fine.sparse(fine.counts(x)), edges)
        numpy_counts = np.histogram(np.clip(x, edges[0], edges[-1]), edges)[0]
        assert np.array_equal(ours, numpy_counts), scale


def test_rebinning_elsewhere_is_off_by_at_most_one_fine_bin_per_edge():
    """A range far from zero (a norm's weights near 100): edges need more than 10 significant bits."""
    rng = np.random.default_rng(1)
    x = (100 + rng.standard_normal(100_000) * 0.01).astype(np.float32)
    edges = np.linspace(float(x.min()), float(x.max()), 65)
    dense = fine.counts(x)
    ours = fine.rebin(fine.sparse(dense), edges)
    exact = np.histogram(x, edges)[0]
    assert ours.sum() == exact.sum() == x.size
    assert np.abs(ours - exact).max() <= dense.max()  # the documented bound, useless here: compute.py reads again


def test_a_narrow_range_far_from_zero_is_counted_exactly(tmp_path):
    """Norm weights near 100 with a spread of 0.01: wider fine bins than shared ones, so a second, exact read."""
    import onnx

    m = onnx.load(FIXTURES / "tiny-gpt2" / "model.onnx")
    init = next(i for i in m.graph.initializer if i.name == "transformer.h.0.ln_1.weight")
    rng = np.random.default_rng(2)
    arr = (100 + rng.standard_normal(onnx.numpy_helper.to_array(init).shape) * 0.01).astype(np.float32)
    init.CopyFrom(onnx.numpy_helper.from_array(arr, init.name))
    onnx.save(m, tmp_path / "model.onnx")
    c = census_of(tmp_path / "model.onnx")
    t = next(t for t in c.tensors if t.name == "transformer.h.0.ln_1.weight")
    edges = t.stats.edges
    assert np.array_equal(t.stats.counts, np.histogram(np.clip(arr, edges[0], edges[-1]), edges)[0])


def test_non_finite_values_are_counted_apart():
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0, 0.0], np.float32)
    codes, n = fine.sparse(fine.counts(x))
    assert n.sum() == 3  # 1, -2 and 0


def census_of(path, **kw):
    c = take_census(load_model(path))
    compute_statistics(c, **kw)
    return c


def test_layers_are_reported_in_order_as_they_finish():
    seen = []

    def on_layer(layer):
        assert all(t.stats is not None for t in layer.tensors)  # final when reported
        assert set(layer.stats) == {t.kind for t in layer.tensors if t.counted}
        seen.append(layer.name)

    c = census_of(FIXTURES / "tiny-gpt2", on_layer=on_layer)
    assert seen == [layer.name for layer in c.layers] and c.statistics_done


def test_the_thread_pool_changes_nothing():
    one = census_of(FIXTURES / "tiny-llama", workers=1)
    four = census_of(FIXTURES / "tiny-llama", workers=4)
    for a, b in zip(one.tensors, four.tensors):
        assert a.stats.summary() == pytest.approx(b.stats.summary(), rel=1e-12)
        assert np.array_equal(a.stats.counts, b.stats.counts)


def test_counts_only_gives_every_count_without_reading_a_value():
    ref = reference("tiny-llama")
    r = subprocess.run([sys.executable, "-m", "inspector", "stats", FIXTURES / "tiny-llama", "--counts-only", "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["parameters"], d["weights"], d["biases"]) == (ref["parameters"], ref["weights"], ref["biases"])
    assert d["scale"]["formula"]["matches"] and d["architecture"]["n_kv_head"] == 2
    tensor = d["layers"][1]["tensors"][0]
    assert "mean" not in tensor and tensor["bytes"] > 0 and d["layers"][1]["stats"] == {}
    full = json.loads(subprocess.run([sys.executable, "-m", "inspector", "stats", FIXTURES / "tiny-llama", "--json"],
                                     capture_output=True, text=True, cwd=ROOT, timeout=120).stdout)
    for key in ("parameters", "weights", "biases", "architecture", "scale", "quantization", "stored"):
        assert d[key] == full[key], key
