"""Every common family, as the hubs ship it: exact counts, the family named, its formula, its greedy ids."""

import functools
import json
import re
import shutil

import numpy as np
import pytest

from inspector.engine import Generator
from inspector.json_output import finite_only
from inspector.model import load_model, take_census
from inspector.model.census import CONSTANT_NORMS_NOTE, NOT_A_NORM_PARAMETER
from inspector.model.families import FAMILIES, family
from inspector.stats.scale import formula_for

from .conftest import FAMILIES as FAMILY_FIXTURES
from .conftest import FIXTURES, GENAI, LAYOUTS, greedy_config, reference
from .ort_loop import plain_greedy

ARCH_FIELDS = ("n_layer", "d_model", "n_head", "n_kv_head", "head_dim", "vocab_size", "context_length",
               "tied_embeddings")
BLOCK_RE = re.compile(r"\.(?:h|layers|blocks)\.(\d+)\.")


@functools.lru_cache(maxsize=None)
def _fixture_census(path):
    return take_census(load_model(path))


def census_of(path):
    """A fixture's census is taken once for the module (the tests read it, none changes it)."""
    return _fixture_census(path) if path.parent == FIXTURES else take_census(load_model(path))


@pytest.mark.parametrize("name", LAYOUTS)
def test_count_family_formula_and_architecture(name):
    ref = reference(name)
    c = census_of(FIXTURES / name)
    a = c.architecture
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    assert a.family == ref["architecture"]["family"]
    for f in ARCH_FIELDS:
        assert getattr(a, f) == ref["architecture"][f], f
    assert a.config_checks == []
    text, value = formula_for(a)
    assert value == c.parameters and text == family(a.family).formula_text
    blocks = sorted(layer.index for layer in c.layers if layer.index is not None)
    assert blocks == list(range(ref["architecture"]["n_layer"]))  # no phantom block


@pytest.mark.parametrize("name", LAYOUTS)
def test_each_block_holds_what_pytorch_puts_in_it(name):
    ref = reference(name)
    c = census_of(FIXTURES / name)
    per_block: dict[int, int] = {}
    for pname, shape in ref["parameter_names"].items():
        if m := BLOCK_RE.search(pname):
            per_block[int(m.group(1))] = per_block.get(int(m.group(1)), 0) + int(np.prod(shape))
    assert {layer.index: layer.parameters for layer in c.layers if layer.index is not None} == per_block
    roles = {t.role for t in c.layer("block 0").tensors}
    assert "other" not in roles and "norm" not in roles, roles


def test_fused_projections_have_their_own_roles():
    phi3 = census_of(FIXTURES / "tiny-phi3").layer("block 0")
    assert {"attn.qkv", "mlp.gate_up", "attn.out", "mlp.down", "norm.attn", "norm.mlp"} == {t.role for t in phi3.tensors}
    neox = census_of(FIXTURES / "tiny-gpt-neox").layer("block 1")
    assert {"attn.qkv", "attn.out", "mlp.up", "mlp.down", "norm.attn", "norm.mlp"} == {t.role for t in neox.tensors}
    assert {t.role for t in neox.tensors if t.kind == "bias"} == {"attn.qkv", "attn.out", "mlp.up", "mlp.down",
                                                                   "norm.attn", "norm.mlp"}
    qwen2 = census_of(FIXTURES / "tjs-qwen2").layer("block 0")
    assert {t.role for t in qwen2.tensors if t.kind == "bias"} == {"attn.q", "attn.k", "attn.v"}
    genai = census_of(FIXTURES / "genai-qwen2").layer("block 0")
    assert {t.role for t in genai.tensors if t.kind == "bias"} == {"attn.qkv"}


def test_opt_positions_start_two_rows_in():
    c = census_of(FIXTURES / "tiny-opt")
    pos = next(t for t in c.tensors if t.role == "embed.position")
    assert pos.shape[0] == 128 + 2 and c.architecture.context_length == 128
    assert c.architecture.context_source == "graph"


