"""The engine against PyTorch's own generate(), plus sampling, control and metrics."""

import threading

import numpy as np
import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.engine.sampling import SamplingConfig, filter_probs, ranked
from inspector.errors import GenerationError

from .conftest import ALL, FIXTURES, SAMPLE, reference


@pytest.mark.parametrize("binding", [False, True], ids=["plain", "io-binding"])
@pytest.mark.parametrize("name", ALL)
def test_greedy_equals_pytorch(name, binding):
    ref = reference(name)
    gen = Generator(FIXTURES / name, provider="cpu", io_binding=binding)
    result = gen.generate(ref["prompt"], GenerationConfig(max_new_tokens=20))
    assert result.prompt_ids == ref["prompt_ids"]
    assert result.new_ids == ref["greedy_ids"]
    assert [i for i, _ in result.steps[0].top] == ref["top5_ids"]
    assert [p for _, p in result.steps[0].top] == pytest.approx(ref["top5_probs"], rel=1e-3)


def test_llama_with_fewer_kv_heads_keeps_its_cache_shape():
    gen = Generator(FIXTURES / "tiny-llama", provider="cpu")
    assert gen.io.position_ids and gen.io.n_kv_head == 2 and len(gen.io.past) == 2
    gen.start("Hello there", GenerationConfig(max_new_tokens=3))
    for _ in gen.steps():
        pass
    key = gen.state.cache[gen.io.past[0][0]]
    assert key.shape == (1, 2, len(gen.state.ids) - 1, 16)


def sampled(seed, **kw):
    gen = Generator(SAMPLE, provider="cpu")
    cfg = GenerationConfig(max_new_tokens=15, stop_at_eos=False,
                           sampling=SamplingConfig(greedy=False, temperature=kw.get("t", 1.0),
                                                   top_p=kw.get("top_p"), top_k=kw.get("top_k"), seed=seed))
    return gen.generate("The cat", cfg).new_ids


def test_seeded_sampling_repeats_exactly():
    a, b, c = sampled(7), sampled(7), sampled(8)
    assert a == b and len(a) == 15
    assert a != c


def test_top_k_and_top_p_keep_exactly_the_right_tokens():
    probs = np.array([0.05, 0.4, 0.1, 0.3, 0.15])
    assert set(np.nonzero(filter_probs(probs, 2, None))[0]) == {1, 3}
    # sorted: 0.4 (1), 0.3 (3), 0.15 (4), 0.1 (2); mass reaches 0.8 at token 4, which is kept
    assert set(np.nonzero(filter_probs(probs, None, 0.8))[0]) == {1, 3, 4}
    assert set(np.nonzero(filter_probs(probs, None, 0.7))[0]) == {1, 3}
    assert set(np.nonzero(filter_probs(probs, None, 0.71))[0]) == {1, 3, 4}
    assert set(np.nonzero(filter_probs(probs, 2, 0.3))[0]) == {1}
    kept = filter_probs(probs, 3, None)
    assert kept.sum() == pytest.approx(1.0) and kept[1] == pytest.approx(0.4 / 0.85)
    assert list(ranked(np.array([0.2, 0.3, 0.3, 0.2]), 4)) == [1, 2, 0, 3]  # ties: lower id first


def test_sampling_never_leaves_the_top_k():
    gen = Generator(SAMPLE, provider="cpu")
    cfg = GenerationConfig(max_new_tokens=12, candidates=3, stop_at_eos=False,
                           sampling=SamplingConfig(greedy=False, temperature=1.5, top_k=3, seed=3))
    gen.start("A", cfg)
    for step in gen.steps():
        assert step.id in [i for i, _ in step.top]


