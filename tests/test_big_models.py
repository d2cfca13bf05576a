"""Big models open at once: counts without onnx or the engine, a tied-head check that stops at the first tile that
decides (and never calls an all-zero head tied), fp16 statistics from bit patterns, exact."""

import json
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from inspector.model import census as census_module
from inspector.model import load_model, take_census
from inspector.stats import compute_statistics, fine, half

from .conftest import FIXTURES, ROOT, reference

HEAVY = ("onnx", "onnxruntime", "inspector.engine", "inspector.compare", "jinja2", "matplotlib", "tokenizers")


def test_counts_only_imports_neither_onnx_nor_the_engine_nor_compare():
    """onnx's generated messages alone (model/proto.py), not onnx itself: 0.5 s of start-up saved."""
    code = ("import contextlib, io, json, runpy, sys\n"
            f"sys.argv = ['inspector', 'stats', {str(FIXTURES / 'tiny-llama')!r}, '--counts-only', '--json']\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    try:\n"
            "        runpy.run_module('inspector', run_name='__main__')\n"
            "    except SystemExit as exc:\n"
            "        assert not exc.code, exc.code\n"
            "print(json.dumps([sorted(sys.modules), json.loads(out.getvalue())['parameters']]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    modules, parameters = json.loads(r.stdout)
    heavy = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY) and m != "onnx.onnx_ml_pb2"]
    assert heavy == [] and parameters == reference("tiny-llama")["parameters"]


def test_messages_parsed_without_onnx_are_onnx_s_own():
    from inspector.model import proto

    assert proto.ModelProto is onnx.ModelProto and proto.TensorProto is onnx.TensorProto
    t = numpy_helper.from_array(np.array([[1.5, -2.0]], np.float16), "x")
    assert np.array_equal(proto.to_array(t), numpy_helper.to_array(t))
    typed = helper.make_tensor("y", TensorProto.FLOAT16, [2], [0.5, 3.0])  # int32_data: the bit patterns
    assert np.array_equal(proto.to_array(typed), np.array([0.5, 3.0], np.float16))  # bit patterns, not numbers


# ------------------------------------------------------------------------------------------- the tied-head check
def _lookup_and_head(folder, emb: np.ndarray, head: np.ndarray):
    """A graph that looks up `emb` [V, d] by input_ids and multiplies by `head` [d, V] into logits; weights in
    external data, memory-mapped as a big export's are."""
    vocab, d = emb.shape
    nodes = [helper.make_node("Gather", ["embed.weight", "input_ids"], ["h"], name="/model/embed_tokens/Gather"),
             helper.make_node("MatMul", ["h", "head.weight"], ["logits"], name="/lm_head/MatMul")]
    dt = helper.np_dtype_to_tensor_dtype(emb.dtype)
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "s"])],
        [helper.make_tensor_value_info("logits", dt, [1, "s", vocab])],
        [numpy_helper.from_array(emb, "embed.weight"), numpy_helper.from_array(head, "head.weight")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, folder / "model.onnx", save_as_external_data=True, location="model.onnx.data",
                    size_threshold=0)
    return folder / "model.onnx"


def _head(path):
    c = take_census(load_model(path))
    return c, next(t for t in c.tensors if t.role == "lm_head")


@pytest.fixture
def compared(monkeypatch):
    """How many tiles the tied-head check compared."""
    calls = []
    real = np.array_equal
    monkeypatch.setattr(census_module.np, "array_equal", lambda a, b: calls.append(a.size) or real(a, b))
    return calls


def test_an_untied_head_is_decided_at_the_first_tile(tmp_path, compared):
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((4096, 512)).astype(np.float16)  # 2M values: compared tile by tile
    _c, head = _head(_lookup_and_head(tmp_path / "m", emb, rng.standard_normal((512, 4096)).astype(np.float16)))
    assert head.counted and head.tied_to is None
    assert compared == [census_module.TILE ** 2]  # one tile read of each, not 4 MB


def test_a_tied_copy_is_found_tile_by_tile(tmp_path, compared):
    emb = np.random.default_rng(1).standard_normal((4096, 512)).astype(np.float16)
    c, head = _head(_lookup_and_head(tmp_path / "m", emb, np.ascontiguousarray(emb.T)))
    assert not head.counted and head.tied_to == "embed.weight" and c.stored.tied_copies == 1
    assert len(compared) == census_module.TILES


def test_a_head_equal_to_the_embedding_but_in_one_place_is_not_tied(tmp_path):
    emb = np.random.default_rng(2).standard_normal((64, 16)).astype(np.float32)  # small: compared whole
    head = np.ascontiguousarray(emb.T)
    head[9, 33] += 1
    _c, h = _head(_lookup_and_head(tmp_path / "m", emb, head))
    assert h.counted


