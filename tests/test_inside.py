"""Inside a step: attention and the logit lens against PyTorch's, the probed copy, the CLI and report contract,
and the model drawn as blocks."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import onnx
import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.engine.inside import FUSED_NOTE, first_layer, mean_attention
from inspector.model import load_model, take_census
from inspector.model.diagram import model_diagram
from inspector.model.lens_graph import LENS_OUTPUT
from inspector.model.merged import with_past_branch
from inspector.model.probes import find_probes

from .conftest import FAMILIES, FIXTURES, GENAI, LEGACY, ROOT, SAMPLE, reference

# gpt2-style, llama-style with GQA (4 query heads on 2 KV heads; 2 on 1), every family, and a merged decoder
PROBED = ["tiny-gpt2", "tiny-llama", "tiny-llama-tied", "tiny-gpt2-nocache", "tiny-mistral", "tiny-gpt-neox",
          "tiny-opt", "tiny-phi3", "tiny-gemma", "tjs-qwen2", LEGACY]
PROBED += [name for name in FAMILIES if name not in PROBED]  # and every other dense family (issue 22)


def inside_run(name: str, steps: int = 4, **kw):
    ref = reference(name)
    gen = Generator(FIXTURES / name, **kw)
    gen.start(ref["prompt_ids"], GenerationConfig(max_new_tokens=steps, stop_at_eos=False, inside=True,
                                                  candidates=ref["inside"]["k"]))
    return ref, gen, list(gen.steps())


@pytest.mark.parametrize("name", PROBED)
def test_attention_and_lens_equal_pytorch(name):
    ref, gen, steps = inside_run(name)
    assert [s.id for s in steps] == ref["greedy_ids"][:len(steps)]
    for index, want in ref["inside"]["steps"].items():
        step = steps[int(index)]
        assert len(step.attention) == len(want["attention"]) == gen.inside.probes.n_layer
        for got, exp in zip(step.attention, want["attention"]):
            exp = np.asarray(exp)
            assert got.shape == exp.shape  # [heads, positions so far]
            assert exp.shape[1] == len(ref["prompt_ids"]) + int(index)
            np.testing.assert_allclose(got, exp, atol=1e-4)
            np.testing.assert_allclose(got.sum(-1), 1.0, atol=1e-5)
        assert [[i for i, _p in row] for row in step.lens] == [[i for i, _p in row] for row in want["lens"]]
        for row, exp in zip(step.lens, want["lens"]):
            np.testing.assert_allclose([p for _i, p in row], [p for _i, p in exp], atol=1e-4)


@pytest.mark.parametrize("name", ["genai-llama", "genai-phi3"])
def test_fused_attention_says_so_and_still_gives_the_lens(name):
    ref, gen, steps = inside_run(name)
    assert gen.inside.note == FUSED_NOTE("GroupQueryAttention")
    assert str(gen.inside.note) == FUSED_NOTE.format("GroupQueryAttention")  # the English of the key
    assert all(s.attention is None for s in steps)
    for index, want in ref["inside"]["steps"].items():
        assert [[i for i, _p in row] for row in steps[int(index)].lens] == [[i for i, _p in row]
                                                                             for row in want["lens"]]
    assert gen.result().inside_note == gen.inside.note


def test_the_last_blocks_lens_is_the_models_own_distribution():
    _ref, _gen, steps = inside_run("tiny-gpt2")
    for s in steps:
        assert s.lens[-1] == s.top


def test_plain_generation_keeps_its_session_and_its_ids():
    ref = reference("tiny-llama")
    gen = Generator(FIXTURES / "tiny-llama")
    plain = gen.session
    gen.start(ref["prompt_ids"], GenerationConfig(max_new_tokens=6, stop_at_eos=False))
    ids = [s.id for s in gen.steps()]
    assert gen.session is plain and gen.inside is None
    assert all(s.attention is None and s.lens is None for s in gen.result().steps)
    # turned on after two steps and off after four: the same ids, the inside only where it was on
    gen.start(ref["prompt_ids"], GenerationConfig(max_new_tokens=6, stop_at_eos=False))
    seen = []
    for i in range(6):
        gen.set_inside(i in (2, 3))
        seen.append(gen.step())
    assert [s.id for s in seen] == ids
    assert [s.lens is not None for s in seen] == [False, False, True, True, False, False]
    assert gen.session is not plain and gen.inside is None  # the plain session back, rebuilt
    assert gen.result().inside  # a run that read the inside for some steps says so


def test_the_users_file_is_never_written(tmp_path):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(FIXTURES / "tiny-gpt2", folder)
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    gen = Generator(folder)
    gen.start([1, 2, 3], GenerationConfig(max_new_tokens=3, inside=True, stop_at_eos=False))
    list(gen.steps())
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before


def test_the_copy_reads_the_weights_in_place_and_computes_the_lens_itself():
    from inspector.engine.inside import prepare

    inside, data, folder = prepare(FIXTURES / "tiny-llama" / "model.onnx")
    copy = onnx.load_from_string(data)
    assert len(data) < 0.1 * (FIXTURES / "tiny-llama" / "model.onnx").stat().st_size  # the graph, not the weights
    external = [t for t in copy.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    assert external and {e.value for t in external for e in t.external_data if e.key == "location"} == {"model.onnx"}
    assert folder == str(FIXTURES / "tiny-llama")
    assert inside.in_graph and inside.head is None and LENS_OUTPUT in {o.name for o in copy.graph.output}


def test_a_head_the_copy_cannot_trace_falls_back_to_numpy():
    """Dynamic int8 (MatMulInteger) quantizes the norm's output inside the norm: the head is not cloned."""
    gen = Generator(FIXTURES / "quant-llama", variant="model_quantized.onnx")
    gen.start([1, 2, 3, 4], GenerationConfig(max_new_tokens=2, inside=True))
    steps = list(gen.steps())
    assert not gen.inside.in_graph and gen.inside.head is not None
    for s in steps:
        assert all(len(row) == 5 for row in s.lens) and s.lens[-1] == s.top
        assert all(np.allclose(a.sum(-1), 1, atol=1e-4) for a in s.attention)