def test_step_reports_candidates_and_measurements():
    gen = Generator(SAMPLE, provider="cpu")
    prompt = gen.start("Time flies like", GenerationConfig(max_new_tokens=3, candidates=7))
    steps = [gen.step() for _ in range(3)]
    assert steps[0].prefill and not steps[1].prefill
    for n, s in enumerate(steps):
        probs = [p for _, p in s.top]
        assert len(s.top) == 7 and probs == sorted(probs, reverse=True)
        assert s.id == s.top[0][0] and s.prob == probs[0]
        assert 0 < s.entropy < np.log2(2048) and s.latency_ms > 0 and s.rss > 0 and s.gpu is None
        assert s.kv_len == len(prompt) + n
        assert s.text == gen.token_text(s.id)
    assert steps[-1].finish == "length" and gen.finished
    m = gen.result().metrics
    assert m.ttft_ms == steps[0].latency_ms and len(m.decode_ms) == 2 and m.tokens_per_s > 0
    assert m.peak_rss >= max(s.rss for s in steps)
    with pytest.raises(GenerationError):
        gen.step()


def test_stop_from_another_thread_and_reset():
    gen = Generator(SAMPLE, provider="cpu")
    gen.start("Once", GenerationConfig(max_new_tokens=200, stop_at_eos=False))
    seen = []
    for step in gen.steps():
        seen.append(step)
        if len(seen) == 5:
            t = threading.Thread(target=gen.stop)
            t.start()
            t.join()
    assert len(seen) == 5 and gen.state.finish == "stopped" and seen[-1].finish == "stopped"
    gen.reset()
    assert gen.state is None
    again = gen.generate("Once", GenerationConfig(max_new_tokens=4, stop_at_eos=False))
    assert len(again.new_ids) == 4


def test_stops_at_eos_stop_string_and_context():
    gen = Generator(SAMPLE, provider="cpu")
    eos = next(iter(gen.eos))
    ref = gen.generate("The", GenerationConfig(max_new_tokens=60))
    if eos in ref.new_ids:  # the trained model ends its fortunes
        assert ref.finish == "eos" and ref.new_ids[-1] == eos
    first_word = gen.decode(ref.new_ids[:2]).strip().split()[0]
    stopped = gen.generate("The", GenerationConfig(max_new_tokens=60, stop_strings=(first_word,)))
    assert stopped.finish == "stop" and first_word in stopped.text
    small = Generator(FIXTURES / "tiny-gpt2-zero-bias", provider="cpu")  # context 64
    long_prompt = list(range(1, 61))
    r = small.generate(long_prompt, GenerationConfig(max_new_tokens=20, stop_at_eos=False))
    assert r.finish == "context" and len(r.prompt_ids) + len(r.new_ids) == 64


def test_bad_requests_are_generation_errors(bare_copy, tmp_path):
    gen = Generator(FIXTURES / "tiny-gpt2-zero-bias", provider="cpu")
    with pytest.raises(GenerationError, match="context"):
        gen.start(list(range(70)))
    with pytest.raises(GenerationError, match="no tokenizer"):
        Generator(bare_copy("tiny-gpt2"), provider="cpu").start("hello")
    with pytest.raises(GenerationError, match="unknown provider"):
        Generator(FIXTURES / "tiny-gpt2", provider="tpu")
    with pytest.raises(GenerationError, match="CUDA"):
        Generator(FIXTURES / "tiny-gpt2", provider="cuda")
    with pytest.raises(GenerationError, match="not a causal LM"):
        Generator(not_a_causal_lm(tmp_path), provider="cpu")


def not_a_causal_lm(folder):
    import onnx
    from onnx import TensorProto, helper

    w = onnx.numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [w])
    path = folder / "classifier.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
    return path


def test_tokens_per_second_is_a_rolling_mean_of_decode_steps():
    from types import SimpleNamespace

    from inspector.engine.metrics import step_series

    lat = [120.0, 10, 20, 10, 40, 10, 10, 10, 10, 30, 5, 5]
    steps = [SimpleNamespace(latency_ms=v, rss=1e6 * (100 + i), gpu=None) for i, v in enumerate(lat)]
    d = step_series(steps)
    assert np.isnan(d["tokens_per_s"][0])  # the prefill is not decoding
    for i in range(1, len(lat)):
        window = lat[max(1, i - 7): i + 1]
        assert d["tokens_per_s"][i] == pytest.approx(1000.0 / np.mean(window))
    assert list(d["rss_mb"]) == [100 + i for i in range(len(lat))]  # MB: 10^6 bytes, as everywhere
    assert np.isnan(d["gpu_mb"]).all()