@pytest.mark.parametrize("size", [(64, 16), (4096, 512)])
def test_an_all_zero_head_is_not_called_tied(tmp_path, size):
    """Zeros everywhere (a sparse file, an untrained head) are equal but prove nothing: the head counts."""
    emb = np.zeros(size, np.float16)
    c, head = _head(_lookup_and_head(tmp_path / "m", emb, np.zeros(size[::-1], np.float16)))
    assert head.counted and head.tied_to is None and c.parameters == 2 * emb.size


# ------------------------------------------------------------------------------------------------ fp16 statistics
def _awkward(n: int, dtype) -> np.ndarray:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(n) * 0.05).astype(dtype)
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 65504.0, -65504.0, 6e-8, -6e-8, 1e-5], np.float32)
    x[: special.size] = special.astype(dtype)
    x[100:400] = 0
    return x


def _as_float(x) -> np.ndarray:
    return x.astype(np.float64) if x.dtype == np.float16 else (x.view(np.uint16).astype(np.uint32) << 16).view(
        np.float32).astype(np.float64)


@pytest.mark.parametrize("kind", ["float16", "bfloat16"])
def test_bit_pattern_statistics_are_numpy_s_exactly(kind):
    codes = _awkward(300_001, np.float16).view(np.uint16) if kind == "float16" else \
        (_awkward(300_001, np.float32).view(np.uint32) >> 16).astype(np.uint16)
    x = _as_float(codes.view(np.float16)) if kind == "float16" else \
        (codes.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    m, sparse = half.summary(half.counts(codes), kind)
    finite = x[np.isfinite(x)]
    assert (m.count, m.nans, m.infs) == (finite.size, np.isnan(x).sum(), np.isinf(x).sum())
    assert m.zeros == np.count_nonzero(finite == 0) and (m.min, m.max) == (finite.min(), finite.max())
    assert m.total == pytest.approx(finite.sum(), rel=1e-13, abs=1e-13)
    assert m.total_sq == pytest.approx(np.dot(finite, finite), rel=1e-13)
    expected = fine.sparse(fine.counts(finite.astype(np.float32)))
    assert np.array_equal(sparse[0], expected[0]) and np.array_equal(sparse[1], expected[1])


def test_the_compiled_pattern_count_is_bincount_s(tmp_path):
    """The numba loop against np.bincount: on a read-only mapped file (as the statistics read them), on a
    writable strided view, added into counts already there, and on nothing."""
    from inspector.stats import kernel

    assert kernel.RUN == 1 << 14
    codes = np.random.default_rng(5).integers(0, 1 << 16, 1_000_003, dtype=np.uint16)
    codes[:5000] = 0xFFFF  # the last pattern, and a long run of one value
    codes[1 << 15:3 << 15] = 0  # whole blocks of one pattern (kernel.RUN), added at once
    codes[(5 << 14) + 100] = 0x0700  # a block of zeros but one (in its high byte): its ends agree
    codes[(7 << 14) - 1] = codes[6 << 14]  # ends that agree around a middle that does not
    (tmp_path / "codes.bin").write_bytes(codes.tobytes())
    mapped = np.memmap(tmp_path / "codes.bin", np.uint16, "r")
    assert not mapped.flags.writeable
    expected = np.bincount(codes, minlength=half.PATTERNS)
    assert np.array_equal(half.counts(mapped), expected)
    strided = codes[::3]
    assert np.array_equal(kernel.pattern_counts(strided), np.bincount(strided, minlength=half.PATTERNS))
    out = expected.copy()
    assert kernel.pattern_counts(codes, out) is out and np.array_equal(out, 2 * expected)
    assert not kernel.pattern_counts(codes[:0]).any()
    del mapped


def test_an_fp16_model_s_statistics_equal_its_float_values(tmp_path):
    """The whole pipeline on a stored fp16 export (the sample's model_fp16.onnx): every tensor's figures as numpy
    gives them from the float values, its histogram what the float path re-bins (fine.py) from them."""
    from .conftest import SAMPLE

    c = take_census(load_model(SAMPLE / "model_fp16.onnx"))
    compute_statistics(c)
    checked = 0
    for t in c.tensors:
        if t.dtype != "float16" or not t.counted:
            continue
        x = c.model.tensors[t.stored].raw().astype(np.float64)
        s = t.stats.summary()
        assert (s["count"], s["min"], s["max"]) == (x.size, x.min(), x.max())
        assert s["mean"] == pytest.approx(x.mean(), rel=1e-9, abs=1e-12)
        assert s["zero_fraction"] == np.count_nonzero(x == 0) / x.size
        edges = t.stats.edges
        assert np.array_equal(t.stats.counts, fine.rebin(fine.sparse(fine.counts(x.astype(np.float32))), edges))
        checked += 1
    assert checked > 10