@pytest.mark.parametrize("variant", ["model_q4.onnx", "model_bnb4.onnx", "model_qdq.onnx", "model_q4f16.onnx"])
def test_quantized_and_fp16_heads_are_cloned(variant):
    gen = Generator(FIXTURES / "quant-llama", variant=variant)
    gen.start([1, 2, 3, 4], GenerationConfig(max_new_tokens=2, inside=True))
    steps = list(gen.steps())
    assert gen.inside.in_graph
    for s in steps:
        assert s.lens[-1] == s.top and all(0 <= p <= 1 for row in s.lens for _i, p in row)
        assert all(np.isfinite(a).all() and np.allclose(a.sum(-1), 1, atol=2e-3) for a in s.attention)


def test_probes_in_every_family():
    for name in PROBED:
        census = take_census(load_model(FIXTURES / name))
        probes = find_probes(census, with_past_branch(census.model.proto).graph if name == LEGACY else None)
        n = census.architecture.n_layer
        assert len(probes.attention) == len(probes.residual) == n
        assert all(probes.attention) and all(probes.residual[:-1]), name
    census = take_census(load_model(FIXTURES / GENAI[0]))
    probes = find_probes(census)
    assert probes.fused == "GroupQueryAttention" and not any(probes.attention) and all(probes.residual[:-1])


def test_a_merged_decoders_copy_runs_the_with_past_branch():
    model = load_model(FIXTURES / LEGACY, variant="decoder_model_merged.onnx")
    copy = with_past_branch(model.proto)
    assert copy is not None and not any(n.op_type == "If" for n in copy.graph.node)
    assert with_past_branch(load_model(FIXTURES / "tiny-gpt2").proto) is None


def test_reading_a_steps_inside():
    lens = [[(5, 0.5), (7, 0.2)], [(7, 0.6), (5, 0.1)], [(7, 0.9)]]
    assert first_layer(lens, 7) == 0 and first_layer(lens, 7, top1=True) == 1 and first_layer(lens, 9) is None
    att = [np.array([[0.5, 0.5], [1.0, 0.0]], np.float32)]
    assert mean_attention(att, 0).tolist() == [0.75, 0.25] and mean_attention(att, 0, 1).tolist() == [1.0, 0.0]
    assert mean_attention(None, 0) is None and mean_attention(att, 3) is None


