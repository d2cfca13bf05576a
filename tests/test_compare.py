"""Comparing models: weights against numpy on the dequantized values, tokens against plain onnxruntime logits,
a model against itself, the command line, the report and the variants' table."""

import json
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from inspector.compare.advice import advise
from inspector.compare.reading import TextChoice
from inspector.compare.run import compare
from inspector.compare.tokens import kl_rows
from inspector.compare.variants import compare_variants
from inspector.errors import GenerationError

from .conftest import FIXTURES, ROOT, SAMPLE
from .ort_loop import plain_greedy, plain_logits
from .test_compare_drift import wilson_by_quadratic

QL = FIXTURES / "quant-llama" / "onnx"
PROMPT = [5, 17, 33, 2]


def inits(path) -> dict:
    return {t.name: t for t in onnx.load(path).graph.initializer}


def rel_l2(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.linalg.norm(b - a) / np.linalg.norm(a))


def nbits_weight(path, name: str) -> np.ndarray:
    """A MatMulNBits weight as onnxruntime's own kernel sees it: the node run on the identity matrix."""
    model = onnx.load(path)
    node = next(n for n in model.graph.node if n.op_type == "MatMulNBits" and n.input[1] == name)
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    k, n = attrs["K"], attrs["N"]
    used = [i for i in node.input[1:] if i]
    graph = helper.make_graph(
        [helper.make_node("MatMulNBits", ["A", *node.input[1:]], ["Y"], domain="com.microsoft", **attrs)], "g",
        [helper.make_tensor_value_info("A", onnx.TensorProto.FLOAT, [k, k])],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, [k, n])],
        [t for t in model.graph.initializer if t.name in used])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                          ir_version=10)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"A": np.eye(k, dtype=np.float32)})[0]


def weight_of(path, t_name: str, stored: dict) -> np.ndarray:
    if t_name.endswith("_Q4"):
        return nbits_weight(path, t_name)
    if t_name.endswith("_quantized"):  # dynamic int8: (q - zero point) · scale, per tensor
        base = t_name[:-len("_quantized")]
        q = numpy_helper.to_array(stored[t_name]).astype(np.float64)
        zp = numpy_helper.to_array(stored[base + "_zero_point"]).astype(np.float64)
        return (q - zp) * numpy_helper.to_array(stored[base + "_scale"]).astype(np.float64)
    return numpy_helper.to_array(stored[t_name]).astype(np.float64)


@pytest.mark.parametrize("b_file", ["model_q4.onnx", "model_quantized.onnx"])
def test_quantized_weights_match_numpy_on_dequantized_values(b_file):
    c = compare(QL / "model.onnx", QL / b_file)
    a_init, b_init = inits(QL / "model.onnx"), inits(QL / b_file)
    checked = 0
    for t in c.weights.tensors:
        if t.name_b not in b_init or t.name_a not in a_init:
            continue
        a = numpy_helper.to_array(a_init[t.name_a]).astype(np.float64)
        b = weight_of(QL / b_file, t.name_b, b_init).reshape(a.shape)
        assert t.rel_l2 == pytest.approx(rel_l2(a, b), rel=1e-6)
        assert t.max_abs == pytest.approx(float(np.abs(b - a).max()), rel=1e-5)  # float32 dequantized values
        checked += 1
    assert checked >= 8 and not c.weights.unmatched
    assert all(t.scheme_b != "fp32" for t in c.weights.tensors if t.kind == "weight" and len(t.shape) == 2
               and t.layer.startswith("block"))


