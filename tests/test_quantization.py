"""Quantized files as the hubs ship them: exact counts, the scheme shown, values dequantized as onnxruntime does."""

import json
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from inspector.engine import Generator
from inspector.model import load_model, take_census
from inspector.model.dequantize import values
from inspector.model.sources import open_source
from inspector.stats import compute_statistics
from inspector.stats.histogram import uniform_histogram
from inspector.stats.precision import precision_view

from .conftest import FIXTURES, ROOT, greedy_config, reference
from .ort_loop import plain_greedy

QUANT = ["quant-llama", "quant-gpt2"]  # onnx/model.onnx and six quantized files each
GENAI_INT4 = ["genai-llama-int4", "genai-qwen2-int4"]
FILES = [(folder, v.name) for folder in QUANT for v in open_source(FIXTURES / folder).variants
         if v.name != "onnx/model.onnx"] + [(folder, "model.onnx") for folder in GENAI_INT4]
# the scheme of block 0's matrices; GPT-2's blocks are Gemm, which the 4-bit quantizers leave alone
BLOCK_SCHEME = {
    ("quant-llama", "onnx/model_quantized.onnx"): "int8 dynamic", ("quant-llama", "onnx/model_uint8.onnx"): "uint8 dynamic",
    ("quant-llama", "onnx/model_q4.onnx"): "int4, block 32", ("quant-llama", "onnx/model_q4f16.onnx"): "int4, block 32",
    ("quant-llama", "onnx/model_bnb4.onnx"): "bnb4 nf4, block 64",
    ("quant-llama", "onnx/model_qdq.onnx"): "QDQ int8, per channel",
    ("quant-gpt2", "onnx/model_quantized.onnx"): "int8 dynamic", ("quant-gpt2", "onnx/model_uint8.onnx"): "uint8 dynamic",
    ("quant-gpt2", "onnx/model_q4.onnx"): "fp32", ("quant-gpt2", "onnx/model_q4f16.onnx"): "fp16",
    ("quant-gpt2", "onnx/model_bnb4.onnx"): "fp32", ("quant-gpt2", "onnx/model_qdq.onnx"): "QDQ int8, per channel",
    ("genai-llama-int4", "model.onnx"): "int4, block 32", ("genai-qwen2-int4", "model.onnx"): "int4, block 32",
}
ARCH = ("family", "n_layer", "d_model", "n_head", "n_kv_head", "head_dim", "vocab_size", "context_length",
        "tied_embeddings")
_cache: dict = {}


def census(folder, variant):
    key = (folder, variant)
    if key not in _cache:
        c = take_census(load_model(FIXTURES / folder, variant=variant))
        compute_statistics(c)
        _cache[key] = c
    return _cache[key]


def float_census(folder):
    return census(folder, "onnx/model.onnx" if folder in QUANT else None)


@pytest.mark.parametrize("folder,variant", FILES)
def test_counts_and_architecture_are_the_float_models(folder, variant):
    ref = reference(folder)
    c = census(folder, variant)
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    for f in ARCH:
        assert getattr(c.architecture, f) == ref["architecture"][f], f
    assert c.architecture.config_checks == []
    block = c.layer("block 0")
    matrices = {t.scheme for t in block.tensors if len(t.shape) == 2}
    assert matrices == {BLOCK_SCHEME[(folder, variant)]}
    for t in c.tensors:  # scales and zero points are stored bytes, never parameters
        assert not t.name.endswith(("_scale", "_zero_point", "_scales", "_absmax"))


@pytest.mark.parametrize("variant", ["onnx/model_quantized.onnx", "onnx/model_q4.onnx", "onnx/model_bnb4.onnx",
                                     "onnx/model_qdq.onnx"])
def test_a_quantized_copy_of_the_tied_head_counts_once(variant):
    c = census("quant-gpt2", variant)
    head = c.layer("lm_head").tensors[0]
    assert not head.counted and head.tied_to == "transformer.wte.weight" or head.tied_to.startswith("transformer.wte")
    view = precision_view(c)
    if variant.endswith(("_q4.onnx", "_bnb4.onnx")):  # the exporter's copy of the head was quantized, nothing else
        assert head.quant is not None and c.stored.tied_copies == 1
        summary = str(view["summary"])  # a Message: its English
        assert summary.startswith("fp32 throughout") and "tied head's stored copy: " + head.scheme in summary