# ---------------------------------------------------------------------------------------------- command line
def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_generate_inside_json_contract():
    ref = reference("tiny-llama")
    ids = ",".join(map(str, ref["prompt_ids"]))
    r = run_cli("generate", str(FIXTURES / "tiny-llama"), "--prompt-ids", ids, "--max-new-tokens", "4", "--greedy",
                "--inside", "--json", "--top-k", "5")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for k, step in enumerate(d["steps"]):
        att, lens = step["attention"], step["lens"]
        assert len(att) == 2 and all(len(layer) == 4 for layer in att)  # layers × heads
        assert all(len(row) == len(ref["prompt_ids"]) + k for layer in att for row in layer)
        assert len(lens) == 2 and all(len(row) == 5 and row[0][1] >= row[-1][1] for row in lens)
        if str(k) in ref["inside"]["steps"]:
            want = ref["inside"]["steps"][str(k)]
            np.testing.assert_allclose(np.array(att), np.array(want["attention"]), atol=1e-4)
            assert [[i for i, _p in row] for row in lens] == [[i for i, _p in row] for row in want["lens"]]
    assert d["inside"]["layers"] == 2 and all(str(i) in d["inside"]["token_text"] for i in ref["prompt_ids"])
    plain = json.loads(run_cli("generate", str(FIXTURES / "tiny-llama"), "--prompt-ids", ids, "--max-new-tokens",
                               "4", "--greedy", "--json").stdout)
    assert "attention" not in plain["steps"][0] and plain["inside"] is None and plain["new_ids"] == d["new_ids"]


def test_generate_inside_json_on_a_fused_model_has_null_attention():
    r = run_cli("generate", str(FIXTURES / "genai-qwen2"), "--prompt", "The meaning of life is",
                "--max-new-tokens", "2", "--inside", "--json")
    d = json.loads(r.stdout)
    assert all(s["attention"] is None and len(s["lens"]) == 2 for s in d["steps"])
    assert "GroupQueryAttention" in d["inside"]["note"]


def test_generate_inside_text_prints_where_each_token_formed():
    r = run_cli("generate", str(SAMPLE), "--prompt", "The meaning of life is", "--max-new-tokens", "3", "--inside")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    head = next(i for i, line in enumerate(lines) if "leads the logit lens from" in line)
    rows = lines[head + 1:head + 4]
    assert len(rows) == 3 and all("(of 4)" in row or "never" in row for row in rows)
    assert all(" at " in row for row in rows)  # the most attended position, with its weight


def test_report_carries_the_lens_table_and_the_chosen_steps_attention(tmp_path):
    out = tmp_path / "r.md"
    r = run_cli("report", str(FIXTURES / "tiny-gpt2"), "-o", str(out), "--prompt", "The meaning of life is",
                "--max-new-tokens", "5", "--inside", "--attention-steps", "1,3")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "## Inside the run" in text and "| step | chose | block 0 | block 1 |" in text
    assert text.count("\n| ") >= 5 + 2
    pictures = sorted(p.name for p in (tmp_path / "r_files").iterdir() if p.name.startswith("attention"))
    assert pictures == ["attention_0001.png", "attention_0003.png"]
    html_out = tmp_path / "r.html"
    run_cli("report", str(FIXTURES / "tiny-gpt2"), "-o", str(html_out), "--prompt", "The", "--max-new-tokens", "3",
            "--inside")
    page = html_out.read_text()
    assert "Inside the run" in page and page.count("Attention at step") == 2  # the first and the last
    bad = run_cli("report", str(FIXTURES / "tiny-gpt2"), "-o", str(tmp_path / "x.md"), "--prompt", "The",
                  "--inside", "--attention-steps", "one")
    assert bad.returncode != 0 and "comma-separated" in bad.stderr and "Traceback" not in bad.stderr


