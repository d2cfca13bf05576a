"""The planner's arithmetic on fixtures (KV cache by layer type, bytes a token reads, experts), `plan --json`, and
the memory guard: a giant-shaped model refused in one line before any session, `--force` to run anyway."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.model import load_model, take_census
from inspector.plan import devices
from inspector.plan.guard import check_fits
from inspector.plan.planner import by_context, make_plan
from inspector.plan.runtime import fitted
from inspector.plan.shape import shape_of

from .conftest import FIXTURES, ROOT, SAMPLE, reference

sys.path.insert(0, str(ROOT))
from bench import build_giant  # noqa: E402

DEVICE = devices.Device("a test machine", "cpu", 64 * 10**9, 20.0, 32 * 10**9, "measured")


def shape_at(path):
    model = load_model(path)
    try:
        return shape_of(take_census(model))
    finally:
        model.close()


def copy_fixture(name, tmp_path, config: dict | None = None) -> Path:
    dst = tmp_path / name
    shutil.copytree(FIXTURES / name, dst)
    if config is not None:
        merged = json.loads((dst / "config.json").read_text()) if (dst / "config.json").exists() else {}
        merged.update(config)
        (dst / "config.json").write_text(json.dumps(merged))
    return dst


# ------------------------------------------------------------------------------------------------ the KV cache
def test_gqa_cache_is_kv_heads_times_head_dim_per_layer():
    arch = reference("tiny-llama")["architecture"]
    s = shape_at(FIXTURES / "tiny-llama")
    per_token = 2 * arch["n_layer"] * arch["n_kv_head"] * arch["head_dim"] * 4  # keys and values, fp32
    assert arch["n_kv_head"] < arch["n_head"] and s.cache_bytes_per_token() == per_token
    assert [c.kind for c in s.cache] == ["full"] * arch["n_layer"]
    assert s.cache_bytes(100, batch=3) == 3 * 100 * per_token
    assert s.cache_bytes(100, kv_dtype="fp16") == 100 * per_token // 2
    assert s.cache_bytes(100, kv_dtype="int8") == 100 * per_token // 4


def test_sliding_layers_keep_their_window(tmp_path):
    folder = copy_fixture("tiny-llama", tmp_path, {"sliding_window": 8,
                                                    "layer_types": ["sliding_attention", "full_attention"]})
    s = shape_at(folder)
    assert [(c.kind, c.window) for c in s.cache] == [("sliding", 8), ("full", None)]
    per_layer = s.cache[0].values_per_token * 4
    assert s.cache_bytes(100) == per_layer * (8 + 100) and s.cache_bytes(5) == per_layer * (5 + 5)


def test_gemma2_alternates_and_a_genai_build_says_its_windows(tmp_path):
    folder = copy_fixture("tiny-llama", tmp_path, {"model_type": "gemma2", "sliding_window": 16})
    assert [c.kind for c in shape_at(folder).cache] == ["sliding", "full"]
    genai = shape_at(FIXTURES / "genai-gemma2")  # the builder's GroupQueryAttention: local_window_size 32, then -1
    assert [(c.kind, c.window) for c in genai.cache] == [("sliding", 32), ("full", None)]
    per_layer = [c.values_per_token * 4 for c in genai.cache]
    assert genai.cache_bytes(100) == per_layer[0] * 32 + per_layer[1] * 100


def test_latent_attention_keeps_what_its_export_caches(tiny_deepseek):
    """MLA's compressed cache where the graph keeps the latent (the giant builder's DeepSeek shape, made small);
    the optimum export caches whole keys and values, and needs them (i22's tiny-deepseek-v3)."""
    folder, ds = tiny_deepseek
    s = shape_at(folder)
    assert {c.kind for c in s.cache} == {"mla"} and s.cache_bytes_per_token() == ds.layers * (16 + 8) * 2
    whole = shape_at(FIXTURES / "tiny-deepseek-v3")
    heads = 4  # the fixture's config: 4 heads, keys of 8 + 8, values of 8
    assert [c.kind for c in whole.cache] == ["full"] * 3
    assert whole.cache_bytes_per_token() == 3 * heads * (16 + 8) * 4


# ------------------------------------------------------------------------------------------------ what a token reads
def test_a_token_reads_every_weight_once_but_one_row_of_each_table():
    s = shape_at(FIXTURES / "tiny-llama")  # untied: the head is its own matrix
    arch = reference("tiny-llama")["architecture"]
    row = arch["d_model"] * 4
    assert s.lookup_row_bytes == row and s.touched_bytes() == s.weights_bytes - s.lookup_bytes + row
    assert s.touched_bytes(batch=4) == s.weights_bytes - s.lookup_bytes + 4 * row
    tied = shape_at(FIXTURES / "tiny-gpt2")  # the head reads the embedding table whole: only positions are rows
    assert tied.lookup_row_bytes == arch["d_model"] * 4
    assert tied.touched_bytes() > tied.weights_bytes - tied.lookup_bytes


@pytest.fixture(scope="module")
def tiny_deepseek(tmp_path_factory):
    shape = build_giant.DeepSeekShape(name="tiny-deepseek", d=64, layers=4, dense_layers=1, heads=4, q_rank=32,
                                      kv_rank=16, rope_dim=8, nope_dim=16, v_dim=16, ffn=128, expert_ffn=32,
                                      experts=8, shared=1, k=2, vocab=256, context=512)
    return build_giant.build_deepseek(shape, tmp_path_factory.mktemp("moe") / "tiny-deepseek"), shape


def test_a_mixture_reads_the_experts_its_tokens_chose(tiny_deepseek):
    folder, ds = tiny_deepseek
    s = shape_at(folder)
    expert = 3 * ds.experts * ds.expert_ffn * ds.d * 2 * (ds.layers - ds.dense_layers)  # fp16, stacked in MoE ops
    assert (s.experts, s.experts_per_token, s.expert_bytes) == (ds.experts, ds.k, expert)
    rest = s.weights_bytes - s.lookup_bytes - expert
    assert s.touched_bytes() == rest + s.lookup_row_bytes + expert * ds.k // ds.experts
    share = 1 - (1 - ds.k / ds.experts) ** 3  # three sequences choose more experts between them
    assert s.touched_bytes(3) == int(rest + 3 * s.lookup_row_bytes + share * expert)


@pytest.mark.parametrize("name", ["tiny-qwen3-moe", "tiny-deepseek-v3"])
def test_experts_one_module_each_as_the_census_reads_them(name):
    config = json.loads((FIXTURES / name / "config.json").read_text())
    s = shape_at(FIXTURES / name)
    experts = config.get("num_experts") or config.get("n_routed_experts")
    assert (s.experts, s.experts_per_token) == (experts, config["num_experts_per_tok"]) and s.expert_bytes > 0
    assert s.touched_bytes() < s.weights_bytes - s.expert_bytes * (1 - s.experts_per_token / s.experts) + 1


# ------------------------------------------------------------------------------------------------ the plan
def test_the_plan_adds_up():
    s = shape_at(FIXTURES / "tiny-llama")
    p = make_plan(s, context=100, prompt=90, device=DEVICE)
    assert p.total_bytes == p.weights_bytes + p.kv_cache_bytes + p.runtime_bytes == p.host_bytes
    assert p.kv_cache_bytes == s.cache_bytes(100) and p.weights_bytes == s.weights_bytes
    assert p.bytes_per_token == s.touched_bytes() + s.cache_bytes(100)
    assert p.tokens_per_s_bound == pytest.approx(20e9 / p.bytes_per_token) and p.fits_this_machine
    assert p.runtime_bytes >= fitted().process_bytes
    longer = make_plan(s, context=128, device=DEVICE)
    assert longer.kv_cache_bytes > p.kv_cache_bytes and longer.runtime_bytes > p.runtime_bytes
    assert [d.fits for d in p.devices] == ["fits"] * 6
    series = by_context(s, [1, 64, 128], device=DEVICE)  # what the app's Cost view draws along its slider
    assert series["kv_cache_bytes"] == [s.cache_bytes(c) for c in (1, 64, 128)]
    assert series["total_bytes"][-1] == longer.total_bytes
    assert series["tokens_per_s_bound"][0] > longer.tokens_per_s_bound


def test_plan_json_names_every_field(tmp_path):
    env = dict(os.environ, GPT_INSPECTOR_CACHE=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "inspector", "plan", str(FIXTURES / "tiny-llama"), "--context", "64",
                        "--batch", "2", "--kv-dtype", "fp16", "--json"], capture_output=True, text=True, cwd=ROOT,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for key in ("weights_bytes", "kv_cache_bytes", "runtime_bytes", "total_bytes", "bytes_per_token", "bandwidth_gbs",
                "tokens_per_s_bound", "fits_this_machine", "devices", "runtime", "cache", "context", "batch"):
        assert key in d, key
    assert d["total_bytes"] == d["weights_bytes"] + d["kv_cache_bytes"] + d["runtime_bytes"]
    assert (d["context"], d["batch"], d["kv_dtype"], d["parameters"]) == (64, 2, "fp16",
                                                                          reference("tiny-llama")["parameters"])
    assert d["tokens_per_s_bound"] == pytest.approx(d["bandwidth_gbs"] * 1e9 / d["bytes_per_token"])
    assert [x["name"] for x in d["devices"]] == list(devices.COMMON)
    assert all(x["fits"] == "fits" and x["tokens_per_s_bound"] > 0 for x in d["devices"])
    assert json.loads((tmp_path / "bandwidth.json").read_text())  # measured once, cached
    named = subprocess.run([sys.executable, "-m", "inspector", "plan", str(FIXTURES / "tiny-llama"), "--device",
                            "RTX 4090"], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert named.returncode == 0 and "1,008" in named.stdout and "GeForce RTX 4090" in named.stdout


# ------------------------------------------------------------------------------------------------ the guard
@pytest.fixture(scope="module")
def giant(tmp_path_factory):
    """Llama 3.1 405B's exact shape, genai-style fp16: 812 GB of sparse external data, 2 MB on disk."""
    return build_giant.build("llama3-405b", tmp_path_factory.mktemp("giant") / "giant-llama3-405b")


def test_a_giant_model_is_refused_in_one_line_before_any_session(giant):
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "inspector", "generate", str(giant), "--prompt-ids", "1,2,3",
                        "--max-new-tokens", "8"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    took = time.perf_counter() - t0
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert "812 GB" in line and "needs" in line and "available" in line and "--force" in line
    assert "Would fit" in line or "Neither" in line
    assert took < 30  # counted and refused, not loaded (onnxruntime would take minutes, then the kernel would kill it)


def test_the_guard_says_what_would_fit_in_any_language(giant):
    from inspector.messages import render
    from inspector.plan import messages

    v = check_fits(shape_at(giant), context=4096, prompt=100, available=150 * 10**9)
    assert not v.fits and v.needed_bytes > 812 * 10**9
    assert messages.ALT_INT4 not in {a.key for a in v.alternatives}  # at int4 it still needs about 200 GB
    assert v.message.count("\n") == 0 and "150 GB" in v.message
    roomy = check_fits(shape_at(giant), context=4096, prompt=100, available=300 * 10**9)
    assert messages.ALT_INT4 in {a.key for a in roomy.alternatives} and "int4 weights (" in roomy.message
    chinese = render(roomy.said, "zh")
    assert "可用内存" in chinese and "int4 权重" in chinese and "--force" in chinese


@pytest.fixture
def tight_memory(monkeypatch):
    """This machine, with 1 MB of RAM free."""
    real = devices.this_cpu
    monkeypatch.setattr(devices, "this_cpu", lambda probe=True: devices.Device(
        "RAM", "cpu", real(probe=False).memory_bytes, None, 10**6, "unknown"))


def _main(args, capsys):
    from inspector.cli import main

    code = main(args)
    return code, capsys.readouterr()


@pytest.mark.parametrize("command", [["generate"], ["report", "-o", "{tmp}/r.json"]])
def test_generate_and_report_check_first_and_force_runs_anyway(command, tight_memory, capsys, tmp_path):
    cmd = [c.format(tmp=tmp_path) for c in command]
    args = [cmd[0], str(SAMPLE), *cmd[1:], "--prompt", "Life is", "--max-new-tokens", "2"]
    code, out = _main(args, capsys)
    assert code == 2 and len(out.err.strip().splitlines()) == 1 and "1 MB is available" in out.err
    code, out = _main(args + ["--force"], capsys)
    assert code == 0, out.err


def test_compare_checks_both_models_together(tight_memory, capsys):
    code, out = _main(["compare", str(SAMPLE), str(SAMPLE / "model_fp16.onnx"), "--prompt", "Life is",
                       "--max-new-tokens", "2"], capsys)
    assert code == 2 and "these models need" in out.err and len(out.err.strip().splitlines()) == 1
    code, _out = _main(["compare", str(SAMPLE), str(SAMPLE / "model_fp16.onnx")], capsys)  # weights only: no run
    assert code == 0


@pytest.mark.parametrize("command", [
    ["generate", "{model}", "--prompt", "Life is", "--max-new-tokens", "2", "--ablate", "0.0"],
    ["heads", "{model}", "--length", "8"],
    ["report", "{model}", "-o", "{tmp}/r.json", "--heads", "--heads-length", "8"],
    ["report", "{model}", "-o", "{tmp}/r.json", "--compare", str(SAMPLE / "model_fp16.onnx"), "--prompt", "Life is",
     "--max-new-tokens", "2"],
])
def test_ablations_heads_and_reports_check_first(command, tight_memory, capsys, tmp_path, monkeypatch):
    """Every command that makes a session checks the plan before it: the probed copy's session
    (generate --ablate, heads, report --heads) as the plain one, and report --compare both models at once."""
    from inspector.engine import generator

    made = []
    monkeypatch.setattr(generator, "create_session", lambda *a, **k: made.append(a) or 1 / 0)
    code, out = _main([c.format(model=SAMPLE, tmp=tmp_path) for c in command], capsys)
    assert code == 2 and len(out.err.strip().splitlines()) == 1 and "is available" in out.err, out.err
    assert not made and not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("command", [
    ["generate", "{model}", "--prompt-ids", "1,2,3", "--max-new-tokens", "2", "--ablate", "0.0", "--json"],
    ["heads", "{model}", "--length", "8", "--json"],
])
def test_ablations_and_heads_forced_run_anyway(command, tight_memory, capsys):
    code, out = _main([c.format(model=FIXTURES / "tiny-induction") for c in command] + ["--force"], capsys)
    assert code == 0, out.err
    assert json.loads(out.out)
