"""Every common family, as the hubs ship it: exact counts, the family named, its formula, its greedy ids."""

import json
import re
import shutil

import numpy as np
import pytest

from inspector.engine import Generator
from inspector.model import load_model, take_census
from inspector.model.families import FAMILIES, family
from inspector.stats.scale import formula_for

from .conftest import FAMILIES as FAMILY_FIXTURES
from .conftest import FIXTURES, GENAI, LAYOUTS, greedy_config, reference
from .ort_loop import plain_greedy

ARCH_FIELDS = ("n_layer", "d_model", "n_head", "n_kv_head", "head_dim", "vocab_size", "context_length",
               "tied_embeddings")
BLOCK_RE = re.compile(r"\.(?:h|layers)\.(\d+)\.")


def census_of(path):
    return take_census(load_model(path))


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
               "tiny-mistral": "llama", "tjs-qwen2": "qwen2", "tiny-phi3": "phi3", "tiny-gemma": "gemma"}


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
    unknown = census_of(with_config(tmp_path / "u", "tiny-llama", model_type="granite")).architecture
    assert unknown.family == "granite" and unknown.config_checks == []
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
        assert f.formula is not None and f.formula_text and f.structure in ("gpt2", "neox", "opt", "gated", "moe")


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
