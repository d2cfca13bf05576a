"""Where B leaves A and which file to take: the drift per block on a copy with one block changed, llama.cpp's
figures and the perplexity against plain onnxruntime and numpy, the variants' recommendation and flags, and the
report's drift chart and scoreboard."""

import math
import shutil
from html import unescape

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper
from tokenizers import Tokenizer

from inspector.compare import advice as advice_mod
from inspector.compare.advice import advise, name_flag, parse_budget, rank
from inspector.compare import messages as say
from inspector.compare.distribution import wilson
from inspector.compare.reading import TextChoice
from inspector.compare.run import compare
from inspector.compare.text import read_text, windows
from inspector.compare.variants import VariantRow
from inspector.model.sources import open_source
from inspector.errors import InspectorError
from inspector.pipeline import inspect
from inspector.report.content import build_report
from inspector.report.writers import render_html, render_markdown

from .conftest import FIXTURES, SAMPLE

QL = FIXTURES / "quant-llama" / "onnx"
PROMPT = [5, 17, 33, 2]


@pytest.fixture(scope="module")
def comparison():
    """The static QDQ int8 file against its float model: the file the hubs ship that drifts most."""
    return compare(QL / "model.onnx", QL / "model_qdq.onnx", prompt=PROMPT, max_new_tokens=8,
                   text=TextChoice(None, 300))


def perturbed(tmp_path, folder, tensor: str, scale: float = 0.05):
    """A copy of a fixture's folder whose `tensor` has noise added (saved inline, beside its side files)."""
    copy = tmp_path / (folder.name + "-perturbed")
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("*.onnx", "*.onnx.data", "*.onnx_data"))
    model = onnx.load(folder / "model.onnx")
    target = next(t for t in model.graph.initializer if t.name == tensor)
    a = numpy_helper.to_array(target)
    noise = np.random.default_rng(0).normal(0, scale * float(np.abs(a).mean()), a.shape).astype(a.dtype)
    target.CopyFrom(numpy_helper.from_array(a + noise, tensor))
    onnx.save(model, copy / "model.onnx")
    return copy


@pytest.mark.parametrize("folder,tensor,block,attention_changed", [
    (SAMPLE, "transformer.h.1.mlp.c_fc.weight", 1, False),  # GPT-2: Add nodes; the MLP of block 1
    (FIXTURES / "genai-llama", "model.layers.1.attn.o_proj.MatMul.weight", 1, True),  # fused SkipSimplifiedLayerNorm
])
def test_drift_is_zero_before_the_changed_block_and_positive_from_it_on(tmp_path, folder, tensor, block,
                                                                         attention_changed):
    c = compare(folder, perturbed(tmp_path, folder, tensor), prompt=PROMPT, max_new_tokens=6, text=None)
    drift = c.as_dict()["drift"]
    assert [d["block"] for d in drift] == list(range(len(drift))) and c.drift.note is None
    for d in drift[:block]:
        assert d["rel_l2"] == 0 and d["input_rel_l2"] == 0 and d["attn_rel_l2"] == 0 and d["rank"] is None
    changed = drift[block]
    assert changed["input_rel_l2"] == 0
    assert (changed["attn_rel_l2"] > 0) if attention_changed else (changed["attn_rel_l2"] == 0)
    assert changed["rel_l2"] > 0 and changed["growth"] == changed["rel_l2"] and changed["rank"] is not None
    for d in drift[block:]:
        assert d["rel_l2"] > 0 and d["attn_rel_l2"] > 0 or d is changed
    assert c.drift.peak == f"block {block}" or c.drift.ranked[0].block >= block
    assert c.drift.positions == 6 and len(c.drift.series()) == 1 + 2 * len(drift)


def test_drift_of_a_quantized_file_and_of_a_parallel_block(comparison):
    d = comparison.drift.blocks
    assert d[0].input_rel_l2 > 0  # the int8 embedding table
    assert all(b.rel_l2 > 0 and b.attn_rel_l2 > 0 for b in d)
    assert d[1].input_rel_l2 == d[0].rel_l2 and d[0].growth == pytest.approx(d[0].attn_growth + d[0].mlp_growth)
    neox = FIXTURES / "tiny-gpt-neox"
    same = compare(neox, neox, prompt=PROMPT, max_new_tokens=4, text=None)
    assert all(b.rel_l2 == 0 and b.attn_rel_l2 is None for b in same.drift.blocks)
    assert "one sum" in str(same.drift.note) and same.tokens.scores["kl_max"] == 0


def numpy_scores(la, lb, ids):
    """llama.cpp's figures from plain onnxruntime's logits, in numpy alone."""
    def logp(x):
        x = x.astype(np.float64) - x.max(-1, keepdims=True)
        return x - np.log(np.exp(x).sum(-1, keepdims=True))
    pa, pb = logp(la), logp(lb)
    kl = (np.exp(pa) * (pa - pb)).sum(-1)
    rows = np.arange(len(ids))
    dp = np.exp(pb[rows, ids]) - np.exp(pa[rows, ids])
    return kl, pa.argmax(-1) == pb.argmax(-1), dp, pa[rows, ids], pb[rows, ids]


