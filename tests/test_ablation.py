"""Switching parts off (model/ablation.py, engine/ablation_run.py, `generate --ablate`): PyTorch's distribution with
the same parts off, the user's file untouched, one-line errors, fused attention, and the side-by-side data."""

import hashlib
import json
import shutil

import numpy as np
import pytest

from inspector import ablation_text as say
from inspector.cli import main
from inspector.engine import GenerationConfig, Generator
from inspector.engine.ablation_run import compare_ablation
from inspector.messages import render
from inspector.model.ablation import Ablation, AblationError, Hooks, Part, parse_spec

from .conftest import FIXTURES, ROOT

# fixture -> the fixture whose ablation_reference.json holds its weights' PyTorch answers (genai builds: the same
# weights as an unfused export of the same model)
ABLATED = {"tiny-gpt2": "tiny-gpt2", "tiny-llama": "tiny-llama", "tiny-gpt-neox": "tiny-gpt-neox",
           "tiny-opt": "tiny-opt", "tiny-phi3": "tiny-phi3", "tiny-mistral": "tiny-mistral", "tjs-qwen2": "tjs-qwen2",
           "genai-qwen2": "tjs-qwen2", "genai-phi3": "tiny-phi3"}
SAFE_MARGIN = 1e-5  # greedy ids are compared where PyTorch's top two were at least this far apart at every step


def ablation_reference(name: str) -> dict:
    return json.loads((FIXTURES / name / "ablation_reference.json").read_text())


def probs(logits: np.ndarray) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    e = np.exp(x - x.max())
    return e / e.sum()


@pytest.mark.parametrize("name", list(ABLATED))
def test_switching_parts_off_equals_pytorch(name):
    """A head, an attention output, an MLP output, two heads and a mix: top-5 ids equal, probabilities within 1e-4,
    read at once and step by step (the KV cache), and the greedy ids with the parts off throughout."""
    ref = ablation_reference(ABLATED[name])
    assert {a["kind"] for a in ref["ablations"]} >= {"head", "attention", "mlp", "two heads"}
    gen = Generator(FIXTURES / name)
    for a in ref["ablations"]:
        gen.set_ablation(Ablation(parse_spec(a["spec"])))
        p = probs(gen.logits_for(ref["prompt_ids"])[-1])
        top = np.argsort(-p, kind="stable")[:5]
        assert top.tolist() == a["top5_ids"], a["spec"]
        np.testing.assert_allclose(p[top], a["top5_probs"], atol=1e-4)
        result = gen.generate(ref["prompt_ids"], GenerationConfig(max_new_tokens=8, stop_at_eos=False))
        assert [i for i, _p in result.steps[0].top] == a["top5_ids"]
        np.testing.assert_allclose([q for _i, q in result.steps[0].top], a["top5_probs"], atol=1e-4)
        if a["greedy_margin"] >= SAFE_MARGIN:
            assert result.new_ids == a["greedy_ids"], a["spec"]
    gen.set_ablation(None)  # the plain session again: the intact model's own answer
    assert gen.session is not None and gen.ablation is None