def test_fp16_weights_match_numpy():
    folder = FIXTURES / "tjs-qwen2" / "onnx"
    c = compare(folder / "model.onnx", folder / "model_fp16.onnx")
    import onnx.external_data_helper  # noqa: F401 - the float file keeps its weights outside

    a_model = onnx.load(folder / "model.onnx")
    a_init = {t.name: t for t in a_model.graph.initializer}
    b_init = inits(folder / "model_fp16.onnx")
    same = [t for t in c.weights.tensors if t.name_a in a_init and t.name_b in b_init]
    assert len(same) >= 10 and not c.weights.unmatched
    for t in same:
        a = numpy_helper.to_array(a_init[t.name_a]).astype(np.float64)
        b = numpy_helper.to_array(b_init[t.name_b]).astype(np.float64)
        assert t.rel_l2 == pytest.approx(rel_l2(a, b), rel=1e-6, abs=1e-12)
        assert 0 < t.rel_l2 < 1e-3 or np.all(a == b)  # fp16 rounding, nothing more


def test_a_perturbed_copy_ranks_the_changed_layer_first(tmp_path):
    model = onnx.load(FIXTURES / "tiny-llama" / "model.onnx")
    target = next(t for t in model.graph.initializer if t.name == "model.layers.1.post_attention_layernorm.weight")
    a = numpy_helper.to_array(target)
    noise = np.random.default_rng(0).normal(0, 0.05, a.shape).astype(np.float32)
    target.CopyFrom(numpy_helper.from_array(a + noise, target.name))
    folder = tmp_path / "perturbed"
    shutil.copytree(FIXTURES / "tiny-llama", folder)
    onnx.save(model, folder / "model.onnx")
    c = compare(FIXTURES / "tiny-llama", folder, prompt=PROMPT, max_new_tokens=8)
    top = c.weights.layers[0]
    assert top.name == "block 1" and top.tensors and all(x.rel_l2 == 0 for x in c.weights.layers[1:])
    changed = [t for t in c.weights.tensors if t.rel_l2]
    assert [t.name_a for t in changed] == ["model.layers.1.post_attention_layernorm.weight"]
    assert changed[0].rel_l2 == pytest.approx(float(np.linalg.norm(noise) / np.linalg.norm(a)), rel=1e-6)
    assert c.tokens.kl_mean > 0


@pytest.mark.parametrize("a_path,b_path", [(QL / "model.onnx", QL / "model_q4.onnx"),
                                           (QL / "model.onnx", QL / "model_quantized.onnx"),
                                           (FIXTURES / "tjs-qwen2" / "onnx" / "model.onnx",
                                            FIXTURES / "tjs-qwen2" / "onnx" / "model_fp16.onnx")])
