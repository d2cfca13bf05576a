"""A run branched at a step, and a paused run continued with other settings: the engine's side (issue 21)."""

import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.engine.sampling import SamplingConfig
from inspector.engine.serialize import result_dict
from inspector.errors import GenerationError

from .conftest import FIXTURES

GPT2 = FIXTURES / "tiny-gpt2"


@pytest.fixture(scope="module")
def gen():
    return Generator(GPT2, provider="cpu")


def test_a_branch_continues_as_a_run_from_the_cut_would(gen):
    """Cut after step 3 (index 2) with its second candidate: what follows is what a run given the prompt and those
    tokens generates (the cache is rebuilt, not reused from the dropped tail)."""
    config = GenerationConfig(max_new_tokens=8, stop_at_eos=False)
    gen.start("Once upon a time", config)
    first = [s for _, s in zip(range(6), gen.steps())]
    other = first[2].top[1][0]
    step = gen.branch(2, other)
    assert step.forced and step.sampled_id == first[2].id and step.id == other and step.index == 2
    assert step.prob == pytest.approx(first[2].top[1][1]) and step.top == first[2].top
    rest = list(gen.steps())
    result = gen.result()
    assert [s.id for s in result.steps[:2]] == [s.id for s in first[:2]] and len(result.new_ids) == 8
    assert result.new_ids[2] == other and [s.index for s in result.steps] == list(range(8))
    fresh = Generator(GPT2, provider="cpu").generate(result.prompt_ids + result.new_ids[:3],
                                                     GenerationConfig(max_new_tokens=5, stop_at_eos=False))
    assert fresh.new_ids == [s.id for s in rest]
    assert result.metrics.ttft_ms == first[0].latency_ms and len(result.metrics.decode_ms) == 7
    d = result_dict(result)
    assert [s["forced"] for s in d["steps"]].count(True) == 1 and d["steps"][2]["sampled_id"] == first[2].id
    assert "sampled_id" not in d["steps"][3]
    gen.branch(2, first[2].id)  # the model's own token again: no longer a branch
    assert not gen.state.steps[2].forced
    with pytest.raises(GenerationError, match="not one of the candidates"):
        gen.branch(1, 10**6)
    with pytest.raises(GenerationError, match="no step 9"):
        gen.branch(8, other)


def test_a_paused_run_applies_new_settings_or_refuses_them(gen):
    sampled = GenerationConfig(max_new_tokens=10, stop_at_eos=False,
                               sampling=SamplingConfig(greedy=False, temperature=0.9, seed=7))
    whole = Generator(GPT2, provider="cpu").generate("The", sampled)
    gen.start("The", sampled)
    head = [s.id for _, s in zip(range(4), gen.steps())]
    with pytest.raises(GenerationError, match="already has 4 new tokens"):
        gen.update_config(GenerationConfig(max_new_tokens=4, stop_at_eos=False, sampling=sampled.sampling))
    assert gen.state.config == sampled  # refused: nothing changed
    gen.update_config(GenerationConfig(max_new_tokens=10, stop_at_eos=False, sampling=sampled.sampling, candidates=2))
    tail = [s for s in gen.steps()]
    assert head + [s.id for s in tail] == whole.new_ids  # the same seed: the same random stream, continued
    assert all(len(s.top) == 2 for s in tail)
    result = gen.result()
    assert result.config == sampled and [i for i, _c in result.changes] == [4]
    assert result_dict(result)["settings_changes"][0]["candidates"] == 2


def test_the_report_says_where_the_settings_changed_and_where_the_run_branched(gen, tmp_path):
    """The report reads steps as a person counts them (from 1): the branch at index 2 is step 3, the settings
    changed at index 4 apply from step 5."""
    from inspector.model import load_model, take_census
    from inspector.report.content import build_report
    from inspector.report.formats import export
    from inspector.stats import compute_statistics

    gen.start("Once upon a time", GenerationConfig(max_new_tokens=6, stop_at_eos=False))
    first = [s for _, s in zip(range(4), gen.steps())]
    gen.branch(2, first[2].top[1][0])
    list(zip(range(1), gen.steps()))
    gen.update_config(GenerationConfig(max_new_tokens=7, stop_at_eos=False,
                                       sampling=SamplingConfig(greedy=False, temperature=0.5, seed=3)))
    list(gen.steps())
    result = gen.result()
    assert [i for i, _c in result.changes] == [4]
    census = take_census(load_model(GPT2))
    compute_statistics(census)
    content = build_report(census, result)
    for fmt in ("md", "html"):
        text = export(content, tmp_path / f"r.{fmt}").read_text(encoding="utf-8")
        assert "From step 5 on: temperature 0.5" in text and "max 7 tokens" in text
        assert "Step 3: " in text and "was your choice" in text
        assert "Step 4: " not in text
