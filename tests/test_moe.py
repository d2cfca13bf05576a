"""Mixtures of experts and the genai builds with sliding windows (issue 22): exact counts, the active parameters,
each family's formula, lost experts named, the experts each step used equal to PyTorch's routers', and shared
past/present buffers that generate the reference ids past the window."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.engine.cli import print_experts
from inspector.engine.model_io import shared_capacities
from inspector.model import load_model, take_census
from inspector.model.families import family
from inspector.model.moe import moe_of
from inspector.model.routing import Routing
from inspector.stats.scale import formula_for, scale_view

from .conftest import FIXTURES, ROOT, reference

# folder -> what the census must say besides PyTorch's reference
LOST = "tiny-deepseek-v3-lost"  # exported on one token: the tracer reached only the experts that token used
MOE = ["tiny-gpt-oss", "tiny-qwen3-moe", "tiny-deepseek-v3", "genai-gpt-oss", LOST]
GENAI_WINDOW = ["genai-gpt-oss", "genai-gemma2"]  # a sliding window of 32, read 60 tokens past the prompt


@pytest.fixture(scope="module")
def censuses():
    return {name: take_census(load_model(FIXTURES / name)) for name in MOE}


@pytest.mark.parametrize("name", MOE)
def test_moe_counts_formula_and_active_parameters(name, censuses):
    ref, c = reference(name), censuses[name]
    a = c.architecture
    if name != LOST:
        assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    assert a.family == ref["architecture"]["family"]
    assert a.config_checks == []  # no false disagreement (an expert's width, MLA's head sizes)
    text, value = formula_for(a)
    assert value == ref["parameters"] and text == family(a.family).formula_text  # the trained model's count
    moe = moe_of(c)
    want = ref["moe"]
    assert (moe.experts, moe.experts_per_token, moe.shared_experts) == (
        want["experts"], want["experts_per_token"], want["shared_experts"])
    assert [layer.block for layer in moe.layers] == want["layers"]
    if not any(layer.missing for layer in moe.layers):  # a file that lost experts uses fewer
        assert moe.active_parameters == want["active_parameters"]
    assert "other" not in {t.role for t in c.tensors}


def test_roles_of_experts_sinks_and_latent_attention(censuses):
    oss = censuses["tiny-gpt-oss"].layer("block 0")
    assert {"moe.router", "moe.experts.gate_up", "moe.experts.down", "attn.sinks"} <= {t.role for t in oss.tensors}
    biases = {t.role for t in oss.tensors if t.kind == "bias"}
    assert {"moe.experts.gate_up", "moe.experts.down", "moe.router"} <= biases  # the folded [E, 1, N] biases
    qwen = censuses["tiny-qwen3-moe"]
    experts = {t.expert for t in qwen.tensors if t.role.startswith("moe.experts") and t.index == 0}
    assert experts == set(range(8))  # one module per expert, each tensor its expert
    assert qwen.architecture.moe_ffn_dim == 32 and qwen.architecture.ffn_dim is None
    ds = censuses["tiny-deepseek-v3"]
    a = ds.architecture
    assert (a.q_lora_rank, a.kv_lora_rank, a.qk_rope_head_dim, a.v_head_dim, a.head_dim) == (24, 16, 8, 8, 16)
    assert {"moe.shared.gate", "moe.shared.up", "moe.shared.down", "attn.kv_a", "attn.kv_b"} <= {
        t.role for t in ds.tensors}
    assert not any("e_score_correction_bias" in t.name for t in ds.tensors)  # a buffer, not a parameter
    kv = scale_view(ds.parameters, a)["kv_cache_bytes_per_token"]
    assert kv["latent"] and kv["fp32"] == 4 * a.n_layer * (16 + 8)  # MLA's compressed cache per token


def test_lost_experts_are_named(censuses):
    ref, c = reference(LOST), censuses[LOST]
    moe = moe_of(c)
    lost = [layer for layer in moe.layers if layer.missing]
    assert lost, "the fixture's export holds every expert"
    assert [w["layer"] for w in moe.warnings] == [f"block {layer.block}" for layer in lost]
    assert all("not the trained model" in str(w["text"]) for w in moe.warnings)  # a Message: str() is its English
    held = {(t.index, t.expert) for t in c.tensors if t.expert is not None}
    for layer in lost:
        assert not {(layer.block, e) for e in layer.missing} & held
    assert ref["parameters"] - c.parameters == sum(len(layer.missing) * layer.per_expert for layer in lost)
    out = subprocess.run([sys.executable, "-m", "inspector", "stats", str(FIXTURES / LOST), "--counts-only"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert f"block {lost[0].block} holds" in out and "not the trained model" in out


@pytest.mark.parametrize("name", MOE)
def test_each_steps_experts_are_pytorchs(name):
    """The experts chosen at every greedy step equal what PyTorch's routers chose (hooks at build time), and the
    weights agree.  A file that lost experts routes its first MoE block's first token as PyTorch does (its input is
    untouched by the loss); after that its hidden states are not the model's."""
    ref = reference(name)
    gen = Generator(FIXTURES / name, provider="cpu")
    n = len(ref["moe"]["routing"])
    result = gen.generate(ref["prompt"], GenerationConfig(max_new_tokens=n, stop_at_eos=False))
    pairs = list(zip(result.steps, ref["moe"]["routing"]))
    if name == LOST:
        pairs = [(result.steps[0], ref["moe"]["routing"][0][:1])]
    for step, want in pairs:
        assert [[e for e, _w in layer] for layer in step.experts[:len(want)]] == \
            [[e for e, _w in layer] for layer in want]
        for layer, want_layer in zip(step.experts, want):
            assert [w for _e, w in layer] == pytest.approx([w for _e, w in want_layer], rel=1e-3, abs=1e-5)
    if name != LOST:
        assert result.new_ids == ref["greedy_ids"][:n]
    load = result.expert_load()
    k = ref["moe"]["experts_per_token"]
    assert load.shape == (len(ref["moe"]["layers"]), ref["moe"]["experts"]) and (load.sum(axis=1) == n * k).all()
    out = io.StringIO()
    print_experts(result, out)  # generate's text mode: a line per MoE block under the heading
    lines = out.getvalue().splitlines()
    assert lines[0] == f"experts chosen over {n} steps ({ref['moe']['experts']} experts per block):"
    assert len(lines) == 1 + len(ref["moe"]["layers"])