@pytest.mark.parametrize("name", GENAI)
def test_genai_builds_read_heads_and_context_from_the_graph(name, tmp_path):
    """GroupQueryAttention's attributes give the heads, the rotary cache the context: no config needed."""
    ref = reference(name)
    bare = tmp_path / name
    bare.mkdir()
    for f in ("model.onnx", "model.onnx.data"):
        shutil.copy(FIXTURES / name / f, bare / f)
    c = census_of(bare)
    a = c.architecture
    assert a.fused_attention == "GroupQueryAttention" and a.family_source == "graph"
    for f in ARCH_FIELDS:
        assert getattr(a, f) == ref["architecture"][f], f
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    assert [layer.name for layer in c.layers][-2:] == ["final_norm", "lm_head"]
    assert "block 2" not in {row.layer for row in c.node_rows}  # the builder's final norm is not a block


GRAPH_NAMES = {"tiny-gpt2": "gpt2", "tiny-gpt-neox": "gpt_neox", "tiny-opt": "opt", "tiny-llama": "llama",
               "tiny-mistral": "llama", "tjs-qwen2": "qwen2", "tiny-phi3": "phi3", "tiny-gemma": "gemma",
               "tiny-arcee": "arcee", "tiny-bloom": "bloom", "tiny-codegen": "codegen", "tiny-cohere": "cohere",
               "tiny-gemma2": "gemma2", "tiny-gemma3": "gemma3_text", "tiny-glm": "glm",
               "tiny-gpt-bigcode": "gpt_bigcode", "tiny-gpt-neo": "gpt_neo", "tiny-gptj": "gptj", "tiny-mpt": "mpt",
               "tiny-nemotron": "nemotron",
               "tiny-olmo": "olmo", "tiny-olmo2": "olmo2", "tiny-phi": "phi", "tiny-qwen3": "qwen3",
               "tiny-stablelm": "stablelm", "tiny-falcon": "falcon", "tiny-falcon-new": "falcon",
               # Llama's structure under other names: only config.json tells them apart
               "tiny-granite": "llama", "tiny-helium": "llama", "tiny-smollm3": "llama", "tiny-llama3": "llama"}


@pytest.mark.parametrize("name", list(FAMILY_FIXTURES))
def test_graph_alone_tells_the_structure(name, tmp_path):
    """Without config.json the graph names what it can tell apart (a Mistral export reads as Llama)."""
    src = next((FIXTURES / name).rglob("model.onnx"))
    bare = tmp_path / "bare"
    bare.mkdir()
    for f in src.parent.glob("model.onnx*"):
        shutil.copy(f, bare / f.name)
    c = census_of(bare)
    ref = reference(name)
    assert c.model.config is None
    assert c.architecture.family == GRAPH_NAMES[name] and c.architecture.family_source == "graph"
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    assert formula_for(c.architecture)[1] == c.parameters


def with_config(tmp_path, name, **changes):
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg.update(changes)
    (folder / "config.json").write_text(json.dumps(cfg))
    return folder


def test_only_real_contradictions_are_reported(tmp_path):
    renamed = census_of(with_config(tmp_path, "tiny-llama", model_type="mistral")).architecture
    assert renamed.family == "mistral" and renamed.config_checks == []  # the graph cannot tell them apart
    unknown = census_of(with_config(tmp_path / "u", "tiny-llama", model_type="internlm2")).architecture
    assert unknown.family == "internlm2" and unknown.config_checks == []
    assert unknown.family_entry.name == "llama"  # the formula of the structure the graph shows
    wrong = census_of(with_config(tmp_path / "w", "tiny-llama", model_type="gpt2", num_hidden_layers=3,
                                  vocab_size=999)).architecture
    checks = {c["field"]: (c["graph"], c["config"]) for c in wrong.config_checks}
    assert checks == {"family": ("llama", "gpt2"), "n_layer": (2, 3), "vocab_size": (2048, 999)}
    assert wrong.family == "llama"