def test_genai_int4_ties_its_table_and_head_in_one_packed_tensor():
    c = census("genai-qwen2-int4", None)
    emb, head = c.layer("embeddings").tensors[0], c.layer("lm_head").tensors[0]
    assert emb.stored == head.stored and emb.quant.op == "GatherBlockQuantized" and head.quant.op == "MatMulNBits"
    assert emb.shape == (2048, 32) and head.shape == (32, 2048) and not head.counted


@pytest.mark.parametrize("folder,variant", FILES)
def test_statistics_are_of_the_dequantized_values(folder, variant):
    """Mean and spread as the float original's, histograms on edges that line up with the original's."""
    c, f = census(folder, variant), float_census(folder)
    original = {(t.layer, t.role, t.kind): t for t in f.tensors if t.counted}
    int4 = any(t.quant and t.quant.bits == 4 for t in c.tensors)
    aligned = 0
    for t in c.tensors:
        if not (t.counted and t.quant):
            continue
        o = original[(t.layer, t.role, t.kind)]
        s, so = t.stats.summary(), o.stats.summary()
        assert s["count"] == so["count"]
        assert s["std"] == pytest.approx(so["std"], rel=0.2 if int4 else 0.05), t.name
        assert abs(s["mean"] - so["mean"]) < 0.1 * so["std"] + 1e-3, t.name
        edges = o.stats.edges
        a = uniform_histogram(values(c.model, c.model.tensors[t.stored], t.quant).full().ravel(), edges)
        b = o.stats.counts
        ks = np.abs(np.cumsum(a) / a.sum() - np.cumsum(b) / b.sum()).max()  # 16 levels a block: compare the CDFs
        assert ks < (0.12 if int4 else 0.05), t.name
        aligned += np.array_equal(t.stats.edges, o.stats.edges)
    if any(t.counted and t.quant for t in c.tensors):
        assert aligned > 0  # most roles keep their float edges: bins line up one for one


def _run_single(model, node, overrides: dict[int, np.ndarray], out_type=onnx.TensorProto.FLOAT):
    """onnxruntime's own kernel for one node, fed the model's stored inputs and `overrides`."""
    inits, inputs = [], []
    for slot, name in enumerate(node.input):
        if not name:
            continue
        if slot in overrides:
            arr = overrides[slot]
            inputs.append(helper.make_tensor_value_info(name, numpy_helper.from_array(arr).data_type, arr.shape))
        else:
            ref = model.tensors[name]
            inits.append(numpy_helper.from_array(ref.raw().reshape(ref.shape), name))
    graph = helper.make_graph([node], "one", inputs, [helper.make_tensor_value_info(node.output[0], out_type, None)],
                              inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)],
                          ir_version=10)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {node.input[s]: a for s, a in overrides.items()})[0]


@pytest.mark.parametrize("folder,variant", [("quant-llama", "onnx/model_q4.onnx"), ("quant-llama", "onnx/model_q4f16.onnx"),
                                            ("quant-llama", "onnx/model_bnb4.onnx"), ("genai-qwen2-int4", None),
                                            ("quant-llama", "onnx/model_qdq.onnx"),
                                            ("quant-llama", "onnx/model_quantized.onnx")])
def test_dequantized_values_are_onnxruntimes(folder, variant):
    """Each reader against the op itself: an identity matrix through MatMulNBits/MatMulBnb4/MatMulInteger gives
    the weight back, a Gather of every row gives the table, a DequantizeLinear gives its tensor."""
    c = census(folder, variant)
    model, checked = c.model, 0
    for t in {t.stored: t for t in c.tensors if t.quant}.values():
        q, ref = t.quant, model.tensors[t.stored]
        mine = values(model, ref, q).full()
        node = onnx.NodeProto()
        node.CopyFrom(q.node)
        if q.op in ("MatMulNBits", "MatMulBnb4"):
            fp16 = model.tensors[q.scale].data_type == onnx.TensorProto.FLOAT16
            eye = np.eye(q.logical_shape[0], dtype=np.float16 if fp16 else np.float32)
            theirs = _run_single(model, node, {0: eye}, onnx.TensorProto.FLOAT16 if fp16 else onnx.TensorProto.FLOAT)
        elif q.op == "GatherBlockQuantized":
            node.input[0] = "table"
            theirs = _run_single(model, node, {0: ref.raw().reshape(q.logical_shape[0], -1),
                                               1: np.arange(q.logical_shape[0], dtype=np.int64)})
        elif q.op == "MatMulInteger":  # integer product with the identity, then the scale the graph multiplies in
            node.input[2] = ""
            eye = np.eye(q.logical_shape[0], dtype=np.uint8)
            ints = _run_single(model, node, {0: eye}, onnx.TensorProto.INT32)
            theirs = ints * model.tensors[q.scale].array()
        elif q.op == "DequantizeLinear" and node.input[0] in model.tensors:
            theirs = _run_single(model, node, {})
        else:
            continue
        np.testing.assert_allclose(mine, theirs.astype(np.float32).reshape(mine.shape), rtol=1e-3, atol=1e-6)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("folder,variant", FILES)