def test_kl_per_position_equals_plain_onnxruntime(a_path, b_path):
    c = compare(a_path, b_path, prompt=PROMPT, max_new_tokens=10, text=TextChoice(None, 130))
    t = c.tokens
    assert t.ids == plain_greedy(a_path, PROMPT, 10)
    seq = PROMPT + t.ids
    la = plain_logits(a_path, seq)[len(PROMPT) - 1:-1]
    lb = plain_logits(b_path, seq)[len(PROMPT) - 1:-1]
    want = kl_rows(la, lb)
    np.testing.assert_allclose(t.kl, want, atol=1e-5)
    assert t.top1_agree == (la.argmax(-1) == lb.argmax(-1)).tolist()
    p = np.exp(lb - lb.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(t.prob_b, p[np.arange(len(t.ids)), t.ids], atol=1e-5)
    assert t.kl_mean == pytest.approx(float(np.mean(want)), abs=1e-5)
    assert t.kl_p99 == pytest.approx(float(np.percentile(want, 99)), abs=1e-5)
    d = c.as_dict()["tokens"]  # llama.cpp's figures: numpy's percentiles, the Wilson interval, RMS of Δp
    for key, value in (("kl_median", np.median(want)), ("kl_p999", np.percentile(want, 99.9)), ("kl_max", want.max())):
        assert d[key] == pytest.approx(float(value), abs=1e-5), key
    pa = np.exp(la - la.max(-1, keepdims=True))
    pa /= pa.sum(-1, keepdims=True)
    rows = np.arange(len(t.ids))
    assert d["delta_p_rms"] == pytest.approx(float(np.sqrt(np.mean((p[rows, t.ids] - pa[rows, t.ids]) ** 2))), abs=1e-5)
    agree = int(np.sum(la.argmax(-1) == lb.argmax(-1)))
    assert d["top1_ci95"] == pytest.approx(list(wilson_by_quadratic(agree, len(t.ids))), abs=1e-12)
    assert c.drift is not None and len(c.drift.blocks) == 2 and c.text is not None


def test_a_model_against_itself():
    c = compare(SAMPLE, SAMPLE, prompt="The meaning of life is", max_new_tokens=12)
    assert all(t.rel_l2 == 0 and t.max_abs == 0 and t.cosine == pytest.approx(1.0) for t in c.weights.tensors)
    assert c.tokens.kl_mean == 0 and c.tokens.top1_agreement == 1.0 and c.tokens.first_divergence is None
    assert c.tokens.kl_p99 == 0 and not c.weights.unmatched


def test_different_models_list_what_does_not_match():
    c = compare(FIXTURES / "tiny-llama", FIXTURES / "tiny-gpt2")
    sides = {u["side"] for u in c.weights.unmatched}
    assert sides == {"A", "B"}
    assert any("only in" in str(u["why"]) or "shapes differ" in str(u["why"]) for u in c.weights.unmatched)


def test_vocabularies_that_differ_are_refused_in_one_line(tmp_path):
    from inspector.compare.tokens import compare_tokens
    from inspector.engine import Generator

    a, b = Generator(FIXTURES / "tiny-llama"), Generator(FIXTURES / "tiny-llama")
    b.io.vocab_size = 4096
    with pytest.raises(GenerationError, match="vocabularies differ"):
        compare_tokens(a, b, PROMPT, 3)


def test_every_variant_of_a_folder():
    rows = compare_variants(FIXTURES / "quant-llama", PROMPT, 8, text=TextChoice(None, 200))
    assert [r.file for r in rows][0] == "onnx/model.onnx" and rows[0].reference
    assert rows[0].kl_mean == 0 and rows[0].top1_agreement == 1.0
    by = {r.file: r for r in rows}
    assert set(by) == {"onnx/model.onnx", "onnx/model_qdq.onnx", "onnx/model_quantized.onnx", "onnx/model_uint8.onnx",
                       "onnx/model_q4.onnx", "onnx/model_q4f16.onnx", "onnx/model_bnb4.onnx"}
    assert all(r.error is None and r.kl_mean >= 0 and r.tokens_per_s > 0 for r in rows)
    assert by["onnx/model_q4.onnx"].bits_per_parameter < 20 and by["onnx/model_quantized.onnx"].bits_per_parameter < 9
    # ranked by quality per byte: the files nothing beats on both size and KL first, then the dominated ones
    assert rows[0].rank == 1 and sorted(r.rank for r in rows) == list(range(1, 8))
    for r in rows:
        if r.dominated_by:
            d = by[r.dominated_by]
            assert d.bytes <= r.bytes and d.kl_mean <= r.kl_mean and not d.dominated_by
            assert all(o.rank < r.rank for o in rows if not o.dominated_by)
    assert by["onnx/model_qdq.onnx"].dominated_by and not any(r.flag for r in rows)  # every 8- and 4-bit file is
    assert all(r.text["tokens"] == 199 and r.scores["top1_ci95"] for r in rows)
    assert rows[0].text["ppl_ratio"] == 1 and rows[0].drift is None
    assert all(len(r.drift) == 2 and r.drift_peak for r in rows[1:])
    a = advise(rows)
    small = min(r.bytes for r in rows if r.kl_mean <= a.max_kl)
    assert by[a.take].bytes <= small * 1.01 and by[a.take].kl_mean <= a.max_kl
    assert a.text.startswith(f"Take {a.take}: ") and "smaller than onnx/model.onnx" in a.text
    assert a.avoid == "onnx/model_qdq.onnx" and "Avoid onnx/model_qdq.onnx: mean KL" in a.text
    assert advise(rows, budget=999).text.startswith("No file fits 999 B: the smallest, ")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_compare_json_contract():
    r = run_cli("compare", str(QL / "model.onnx"), str(QL / "model_q4.onnx"), "--prompt-ids", "5,17,33,2",
                "--max-new-tokens", "6", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"name", "rel_l2", "max_abs", "cosine"} <= set(d["layers"][0])
    assert d["layers"] == sorted(d["layers"], key=lambda x: -x["rel_l2"])
    assert {"name_a", "name_b", "rel_l2", "max_abs", "cosine", "bits_per_parameter_b"} <= set(d["tensors"][0])
    assert d["unmatched"] == []
    t = d["tokens"]
    assert len(t["ids"]) == len(t["kl"]) == len(t["top1_agree"]) == len(t["prob_a"]) == 6
    assert all(isinstance(x, bool) for x in t["top1_agree"])
    assert t["kl_mean"] == pytest.approx(np.mean(t["kl"])) and 0 <= t["top1_agreement"] <= 1
    assert {"kl_median", "kl_p99", "kl_p999", "kl_max", "delta_p_rms"} <= set(t) and len(t["top1_ci95"]) == 2
    assert [x["block"] for x in d["drift"]] == [0, 1] and d["drift_positions"] == 6
    assert {"rel_l2", "input_rel_l2", "attn_rel_l2", "growth", "attn_growth", "mlp_growth", "rank"} <= set(d["drift"][0])
    assert d["text"]["file"] is None and d["text"]["tokens"] > 100 and d["text"]["ppl_ratio"] > 0
    weights_only = json.loads(run_cli("compare", str(QL / "model.onnx"), str(QL / "model_q4.onnx"), "--json").stdout)
    assert weights_only["tokens"] is None and weights_only["drift"] is None and weights_only["text"] is None


def test_compare_text_and_variants_and_errors():
    r = run_cli("compare", str(SAMPLE), "--variants", "--max-new-tokens", "6", "--text-tokens", "300", "--budget",
                "2MB")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "mean KL" in lines[0] and "PPL B/A" in lines[0] and "reference" in lines[1]
    assert [line.split()[0] for line in lines[1:4]] == ["model.onnx", "model_fp16.onnx", "model_quantized.onnx"]
    assert lines[4].startswith("Take model_quantized.onnx for 2 MB: 3.36× smaller than model.onnx") and len(lines) == 5
    text = run_cli("compare", str(QL / "model.onnx"), str(QL / "model_bnb4.onnx"), "--prompt", "The meaning of",
                   "--no-text")
    assert text.returncode == 0 and "most changed first" in text.stdout and "top-1 agreement" in text.stdout
    for bad in (["compare", str(SAMPLE)], ["compare", str(SAMPLE), str(SAMPLE), "--variants"],
                ["compare", str(SAMPLE), str(ROOT / "README.md")],
                ["compare", str(SAMPLE), "--variants", "--budget", "lots"],
                ["compare", str(SAMPLE), str(SAMPLE), "--text", str(ROOT / "no-such-text.txt")]):
        r = run_cli(*bad)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_report_with_a_comparison(tmp_path):
    out = tmp_path / "r.md"
    r = run_cli("report", str(QL / "model.onnx"), "-o", str(out), "--compare", str(QL / "model_q4.onnx"),
                "--prompt-ids", "5,17,33,2", "--max-new-tokens", "6")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "## Comparison with" in text and "most changed first" in text and "top-1 agreement" in text
    assert (tmp_path / "r_files" / "compare_kl.png").stat().st_size > 1000
    assert (tmp_path / "r_files" / "compare_drift.png").stat().st_size > 1000 and "llama.cpp" in text
    j = tmp_path / "r.json"
    run_cli("report", str(QL / "model.onnx"), "-o", str(j), "--compare", str(QL / "model_q4.onnx"))
    d = json.loads(j.read_text())
    assert d["comparison"]["tokens"] is None and len(d["comparison"]["tensors"]) == 21