def test_one_entry_per_family():
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))
    assert set(FAMILY_FIXTURES.values()) <= set(names)
    for f in FAMILIES:
        assert f.formula is not None and f.formula_text and f.structure in ("gpt2", "neox", "opt", "gated", "plain",
                                                                            "moe")


@pytest.mark.parametrize("binding", [False, True], ids=["plain", "io-binding"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_greedy_ids_equal_pytorch(name, binding):
    ref = reference(name)
    gen = Generator(FIXTURES / name, provider="cpu", io_binding=binding)
    result = gen.generate(ref["prompt"], greedy_config(ref))
    assert result.prompt_ids == ref["prompt_ids"]
    assert result.new_ids == ref["greedy_ids"]
    assert [i for i, _ in result.steps[0].top] == ref["top5_ids"]
    assert [p for _, p in result.steps[0].top] == pytest.approx(ref["top5_probs"], rel=1e-3)
    assert gen.eos == {0} and gen.context_length == ref["architecture"]["context_length"]
    if not binding:  # and what onnxruntime alone says about the same file
        assert plain_greedy(gen.path, ref["prompt_ids"], 20) == ref["greedy_ids"]


def block_roles(name: str) -> dict[str, list]:
    """Block 0's tensors by role."""
    out: dict[str, list] = {}
    for t in census_of(FIXTURES / name).layer("block 0").tensors:
        out.setdefault(t.role, []).append(t)
    return out


def test_qk_norms_and_sandwich_norms_are_roles():
    """Gemma 2/3 norm each sublayer before and after; OLMo 2 only after; Qwen3, Gemma 3, OLMo 2, Cohere and StableLM
    norm q and k per head.  A name two families share keeps each family's meaning."""
    gemma2, gemma3, olmo2 = block_roles("tiny-gemma2"), block_roles("tiny-gemma3"), block_roles("tiny-olmo2")
    sandwich = {"norm.attn", "norm.attn_post", "norm.mlp", "norm.mlp_post"}
    assert sandwich <= set(gemma2) and "attn.q_norm" not in gemma2
    assert sandwich | {"attn.q_norm", "attn.k_norm"} <= set(gemma3)
    assert {"norm.attn_post", "norm.mlp_post", "attn.q_norm", "attn.k_norm"} <= set(olmo2)
    assert not {"norm.attn", "norm.mlp"} & set(olmo2)
    post = [t for t in gemma2["norm.attn_post"] if any("post_attention_layernorm" in n for n in t.nodes)]
    assert post  # a Gemma 2's post_attention_layernorm is the norm after attention …
    llama = [t for t in census_of(FIXTURES / "tiny-llama").layer("block 0").tensors
             if "post_attention_layernorm" in t.name or any("post_attention_layernorm" in n for n in t.nodes)]
    assert {t.role for t in llama} == {"norm.mlp"}  # … a Llama's the norm before its MLP
    hd = 8  # qk-norm scales: one per head dim (Qwen3, Gemma 3), one per channel (OLMo 2, Cohere), per head (StableLM)
    assert [t.count for t in block_roles("tiny-qwen3")["attn.q_norm"]] == [hd]
    assert [t.count for t in gemma3["attn.k_norm"]] == [hd]
    assert [t.count for t in olmo2["attn.q_norm"]] == [2 * hd] and [t.count for t in olmo2["attn.k_norm"]] == [hd]
    assert [t.count for t in block_roles("tiny-cohere")["attn.q_norm"]] == [2 * hd]
    assert sorted(t.count for t in block_roles("tiny-stablelm")["attn.q_norm"]) == [hd, hd]


def test_each_familys_own_parts_are_read():
    """What the families fuse, share or leave out: the blocks' roles the formulas' terms read."""
    assert set(block_roles("tiny-codegen")) == {"attn.qkv", "attn.out", "mlp.up", "mlp.down", "norm.attn"}
    assert {t.kind for t in block_roles("tiny-codegen")["attn.qkv"]} == {"weight"}  # mp_num-interleaved, no bias
    assert set(block_roles("tiny-mpt")) == {"attn.qkv", "attn.out", "mlp.up", "mlp.down", "norm.attn", "norm.mlp"}
    assert {t.kind for t in census_of(FIXTURES / "tiny-mpt").tensors} == {"weight"}  # no biases at all
    assert "mlp.gate_up" in block_roles("tiny-glm") and "mlp.gate" not in block_roles("tiny-glm")
    assert {t.kind for t in block_roles("tiny-stablelm")["attn.q"]} == {"weight", "bias"}
    bloom = census_of(FIXTURES / "tiny-bloom")
    assert {t.role for t in bloom.layer("embeddings").tensors} == {"embed.token", "embed.norm"}
    for name in ("tiny-phi", "tiny-codegen", "tiny-gptj"):  # a head with a bias of its own, beside a tied matrix
        head = census_of(FIXTURES / name).layer("lm_head")
        assert [(t.kind, t.count) for t in head.tensors if t.counted] == [("bias", 2048)]
    for name in ("tiny-cohere", "tiny-granite", "tiny-gemma2"):  # the head read through a logit scale or soft cap
        assert census_of(FIXTURES / name).architecture.tied_embeddings


def test_falcon_says_its_key_value_heads_in_its_own_words(tmp_path):
    """multi_query is one K/V head whatever num_kv_heads says; the new decoder architecture uses num_kv_heads."""
    mq, new = (census_of(FIXTURES / n).architecture for n in ("tiny-falcon", "tiny-falcon-new"))
    assert (mq.n_head, mq.n_kv_head, mq.config_checks) == (2, 1, [])
    assert (new.n_head, new.n_kv_head, new.config_checks) == (2, 2, [])
    assert new.holds("norm.attn") and new.holds("norm.mlp") and not mq.holds("norm.mlp")  # ln_attn, ln_mlp
    wrong = census_of(with_config(tmp_path, "tiny-falcon", multi_query=False)).architecture
    assert [(c["field"], c["graph"], c["config"]) for c in wrong.config_checks] == [("n_kv_head", 1, 2)]


def test_olmos_norms_stored_as_ones_are_not_parameters():
    """OLMo's LayerNorms have no parameters: optimum's export keeps their ones and zeros as graph constants,
    onnxruntime-genai's builder stores a scale of ones for each, which PyTorch's count does not have (+80 here).
    The builder also normalises them as RMSNorm (SimplifiedLayerNormalization, eps 1e-6) where OLMo's are
    LayerNorms (eps 1e-5): the file computes something else, and its ids are onnxruntime's, not PyTorch's."""
    ref = reference("genai-olmo")
    c = census_of(FIXTURES / "genai-olmo")
    a = c.architecture
    assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"])
    left_out = [name for name, why in c.excluded if why == NOT_A_NORM_PARAMETER]
    assert len(left_out) == 2 * ref["architecture"]["n_layer"] + 1  # before attention and the MLP, and the last
    assert a.family == "olmo" and a.notes == [CONSTANT_NORMS_NOTE(len(left_out), "OLMo")]
    assert finite_only(a.as_dict())["notes"] == [f"{len(left_out)} norm tensors stored as constants of ones and zeros "
                                                 "are not counted: OLMo's norms have no parameters"]  # JSON: English
    assert formula_for(a)[1] == c.parameters
    assert census_of(FIXTURES / "tiny-olmo").architecture.notes == []  # the same weights, exported by optimum
    gen = Generator(FIXTURES / "genai-olmo", provider="cpu")
    ids = gen.generate(ref["prompt"], greedy_config(ref)).new_ids
    assert ids == ref["variant_greedy_ids"]["model.onnx"] != ref["greedy_ids"]