def test_lens_rows_mark_where_the_chosen_token_first_leads():
    from inspector.report.inside_view import attention_steps, context_labels, lens_rows

    g = {"prompt_ids": [1, 2], "inside": {"token_text": {"1": "a", "2": "b", "7": "x", "8": "y"}},
         "steps": [{"id": 7, "text": "x", "lens": [[[8, 0.5]], [[7, 0.4]], [[7, 0.9]]], "attention": [[[0.5, 0.5]]]},
                   {"id": 8, "text": "y", "lens": [[[8, 0.6]], None, [[8, 0.7]]], "attention": None}]}
    rows = lens_rows(g)
    assert [c.first for c in rows[0].cells] == [False, True, False] and rows[0].cells[0].text == "y"
    assert rows[1].cells[1] is None and rows[1].cells[0].first
    assert attention_steps(g) == [0] and attention_steps(g, [1, 0, 0]) == [0]
    assert context_labels(g, 1) == ["a", "b", "x"]


# ---------------------------------------------------------------------------------------------- the drawing
@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama", "tiny-gpt-neox", "tiny-opt", "genai-phi3",
                                  "tjs-qwen2", "quant-llama", "tiny-gemma3", "tiny-olmo2", "tiny-cohere", "tiny-bloom",
                                  "tiny-falcon-new"])
def test_the_drawing_adds_up_to_the_census(name):
    census = take_census(load_model(FIXTURES / name))
    n = census.architecture.n_layer
    for block in range(n):
        d = model_diagram(census, block)
        top = {b.key: b for b in d.boxes}
        layer = census.layer(f"block {block}")
        assert (top["block"].weights, top["block"].biases) == (layer.weights, layer.biases)
        inner = top["block"].children
        assert sum(b.parameters for b in inner) == layer.parameters  # every parameter in exactly one box
        attention = d.find("block.attn")
        assert sum(c.parameters for c in attention.children) == attention.parameters
    whole = sum(b.parameters for b in d.boxes if b.key != "block") + sum(
        census.layer(f"block {i}").parameters for i in range(n))
    assert whole == census.parameters
    assert all(b.layer for top in d.boxes for b in top.walk())  # every box selects something in Layers


def test_the_drawing_knows_each_familys_block():
    def diagram(name):
        return model_diagram(take_census(load_model(FIXTURES / name)))

    gpt2, llama, neox, phi3, opt = (diagram(n) for n in ("tiny-gpt2", "tiny-llama", "tiny-gpt-neox", "genai-phi3",
                                                         "tiny-opt"))
    assert [c.label for c in gpt2.find("block.attn").children] == ["Q K V", "heads", "out"]
    assert [c.label for c in llama.find("block.attn").children] == ["Q", "K", "V", "heads", "out"]
    assert "2 KV heads" in str(llama.find("block.attn.heads").note)
    assert [c.label for c in llama.find("block.mlp").children] == ["gate", "up", "SiLU", "down"]
    assert gpt2.find("block.mlp.act").label == "GELU (tanh)" and opt.find("block.mlp.act").label == "ReLU"
    assert neox.parallel and not gpt2.parallel and neox.find("block.add.attn") is None
    assert "GroupQueryAttention" in str(phi3.find("block.attn.heads").detail)
    assert "tied" in str(gpt2.find("lm_head").note) and "tied" not in str(llama.find("lm_head").note)


def test_the_drawing_knows_qk_norms_sandwich_norms_and_one_norm_blocks():
    def inner(name):
        d = model_diagram(take_census(load_model(FIXTURES / name)))
        return d, [b.key.removeprefix("block.") for b in d.find("block").children]

    gemma3, keys = inner("tiny-gemma3")
    assert keys == ["norm.attn", "attn", "norm.attn_post", "add.attn", "norm.mlp", "mlp", "norm.mlp_post", "add.mlp"]
    assert "block.attn.qk_norm" in [c.key for c in gemma3.find("block.attn").children]
    assert inner("tiny-olmo2")[1] == ["attn", "norm.attn_post", "add.attn", "mlp", "norm.mlp_post", "add.mlp"]
    gptj, keys = inner("tiny-gptj")  # one LayerNorm read by attention and the MLP alike
    assert gptj.parallel and keys == ["norm.attn", "attn", "mlp", "add"]
    assert model_diagram(take_census(load_model(FIXTURES / "tiny-bloom"))).find("embeddings.norm").parameters == 32
