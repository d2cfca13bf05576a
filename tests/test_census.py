"""The census against what PyTorch itself reported when each fixture was built."""

import json
import subprocess
import sys

import numpy as np
import onnx
import pytest

from inspector.model import load_model, take_census
from inspector.stats import compute_statistics
from inspector.stats.scale import formula_for, gpt2_parameters, scale_view

from .conftest import ALL, FIXTURES, ROOT, SAMPLE, reference

ARCH_FIELDS = ("family", "n_layer", "d_model", "n_head", "n_kv_head", "head_dim", "vocab_size", "tied_embeddings")


def census_of(path):
    c = take_census(load_model(path))
    compute_statistics(c)
    return c


@pytest.mark.parametrize("name", ALL)
def test_counts_and_architecture_match_pytorch(name):
    ref = reference(name)
    c = census_of(FIXTURES / name)
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    for f in ARCH_FIELDS:
        assert getattr(c.architecture, f) == ref["architecture"][f], f
    assert c.architecture.context_length == ref["architecture"]["context_length"]
    assert c.architecture.config_checks == []


@pytest.mark.parametrize("name", ALL)
def test_same_answer_without_config_json(name, bare_copy):
    ref = reference(name)
    c = census_of(bare_copy(name))
    assert c.model.config is None
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    for f in ARCH_FIELDS:
        assert getattr(c.architecture, f) == ref["architecture"][f], f
    if c.architecture.context_source == "graph":
        assert c.architecture.context_length == ref["architecture"]["context_length"]
    else:  # llama keeps its context only in config.json
        assert c.architecture.context_length is None


def test_sample_model_matches_its_reference():
    ref = json.loads((SAMPLE / "reference.json").read_text())
    c = census_of(SAMPLE)
    assert c.parameters == ref["parameters"] and c.biases == ref["biases"]


def test_every_pytorch_parameter_is_attributed_to_its_layer():
    """Each named PyTorch parameter appears once, in the block its name says, with its shape's size."""
    for name in ("tiny-gpt2", "tiny-gpt2-zero-bias"):
        ref = reference(name)
        c = census_of(FIXTURES / name)
        counted = {t.name: t for t in c.tensors if t.counted}
        for pname, shape in ref["parameter_names"].items():
            assert pname in counted, pname
            t = counted[pname]
            assert t.count == int(np.prod(shape))
            assert t.kind == ("bias" if pname.endswith("bias") else "weight")
            if ".h." in pname:
                assert t.layer == f"block {pname.split('.h.')[1].split('.')[0]}"


def test_exporter_deduplicated_zero_biases_count_once_per_parameter():
    c = census_of(FIXTURES / "tiny-gpt2-zero-bias")
    assert c.stored.aliases > 0
    assert c.stored.unique_tensors < len([t for t in c.tensors if t.counted])
    assert c.biases == reference("tiny-gpt2-zero-bias")["biases"]


def test_llama_roles_from_renamed_tensors():
    c = census_of(FIXTURES / "tiny-llama")
    block = c.layer("block 1")
    roles = {t.role for t in block.tensors}
    assert {"attn.q", "attn.k", "attn.v", "attn.out", "mlp.gate", "mlp.up", "mlp.down", "norm.attn", "norm.mlp"} <= roles
    renamed = [t for t in block.tensors if t.name.startswith("onnx::")]
    assert renamed and all(t.nodes[0].startswith("/model/layers.1/") for t in renamed)
    k = next(t for t in block.tensors if t.role == "attn.k")
    assert k.shape == (64, 2 * 16)  # 2 KV heads of 16: fewer than the 4 query heads
    assert c.layer("lm_head").parameters > 0  # untied


def test_tied_head_is_found_by_value_and_counted_once():
    c = census_of(FIXTURES / "tiny-llama-tied")
    head = c.layer("lm_head").tensors[0]
    assert not head.counted and head.tied_to == "model.embed_tokens.weight"
    assert c.parameters == reference("tiny-llama-tied")["parameters"]


def test_transposed_copy_that_differs_is_not_taken_for_a_tie(tmp_path):
    model = onnx.load(FIXTURES / "tiny-llama-tied" / "model.onnx")
    head_name = next(n.input[1] for n in model.graph.node if n.name == "/lm_head/MatMul")
    init = next(i for i in model.graph.initializer if i.name == head_name)
    arr = onnx.numpy_helper.to_array(init).copy()
    arr[0, 0] += 1.0
    init.CopyFrom(onnx.numpy_helper.from_array(arr, head_name))
    onnx.save(model, tmp_path / "model.onnx")
    c = census_of(tmp_path / "model.onnx")
    assert c.layer("lm_head").tensors[0].counted
    assert c.parameters == reference("tiny-llama-tied")["parameters"] + arr.size