def test_the_users_file_is_never_written_and_the_cli_shows_what_changed(tmp_path, capsys):
    folder = tmp_path / "m"
    shutil.copytree(FIXTURES / "tiny-llama", folder)
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    ref = ablation_reference("tiny-llama")
    two = next(a for a in ref["ablations"] if a["kind"] == "two heads")
    assert main(["generate", str(folder), "--prompt-ids", ",".join(map(str, ref["prompt_ids"])), "--max-new-tokens",
                 "6", "--ablate", two["spec"], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before
    a = out["ablation"]
    assert a["spec"] == two["spec"] and a["numbering"] == say.NUMBERING
    assert [p["label"] for p in a["parts"]] == [str(say.HEAD_PART(0, 0)), str(say.HEAD_PART(1, 1))]
    assert [i for i, _p in out["steps"][0]["top"]] == two["top5_ids"]  # the run is the ablated one
    first = a["changes"][0]
    assert first["kl"] == pytest.approx(two["kl"], abs=1e-5) and first["off"]
    assert a["intact"]["new_ids"][:1] == [first["intact_id"]]  # greedy: the intact run chose its first choice
    assert {str(i) for i in out["new_ids"] + a["intact"]["new_ids"]} <= set(a["token_text"])
    for s in first["rose"]:
        assert s[2] > s[1]
    for s in first["fell"]:
        assert s[2] < s[1]


@pytest.mark.parametrize("spec, why", [("0.x", say.SPEC_BAD("0.x")), (" , ", say.SPEC_EMPTY()),
                                       ("attn", say.SPEC_BAD("attn")), ("1.2.3", say.SPEC_BAD("1.2.3"))])
def test_a_bad_spec_is_one_line_before_the_model_is_read(spec, why, capsys):
    assert main(["generate", str(FIXTURES / "no-such-model"), "--prompt-ids", "1,2", "--ablate", spec]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {why}\n"


@pytest.mark.parametrize("args, why", [
    (["--ablate", "2.0"], say.NO_BLOCK(2, 1)), (["--ablate", "0.4"], say.NO_HEAD(0, 4, 3)),
    (["--ablate", "0.1", "--ablate-step", "0"], say.STEP_BAD(0))])
def test_a_part_the_model_lacks_is_one_line(args, why, capsys):
    assert main(["generate", str(FIXTURES / "tiny-gpt2"), "--prompt", "Love is", *args]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("error: ") and str(why) in err and out == ""


def test_parts_parse_in_order_once_and_read_back():
    parts = parse_spec("1.mlp, 0.3,0.ATTN,0.3")
    assert parts == (Part(1, "mlp"), Part(0, "head", 3), Part(0, "attn"))
    assert Ablation(parts).spec == "1.mlp,0.3,0.attn"
    keep = Ablation(parts).keep(2, 4)
    assert keep.shape == (2, 6) and keep.sum() == 12 - 3
    assert keep[1, 5] == 0 and keep[0, 3] == 0 and keep[0, 4] == 0
    assert Ablation(parts, frozenset({2})).keep(2, 4, step=1).all()


def test_a_fused_attention_model_says_what_it_can_take(capsys):
    """GroupQueryAttention's output holds the heads side by side: all three kinds are taken there, and it says so;
    the PyTorch equality above (through the unfused sibling's weights) shows the heads are switched off right."""
    gen = Generator(FIXTURES / "genai-llama")
    hooks = gen.hooks
    assert hooks.fused == "GroupQueryAttention"
    assert hooks.cannot == {}
    assert hooks.note == say.FUSED_TAKES_ALL("GroupQueryAttention")
    assert main(["generate", str(FIXTURES / "genai-llama"), "--prompt-ids", "1,2,3", "--max-new-tokens", "2",
                 "--ablate", "0.1"]) == 0
    err = capsys.readouterr().err
    assert f"note: {hooks.note}" in err and str(say.SWITCHED_OFF(say.HEAD_PART(0, 1), say.NUMBERING)) in err


def test_a_part_without_its_place_is_refused_with_the_reason():
    hooks = Hooks(2, 2, head=[True, False], attn=[True, True], mlp=[True, True],
                  why={"head": say.NO_FLOAT_INPUT(1)})
    assert hooks.cannot == {"head": say.NO_FLOAT_INPUT(1)}
    hooks.check(Ablation((Part(0, "head", 1), Part(1, "mlp"))))
    with pytest.raises(AblationError) as e:
        hooks.check(Ablation((Part(1, "head", 0),)))
    assert str(e.value) == str(say.CANNOT(say.HEAD_PART(1, 0), say.NO_FLOAT_INPUT(1)))


@pytest.fixture(scope="module")
def sample_gen():
    return Generator(ROOT / "sample_models" / "fortune-gpt")


def test_side_by_side_the_runs_part_where_their_tokens_do(sample_gen):
    config = GenerationConfig(max_new_tokens=12, stop_at_eos=False)
    c = compare_ablation(sample_gen, "The meaning of life is", config, Ablation(parse_spec("0.attn")))
    d = c.divergence
    assert d is not None and c.intact.new_ids[:d] == c.ablated.new_ids[:d]
    assert c.intact.new_ids[d] != c.ablated.new_ids[d]
    k = c.divergence_char
    assert c.intact.text[:k] == c.ablated.text[:k] and c.intact.text[k:k + 1] != c.ablated.text[k:k + 1]
    assert len(c.changes) == len(c.ablated.new_ids) and all(ch.off and ch.kl >= 0 for ch in c.changes)
    assert all(ch.id == i for ch, i in zip(c.changes, c.ablated.new_ids))
    assert c.changes[d].intact_id == c.intact.new_ids[d]  # same context up to the parting step, greedy
    assert sample_gen.ablation == Ablation()  # left on the copy, intact


def test_switched_off_for_one_step_only(sample_gen):
    config = GenerationConfig(max_new_tokens=5, stop_at_eos=False)
    c = compare_ablation(sample_gen, "The meaning of life is", config,
                         Ablation(parse_spec("0.attn,1.mlp"), frozenset({2})))
    assert [ch.off for ch in c.changes] == [False, False, True, False, False]
    assert c.changes[0].kl == pytest.approx(0, abs=1e-9) and c.changes[1].kl == pytest.approx(0, abs=1e-9)
    assert c.changes[2].kl > 1e-3
    assert str(c.label()) == "switched off at step 3: the attention of block 0, the MLP of block 1 (blocks and heads counted from 0)"
    assert render(c.label(), "zh") == "在第 3 步关闭：块 0 的注意力、块 1 的 MLP（块和头从 0 开始编号）"


def _with_zeros(name: str, folder, zeros: dict) -> None:
    """A copy of the fixture in `folder` whose initializers in `zeros` (name -> the rows to zero, None: all) are
    zero there, its weights inside the one file."""
    import onnx
    from onnx import numpy_helper

    shutil.copytree(FIXTURES / name, folder)
    model = onnx.load(str(folder / "model.onnx"))
    for init in model.graph.initializer:
        if init.name in zeros:
            a = numpy_helper.to_array(init).copy()
            a[zeros[init.name] if zeros[init.name] is not None else ...] = 0
            init.CopyFrom(numpy_helper.from_array(a, init.name))
    (folder / "model.onnx.data").unlink(missing_ok=True)
    onnx.save(model, str(folder / "model.onnx"), save_as_external_data=False)


@pytest.mark.parametrize("name", ["genai-gpt-oss", "tiny-gpt-oss", "tiny-deepseek-v3"])
def test_a_mixture_of_experts_output_is_switched_off(name, tmp_path):
    """`B.mlp` on a MoE block switches off the fused MoE op's result (genai), or the one value its module hands out
    when exported by optimum (stacked experts; one module per expert beside a shared one): the logits equal those of
    the same model with every expert's down-projection (weights and biases) zeroed, where the experts add nothing.
    DeepSeek-V3's latent attention: head 1 of block 1 is its value head's slice of o_proj's input (8 of 16 wide),
    as zeroing those rows of o_proj's weight."""
    from inspector.model import load_model, take_census

    census = take_census(load_model(FIXTURES / name))
    zeros = {t.stored: None for t in census.tensors if t.index == 1 and t.role in ("moe.experts.down",
                                                                                    "moe.shared.down")}
    parts = [Part(1, "mlp")]
    if name == "tiny-deepseek-v3":
        v = census.architecture.v_head_dim
        out = next(t for t in census.tensors if t.index == 1 and t.role == "attn.out" and t.kind == "weight")
        assert v < census.architecture.head_dim and out.nodes[0].endswith("/MatMul")  # [in, out]: a row per input
        zeros[out.stored] = slice(v, 2 * v)
        parts.append(Part(1, "head", 1))
    _with_zeros(name, tmp_path / "m", zeros)
    gen = Generator(FIXTURES / name)
    assert gen.hooks.cannot == {}
    ids = gen.encode("The meaning of life is")
    intact = gen.logits_for(ids)
    gen.set_ablation(Ablation(tuple(parts)))
    off = gen.logits_for(ids)
    np.testing.assert_allclose(off, Generator(tmp_path / "m").logits_for(ids), atol=1e-5)
    assert np.abs(off - intact).max() > 0.1  # the experts mattered