def wilson_by_quadratic(k, n, z=1.959963984540054):
    """The interval's ends as the roots of (p̂ − p)² = z² p (1 − p) / n."""
    p = k / n
    a, b, c = 1 + z * z / n, -(2 * p + z * z / n), p * p
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def test_wilson_interval_at_the_edges():
    assert wilson(0, 0) is None
    lo, hi = wilson(10, 10)
    assert hi == 1.0 and lo == pytest.approx(wilson_by_quadratic(10, 10)[0])
    assert wilson(0, 10)[0] == 0.0


def test_windows_score_every_token_once_with_half_a_window_before_it():
    for n, w in ((1000, 128), (129, 128), (128, 128), (50, 128), (301, 64), (7, 2)):
        spans = windows(n, w)
        scored = [t for _s, e, first in spans for t in range(first, e)]
        assert scored == list(range(1, n))
        assert all(e - s <= w for s, e, _f in spans)
        assert all(first - s >= w // 2 for s, _e, first in spans[1:])


def test_perplexity_equals_plain_onnxruntime(tmp_path):
    text_file = tmp_path / "text.txt"
    text_file.write_text(read_text(None), encoding="utf-8")
    c = compare(QL / "model.onnx", QL / "model_q4.onnx", prompt=PROMPT, max_new_tokens=4,
                text=TextChoice(text_file, 400))
    t = c.text
    assert t.file == str(text_file) and t.window == 128 and t.stride == 64 and t.tokens == 399
    ids = Tokenizer.from_file(str(QL.parent / "tokenizer.json")).encode(read_text(None),
                                                                        add_special_tokens=False).ids[:400]
    nll_a, nll_b, kls = [], [], []
    sessions = [ort.InferenceSession(str(QL / f), providers=["CPUExecutionProvider"]) for f in ("model.onnx",
                                                                                               "model_q4.onnx")]
    scored = 1
    for start in range(0, len(ids), 64):  # windows of 128 moving by 64, each token scored once
        end = min(start + 128, len(ids))
        if end <= scored:
            continue
        rows = slice(scored - 1 - start, end - 1 - start)
        la, lb = (window_logits(s, ids[start:end])[rows] for s in sessions)
        kl, _agree, _dp, lpa, lpb = numpy_scores(la, lb, ids[scored:end])
        nll_a += (-lpa).tolist()
        nll_b += (-lpb).tolist()
        kls += kl.tolist()
        scored = end
        if end == len(ids):
            break
    assert t.ppl_a == pytest.approx(math.exp(np.mean(nll_a)), rel=1e-4)
    assert t.ppl_b == pytest.approx(math.exp(np.mean(nll_b)), rel=1e-4)
    assert t.ppl_ratio == pytest.approx(t.ppl_b / t.ppl_a, rel=1e-9) and t.ppl_ratio > 1
    d = c.as_dict()["text"]
    assert d["kl_mean"] == pytest.approx(float(np.mean(kls)), abs=1e-5)
    assert d["kl_p999"] == pytest.approx(float(np.percentile(kls, 99.9)), abs=1e-5)
    assert {"tokens", "ppl_a", "ppl_b", "ppl_ratio", "kl_median", "kl_p99", "kl_max", "top1_ci95",
            "delta_p_rms"} <= set(d)


def window_logits(sess, ids):
    ins = {i.name: i for i in sess.get_inputs()}
    feeds = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, len(ids)), np.int64),
             "position_ids": np.arange(len(ids), dtype=np.int64)[None]}
    for name, i in ins.items():
        if name.startswith("past_key_values"):
            feeds[name] = np.zeros((1, i.shape[1], 0, i.shape[3]), np.float32)
    return sess.run(["logits"], {k: v for k, v in feeds.items() if k in ins})[0][0].astype(np.float32)


def test_a_file_whose_storage_contradicts_its_name_is_flagged():
    folder = FIXTURES / "quant-gpt2"
    variants = {v.name: v for v in open_source(folder).variants}
    ref = variants["onnx/model.onnx"]
    flags = {}
    for name, v in variants.items():
        census = inspect(v.path, statistics=False)
        try:
            flags[name] = name_flag(v, census, ref.nbytes, ref.name)
        finally:
            census.model.close()
    assert {n for n, f in flags.items() if f} == {"onnx/model_q4.onnx", "onnx/model_q4f16.onnx", "onnx/model_bnb4.onnx"}
    assert str(flags["onnx/model_q4.onnx"]) == (
        "onnx/model_q4.onnx is named int4, but its block matrices are stored as fp32 (32 bits per parameter): it is "
        "69% of onnx/model.onnx's size.")
    assert "stored as fp16 (16 bits" in str(flags["onnx/model_q4f16.onnx"])


def row(file, nbytes, kl, top1=0.9, reference=False, error=None):
    return VariantRow(file, "fp32", nbytes, 32, "", kl, kl, top1, None, None, reference=reference, error=error)