def test_histograms_sum_to_tensor_size_and_share_edges_across_blocks():
    c = census_of(FIXTURES / "tiny-llama")
    for t in c.tensors:
        if t.counted:
            assert t.stats.counts.sum() == t.count
    ups = [t for t in c.tensors if t.role == "mlp.up"]
    assert len(ups) == 2 and np.array_equal(ups[0].stats.edges, ups[1].stats.edges)
    for layer in c.layers:
        assert layer.stats["weight"].counts.sum() == layer.weights


def test_chunked_statistics_equal_numpy(monkeypatch):
    from inspector.model import tensors

    monkeypatch.setattr(tensors, "CHUNK", 1000)  # force many chunks
    c = take_census(load_model(FIXTURES / "tiny-gpt2"))
    compute_statistics(c)
    t = next(t for t in c.tensors if t.role == "embed.token")
    a = c.model.tensors[t.stored].array().astype(np.float64)
    s = t.stats.summary()
    assert s["count"] == a.size
    assert s["mean"] == pytest.approx(a.mean(), rel=1e-9, abs=1e-12)
    assert s["std"] == pytest.approx(a.std(), rel=1e-7)
    assert s["min"] == a.min() and s["max"] == a.max() and s["absmax"] == np.abs(a).max()
    assert s["l2"] == pytest.approx(np.linalg.norm(a), rel=1e-9)
    assert s["zero_fraction"] == np.mean(a == 0)
    edges = t.stats.edges
    assert np.array_equal(t.stats.counts, np.histogram(np.clip(a, edges[0], edges[-1]), edges)[0])