def test_ids_are_plain_onnxruntimes_on_the_same_file(folder, variant):
    ref = reference(folder)
    gen = Generator(FIXTURES / folder, provider="cpu", variant=variant)
    result = gen.generate(ref["prompt"], greedy_config(ref))
    assert result.new_ids == plain_greedy(gen.path, ref["prompt_ids"], 20, gen.io.head_dim)
    assert result.new_ids == ref["variant_greedy_ids"][variant or "model.onnx"]  # recorded when it was built
    assert result.note and "greedy ids can differ" in str(result.note)


def test_the_precision_line_and_the_quantization_object():
    c = census("quant-llama", "onnx/model_q4.onnx")
    view = precision_view(c)
    stored = {}
    for t in c.tensors:
        if t.counted:
            stored[t.stored] = c.model.tensors[t.stored].stored_nbytes + (t.quant.aux_bytes if t.quant else 0)
    bpp = 8 * sum(stored.values()) / c.parameters
    assert str(view["summary"]) == f"int4, block 32, on 15 of 16 matrices: {bpp:.1f} bits per parameter, " \
                              f"{32 / bpp:.1f}× smaller than fp32"
    assert view["scale_bytes"] == sum(c.model.tensors[t.quant.scale].stored_nbytes for t in c.tensors if t.quant)
    assert view["zero_point_bytes"] == 0  # symmetric: MatMulNBits' default zero point
    assert precision_view(float_census("quant-llama"))["note"] is None
    r = subprocess.run([sys.executable, "-m", "inspector", "stats", FIXTURES / "quant-llama", "--variant", "model_q4",
                        "--json", "--no-histograms"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    d = json.loads(r.stdout)
    q = d["quantization"]
    assert q["quantized"] and q["summary"] == str(view["summary"]) and q["bits_per_parameter"] == pytest.approx(bpp)
    t = next(t for t in d["layers"][1]["tensors"] if t["role"] == "attn.qkv" or t["role"] == "attn.q")
    assert t["scheme"] == "int4, block 32" and t["quantization"]["block_size"] == 32
    assert t["bits_per_parameter"] == pytest.approx(4 + 32 / 32) and t["stored_shape"] != t["shape"]  # fp32 scales
    assert t["quantization"]["scale_bytes"] == t["count"] // 32 * 4 and t["quantization"]["zero_point_bytes"] == 0
    norm = next(t for t in d["layers"][1]["tensors"] if t["role"] == "norm.attn")
    assert norm["scheme"] == "fp32" and norm["bits_per_parameter"] == 32 and norm["quantization"] is None


def test_generate_says_why_ids_may_differ(tmp_path):
    folder = FIXTURES / "quant-llama"
    run = lambda *a: subprocess.run([sys.executable, "-m", "inspector", "generate", folder, *a, "--prompt", "Love is",
                                     "--max-new-tokens", "3"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    r = run("--variant", "model_q4f16", "--json")
    assert "quantized (int4, block 32" in json.loads(r.stdout)["note"]
    r = run("--variant", "model_quantized")
    assert r.returncode == 0 and r.stderr.startswith("note: This model is quantized (int8 dynamic")
    r = run("--json")
    assert json.loads(r.stdout)["note"] is None
    fp16 = subprocess.run([sys.executable, "-m", "inspector", "generate", FIXTURES / "tjs-qwen2", "--variant",
                           "model_fp16", "--prompt", "Love", "--max-new-tokens", "2", "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "stored in fp16" in json.loads(fp16.stdout)["note"]