def test_the_recommendation_rules():
    rows = [row("f32", 1000, 0.0, 1.0, reference=True), row("int8", 500, 0.001), row("uint8", 504, 0.0005),
            row("q4", 300, 0.04), row("q3", 200, 0.2), row("qdq", 520, 0.15), row("bad", 100, None, error="x")]
    rank(rows)
    by = {r.file: r for r in rows}
    assert [r.file for r in sorted(rows[:-1], key=lambda r: r.rank)] == ["f32", "uint8", "int8", "q4", "q3", "qdq"]
    assert by["qdq"].dominated_by == "uint8" and by["bad"].rank is None
    a = advise(rows)
    assert a.take == "q4" and a.avoid == "qdq"
    assert a.text == ("Take q4: 3.33× smaller than f32, mean KL 0.04 nats, 90% top-1 agreement — the smallest file "
                      "within mean KL 0.05. Avoid qdq: mean KL 0.15 nats, where uint8, no larger, is at 0.0005.")
    assert advise(rows, max_kl=0.01).take == "uint8"  # int8 is 4 bytes smaller, as small: the closer one
    closest = advise(rows, budget=250)  # only q3 fits, and it is not within 0.05
    assert closest.take == "q3" and closest.sentences[0].key == advice_mod.say.TAKE_CLOSEST
    assert advise(rows, budget=600).text.startswith("Take q4 for 600 B: 3.33× smaller than f32")
    assert advise(rows, max_kl=0.0).text.startswith("Keep f32: no smaller file stays within mean KL 0")
    only = advise([rows[0], row("broken", 10, None, error="x")])
    assert only.text == "Keep f32: no other file could be read against it."


@pytest.mark.parametrize("text,want", [("800MB", 800_000_000), ("1.5 GB", 1_500_000_000), ("2G", 2_000_000_000),
                                       ("4GiB", 4 << 30), ("512", 512), ("300kB", 300_000)])
def test_budgets(text, want):
    assert parse_budget(text) == want


def test_a_budget_that_is_not_a_size():
    with pytest.raises(InspectorError, match="as a size"):
        parse_budget("lots")


@pytest.fixture(scope="module")
def census():
    c = inspect(QL / "model.onnx")
    yield c
    c.model.close()


def table_rows():
    rows = [row("onnx/model.onnx", 1000, 0.0, 1.0, reference=True), row("onnx/model_quantized.onnx", 300, 0.001),
            row("onnx/model_q4.onnx", 700, 0.01), row("onnx/model_qdq.onnx", 320, 0.15)]
    rows[2].flag = say.NAME_CONTRADICTS("onnx/model_q4.onnx", "int4", "fp32", "32", "70%", "onnx/model.onnx")
    rows[1].drift_peak, rows[3].drift_peak = "block 1", "embeddings"
    rank(rows)
    return rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_shows_the_drift_chart_the_scoreboard_and_the_recommendation(comparison, census, lang,
                                                                                 monkeypatch):
    from inspector.report import charts

    for name in ("layer_histogram", "layer_bars"):  # the census's pictures are test_report's business
        monkeypatch.setattr(charts, name, lambda *a, **k: b"\x89PNG")
    content = build_report(census, comparison=comparison, lang=lang)
    assert content.images["compare_drift.png"][:4] == b"\x89PNG" and len(content.images["compare_drift.png"]) > 5000
    assert [r.label for r in content.scoreboard][:2] == ["positions read", "mean KL(A‖B), nats"]
    html, md = unescape(render_html(content)), render_markdown(content, "files").replace("\\", "")
    label = {"en": ("The figures llama.cpp reports", "Where B's residual stream leaves A's", "perplexity ratio B / A",
                    "after attention"),
             "zh": ("llama.cpp 报告的指标", "B 的残差流在哪里偏离 A", "困惑度之比 B / A", "注意力之后")}[lang]
    ppl = f"{comparison.text.ppl_ratio:.4g}"
    for text in (html, md):
        assert all(x in text for x in label) and ppl in text
    assert "files/compare_drift.png" in md and "data:image/png;base64," in html
    variants = build_report(census, comparison=table_rows(), lang=lang)
    assert variants.data["recommendation"]["take"] == "onnx/model_quantized.onnx"
    assert [v["rank"] for v in variants.data["variants"]] == [1, 2, 3, 4]
    said = {"en": ("Take onnx/model_quantized.onnx: 3.33× smaller", "is named int4, but", "Avoid onnx/model_qdq.onnx"),
            "zh": ("选 onnx/model_quantized.onnx：比 onnx/model.onnx 小 3.33×", "的名字表示 int4", "避免 onnx/model_qdq.onnx")}
    vmd = render_markdown(variants, "files").replace("\\", "")
    for text in (unescape(render_html(variants)), vmd):
        assert all(x in text for x in said[lang])
    peaks = {"en": ("| – | block 1 | – |", "| – | embeddings | – |"), "zh": ("| – | 第 1 块 | – |", "| – | 嵌入 | – |")}
    assert all(x in vmd for x in peaks[lang])  # where each file's drift grows most