def test_external_data_is_read_in_place(tmp_path):
    model = onnx.load(FIXTURES / "tiny-llama" / "model.onnx")
    onnx.save_model(model, tmp_path / "model.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=0)
    c = census_of(tmp_path)
    assert c.stored.external_bytes > 0.9 * (tmp_path / "model.onnx_data").stat().st_size
    assert c.parameters == reference("tiny-llama")["parameters"]
    inline = census_of(FIXTURES / "tiny-llama")
    assert [t.stats.summary() for t in c.tensors] == [t.stats.summary() for t in inline.tensors]


def test_int4_matmulnbits_counts_logical_elements(tmp_path):
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    model = onnx.load(FIXTURES / "tiny-llama" / "model.onnx")
    q = MatMulNBitsQuantizer(model, block_size=16, is_symmetric=False)
    q.process()
    onnx.save(q.model.model, tmp_path / "model.onnx")
    c = census_of(tmp_path / "model.onnx")
    assert c.parameters == reference("tiny-llama")["parameters"]
    quantized = [t for t in c.tensors if t.quant]
    assert quantized and all(t.quant.op == "MatMulNBits" and t.quant.bits == 4 for t in quantized)
    assert c.stored.quant_aux_tensors > 0
    # dequantised values stay close to the float originals
    original = census_of(FIXTURES / "tiny-llama")
    qk = next(t for t in c.tensors if t.role == "attn.q" and t.index == 0)
    ok = next(t for t in original.tensors if t.role == "attn.q" and t.index == 0)
    assert qk.stats.summary()["std"] == pytest.approx(ok.stats.summary()["std"], rel=0.1)


def test_formula_matches_and_scales_to_published_models():
    for name in ("tiny-gpt2", "tiny-llama", "tiny-llama-tied"):
        c = census_of(FIXTURES / name)
        text, value = formula_for(c.architecture)
        assert value == c.parameters, name
    assert gpt2_parameters(12, 768, 50257, 1024) == 124_439_808  # GPT-2 small, as PyTorch counts it
    view = scale_view(1_000_000, census_of(FIXTURES / "tiny-gpt2").architecture)
    gpt3 = next(p for p in view["published"] if p["name"].startswith("GPT-3"))
    assert 174e9 < gpt3["parameters"] < 176e9
    assert view["memory_bytes"] == {"fp32": 4_000_000, "fp16": 2_000_000, "int8": 1_000_000, "int4": 500_000}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "inspector", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_stats_json_contract():
    r = run_cli("stats", FIXTURES / "tiny-llama", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    ref = reference("tiny-llama")
    assert (d["parameters"], d["weights"], d["biases"]) == (ref["parameters"], ref["weights"], ref["biases"])
    for k in ("family", "n_layer", "d_model", "n_head", "n_kv_head", "vocab_size", "tied_embeddings"):
        assert d["architecture"][k] == ref["architecture"][k]
    names = [layer["name"] for layer in d["layers"]]
    assert names[0] == "embeddings" and names[-1] == "lm_head" and "block 0" in names
    block0 = d["layers"][names.index("block 0")]
    assert block0["index"] == 0 and d["layers"][0]["index"] is None
    t = block0["tensors"][0]
    for k in ("name", "shape", "dtype", "kind", "role", "mean", "std", "min", "max", "absmax", "zero_fraction",
              "nan", "inf", "l2", "histogram"):
        assert k in t
    assert any(t["name"].startswith("onnx::MatMul_") for t in block0["tensors"])  # names verbatim
    assert sum(layer["weights"] for layer in d["layers"]) == d["weights"]


def test_stats_table_is_readable():
    r = run_cli("stats", SAMPLE)
    assert r.returncode == 0, r.stderr
    assert "parameters" in r.stdout and "block 3" in r.stdout and "GPT-3" in r.stdout


@pytest.mark.parametrize("name", ALL)
def test_lazy_parse_keeps_weights_in_the_file_and_agrees(name):
    lazy = load_model(FIXTURES / name, lazy=True)
    assert any(t.span is not None for t in lazy.tensors.values())
    assert not any(len(t.proto.raw_data) >= 4096 for t in lazy.tensors.values())
    a, b = take_census(lazy), take_census(load_model(FIXTURES / name, lazy=False))
    compute_statistics(a)
    compute_statistics(b)
    assert a.parameters == b.parameters and a.architecture == b.architecture
    assert [t.stats.summary() for t in a.tensors] == [t.stats.summary() for t in b.tensors]
    assert [list(t.stats.counts) for t in a.tensors if t.counted] == [list(t.stats.counts) for t in b.tensors if t.counted]


def released_ranges(monkeypatch):
    """Record every page release of memory-mapped tensor bytes: {file: [(start, end), …]}."""
    from inspector.model.tensors import ExternalFiles

    seen: dict = {}
    orig = ExternalFiles.release

    def spy(self, path, offset, length):
        seen.setdefault((path or self.model_path).resolve(), []).append((offset, offset + length))
        return orig(self, path, offset, length)

    monkeypatch.setattr(ExternalFiles, "release", spy)
    return seen


def covered(ranges, start: int, end: int) -> bool:
    pos = start
    for a, b in sorted(ranges):
        if a > pos:
            break
        pos = max(pos, b)
    return pos >= end


def test_statistics_give_back_every_mapped_byte_they_read(monkeypatch, tmp_path):
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    model = onnx.load(FIXTURES / "tiny-llama" / "model.onnx")
    q = MatMulNBitsQuantizer(model, block_size=16, is_symmetric=False)
    q.process()
    onnx.save(q.model.model, tmp_path / "model.onnx")
    for path in (FIXTURES / "tiny-gpt2", tmp_path / "model.onnx"):  # float chunks, and int4 rows
        seen = released_ranges(monkeypatch)
        c = take_census(load_model(path, lazy=True))
        compute_statistics(c)
        read = {t.stored for t in c.tensors}
        spans = [(name, ref.span) for name, ref in c.model.tensors.items() if ref.span is not None and name in read]
        assert spans and any(t.quant for t in c.tensors) == (path != FIXTURES / "tiny-gpt2")
        for name, span in spans:
            assert covered(seen[c.model.path.resolve()], span.offset, span.offset + span.length), name


def test_initializers_inside_subgraphs_count_once(tmp_path):
    """A weight kept in both branches of an If (as a merged decoder may) is one parameter, in its block."""
    from onnx import TensorProto, helper

    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    outer_b = onnx.numpy_helper.from_array(np.ones(4, np.float32), "model.layers.0.mlp.up_proj.bias")

    def branch(name):
        init = onnx.numpy_helper.from_array(w, "model.layers.0.mlp.up_proj.weight")
        nodes = [helper.make_node("MatMul", ["x", init.name], ["h"], name="/model/layers.0/mlp/up_proj/MatMul"),
                 helper.make_node("Add", ["h", outer_b.name], ["y_" + name], name="/model/layers.0/mlp/up_proj/Add")]
        return helper.make_graph(nodes, name, [], [helper.make_tensor_value_info("y_" + name, TensorProto.FLOAT,
                                                                                     [1, 4])], [init])

    node = helper.make_node("If", ["use_cache_branch"], ["y"], then_branch=branch("then"), else_branch=branch("else"))
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]),
                                        helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [outer_b])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), tmp_path / "m.onnx")
    c = census_of(tmp_path / "m.onnx")
    assert (c.parameters, c.weights, c.biases) == (12 + 4, 12, 4)
    up = [t for t in c.tensors if t.role == "mlp.up"]
    assert {(t.kind, t.layer) for t in up} == {("weight", "block 0"), ("bias", "block 0")}
    assert len(next(t for t in up if t.kind == "weight").nodes) == 1  # both branches' nodes share one name