def test_generate_json_has_each_steps_experts():
    name = "tiny-qwen3-moe"
    ref = reference(name)
    out = subprocess.run([sys.executable, "-m", "inspector", "generate", str(FIXTURES / name), "--prompt", ref["prompt"],
                          "--max-new-tokens", "4", "--json", "--provider", "cpu"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    d = json.loads(out)
    assert d["moe"]["layers"] == ref["moe"]["layers"] and d["moe"]["experts"] == ref["moe"]["experts"]
    for step, want in zip(d["steps"], ref["moe"]["routing"]):
        assert [[e for e, _w in layer] for layer in step["experts"]] == [[e for e, _w in layer] for layer in want]
    assert np.array(d["moe"]["load"]).sum() == 4 * 2 * len(ref["moe"]["layers"])
    dense = subprocess.run([sys.executable, "-m", "inspector", "generate", str(FIXTURES / "tiny-llama"),
                            "--prompt-ids", "1,2,3", "--max-new-tokens", "2", "--json", "--provider", "cpu"],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert json.loads(dense)["moe"] is None and "experts" not in json.loads(dense)["steps"][0]


@pytest.mark.parametrize("binding", [True, False], ids=["shared-buffer", "host-arrays"])
@pytest.mark.parametrize("name", GENAI_WINDOW)
def test_genai_sliding_window_builds_generate_past_the_window(name, binding):
    """genai_config.json's past_present_share_buffer: a preallocated cache (max_length; the sliding layers'
    window), written in place by IO binding or handed back as arrays: PyTorch's ids and onnxruntime-genai's own,
    60 tokens past a window of 32."""
    ref = reference(name)
    gen = Generator(FIXTURES / name, provider="cpu", io_binding=binding)
    assert gen.io.shared and set(gen.io.capacity.values()) == {32, 128}
    result = gen.generate(ref["prompt_ids"], GenerationConfig(max_new_tokens=len(ref["greedy_ids"]), stop_at_eos=False))
    assert result.new_ids[:len(ref["genai_greedy_ids"])] == ref["genai_greedy_ids"]  # genai stops at end-of-text
    assert len(ref["greedy_ids"]) > 32 + 10 and result.new_ids == ref["greedy_ids"]


@pytest.mark.parametrize("name", ["genai-gemma2", "genai-gemma2-int4", "genai-qwen3"])
def test_genai_builds_of_the_newer_families(name):
    """onnxruntime-genai's builds of Gemma 2 (fp32, int4) and Qwen3 count as PyTorch does and generate what
    onnxruntime-genai itself generates (PyTorch's ids for the float files)."""
    ref = reference(name)
    c = take_census(load_model(FIXTURES / name))
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    assert c.architecture.family == ref["architecture"]["family"] and c.architecture.config_checks == []
    if family(c.architecture.family) is not None:  # the dense families' entries are i22-families'
        assert formula_for(c.architecture)[1] == c.parameters
    result = Generator(FIXTURES / name, provider="cpu").generate(
        ref["prompt_ids"], GenerationConfig(max_new_tokens=len(ref["greedy_ids"]), stop_at_eos=False))
    genai = ref["genai_greedy_ids"]  # onnxruntime-genai stops at end-of-text; PyTorch's loop runs on past it
    assert result.new_ids[:len(genai)] == genai
    if not name.endswith("int4"):
        assert result.new_ids == ref["greedy_ids"]


def test_inside_reads_the_lens_of_a_genai_build():
    ref = reference("genai-gpt-oss")
    gen = Generator(FIXTURES / "genai-gpt-oss", provider="cpu")
    result = gen.generate(ref["prompt_ids"], GenerationConfig(max_new_tokens=40, stop_at_eos=False, inside=True))
    assert result.new_ids == ref["greedy_ids"][:40]
    assert "GroupQueryAttention" in str(result.inside_note)  # a Message: str() is its English
    assert all(s.lens and s.lens[0] and s.attention is None and s.experts for s in result.steps)


def test_shared_capacities_follow_genai_config():
    past = [("k0", "v0"), ("k1", "v1"), ("k2", "v2")]
    cfg = {"search": {"past_present_share_buffer": True, "max_length": 100},
           "model": {"decoder": {"sliding_window": {"window_size": 16, "layers": [0, 2], "cache_slack": 4}}}}
    assert shared_capacities(cfg, past, None) == {"k0": 20, "v0": 20, "k1": 100, "v1": 100, "k2": 20, "v2": 20}
    assert shared_capacities({**cfg, "search": {"past_present_share_buffer": False}}, past, 100) == {}
    assert shared_capacities(None, past, 100) == {}


def test_routing_rules():
    logits = np.array([0.1, 2.0, -1.0, 1.5, 0.3, 1.9, -0.2, 0.0])
    p = np.exp(logits) / np.exp(logits).sum()
    plain = Routing("softmax_topk", 2).choose(logits)
    assert [e for e, _ in plain] == [1, 5] and [w for _, w in plain] == pytest.approx([p[1], p[5]])
    renorm = Routing("softmax_topk", 2, normalize=True).choose(logits)
    oss = Routing("topk_softmax", 2).choose(logits)
    assert [w for _, w in renorm] == pytest.approx([w for _, w in oss])  # gpt-oss's order of operations
    bias = (0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0)  # pushes expert 4's group (4..7) to be the one chosen
    ds = Routing("sigmoid_groups", 2, normalize=True, groups=2, topk_groups=1, scale=2.5, bias=bias).choose(logits)
    assert {e for e, _ in ds} == {4, 5}
    s = 1 / (1 + np.exp(-logits[[4, 5]]))
    assert sorted(w for _, w in ds) == pytest.approx(sorted(2.5 * s / s.sum()))


@pytest.mark.parametrize("block", [0, 16], ids=["per-channel", "block-16"])
def test_qmoe_experts_are_counted_and_dequantized_as_onnxruntime_runs_them(tmp_path, block):
    """A QMoE node with int4 experts (onnxruntime's own kernel) against a float MoE node fed the values the inspector
    dequantizes: the same output, so the census reads what the kernel computes."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from inspector.model.dequantize import values

    rng = np.random.default_rng(0)
    E, d, ff, k = 4, 32, 32, 2
    nb = (d // block) if block else 1

    def packed(n, kk):
        return rng.integers(0, 256, size=(E, n, kk // 2), dtype=np.uint8)

    w1, w2 = packed(ff, d), packed(d, ff)
    s1 = rng.uniform(0.01, 0.05, size=(E, ff, nb) if block else (E, ff)).astype(np.float32)
    s2 = rng.uniform(0.01, 0.05, size=(E, d, ff // block) if block else (E, d)).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in
             [(w1, "model.layers.0.moe.experts.up_proj.weight"), (s1, "s1"),
              (w2, "model.layers.0.moe.experts.down_proj.weight"), (s2, "s2")]]
    attrs = dict(k=k, activation_type="relu", expert_weight_bits=4, normalize_routing_weights=1)
    if block:
        attrs["block_size"] = block
    node = helper.make_node("QMoE", ["x", "router", inits[0].name, "s1", "", inits[2].name, "s2"], ["y"],
                            name="/model/layers.0/moe/QMoE", domain="com.microsoft", **attrs)
    io = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, d]),
          helper.make_tensor_value_info("router", TensorProto.FLOAT, [3, E])]
    out = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, d])]
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    qmodel = helper.make_model(helper.make_graph([node], "qmoe", io, out, inits), opset_imports=opsets, ir_version=9)
    path = tmp_path / "qmoe.onnx"
    path.write_bytes(qmodel.SerializeToString())
    c = take_census(load_model(path))
    experts = {t.role: t for t in c.tensors}
    assert set(experts) == {"moe.experts.gate_up", "moe.experts.down"}
    assert experts["moe.experts.gate_up"].count == E * ff * d and experts["moe.experts.down"].count == E * d * ff
    assert c.parameters == 2 * E * ff * d and all(t.quant.layout == "moe_blocks" for t in c.tensors)
    fc1 = values(c.model, c.model.tensors[inits[0].name], experts["moe.experts.gate_up"].quant).full()
    fc2 = values(c.model, c.model.tensors[inits[2].name], experts["moe.experts.down"].quant).full()
    fnode = helper.make_node("MoE", ["x", "router", "w1", "", "w2"], ["y"], domain="com.microsoft",
                             k=k, activation_type="relu", normalize_routing_weights=1)
    fmodel = helper.make_model(helper.make_graph(
        [fnode], "moe", io, out, [numpy_helper.from_array(fc1.astype(np.float32), "w1"),
                                  numpy_helper.from_array(fc2.astype(np.float32), "w2")]), opset_imports=opsets, ir_version=9)
    feeds = {"x": rng.standard_normal((3, d)).astype(np.float32), "router": rng.standard_normal((3, E)).astype(np.float32)}
    run = lambda m: ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    np.testing.assert_allclose(run(fmodel), run(qmodel), rtol=1e-3, atol=1e-3)


def test_reports_say_the_active_count_and_the_lost_experts(censuses, tmp_path):
    from inspector.report.content import build_report
    from inspector.report.formats import export
    from inspector.stats import compute_statistics

    c = censuses[LOST]
    compute_statistics(c)  # every tensor read (the experts' stacked and per-expert ones), histograms shared
    rc = build_report(c)
    moe = moe_of(c)
    for suffix in ("html", "md"):
        text = export(rc, tmp_path / f"r.{suffix}").read_text()
        assert f"{moe.active_parameters:,} used per token" in text
        assert text.count("not the trained model") == len(moe.warnings)
    zh = export(build_report(c, lang="zh"), tmp_path / "z.md").read_text()
    assert "不是训练好的模型" in zh and f"每个词元使用 {moe.active_parameters:,} 个" in zh
    d = json.loads(export(rc, tmp_path / "r.json").read_text())
    assert d["moe"]["active_parameters"] == moe.active_parameters and d["moe"]["warnings"][0]["missing"]
    assert "not the trained model" in d["moe"]["warnings"][0]["text"]  # the JSON keeps the English
