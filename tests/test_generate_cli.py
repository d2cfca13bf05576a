"""`python -m inspector generate`: the command-line contract and its bad inputs."""

import json
import subprocess
import sys

import pytest

from .conftest import FIXTURES, ROOT, SAMPLE, reference
from .test_engine import not_a_causal_lm


def run(*args):
    return subprocess.run([sys.executable, "-m", "inspector", "generate", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_json_contract_and_pytorch_equality():
    ref = reference("tiny-gpt2")
    r = run(FIXTURES / "tiny-gpt2", "--prompt", ref["prompt"], "--max-new-tokens", 20, "--greedy", "--top-k", 5,
            "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # `auto` on a machine without a GPU stays quiet
    d = json.loads(r.stdout)
    assert d["prompt_ids"] == ref["prompt_ids"] and d["new_ids"] == ref["greedy_ids"]
    assert [i for i, _ in d["steps"][0]["top"]] == ref["top5_ids"]
    for k in ("text", "ttft_ms", "tokens_per_s", "peak_rss_mb", "provider"):
        assert k in d
    assert d["provider"] == "cpu" and len(d["steps"]) == 20
    assert all(len(s["top"]) == 5 and {"id", "text", "latency_ms"} <= s.keys() for s in d["steps"])


def test_top_k_sets_the_number_of_candidates_reported():
    r = run(SAMPLE, "--prompt", "Hi", "--max-new-tokens", 2, "--greedy", "--top-k", 9, "--json")
    assert all(len(s["top"]) == 9 for s in json.loads(r.stdout)["steps"])


def test_seeded_cli_runs_repeat():
    args = (SAMPLE, "--prompt", "Love is", "--max-new-tokens", 12, "--temperature", 0.9, "--top-p", 0.9,
            "--seed", 42, "--json")
    a, b = json.loads(run(*args).stdout), json.loads(run(*args).stdout)
    assert a["new_ids"] == b["new_ids"]


def test_text_streams_to_the_terminal():
    r = run(SAMPLE, "--prompt", "Life is", "--max-new-tokens", 8)
    assert r.returncode == 0 and r.stdout.startswith("Life is")
    assert "tokens/s" in r.stderr


@pytest.mark.parametrize("case", ["not causal", "no tokenizer", "too long", "bad provider", "no cuda", "no file"])
def test_bad_input_exits_2_with_one_line(case, tmp_path, bare_copy):
    args = {
        "not causal": (not_a_causal_lm(tmp_path), "--prompt-ids", "1"),
        "no tokenizer": (bare_copy("tiny-gpt2"), "--prompt", "hello"),
        "too long": (FIXTURES / "tiny-gpt2-zero-bias", "--prompt", "word " * 200),
        "bad provider": (FIXTURES / "tiny-gpt2", "--prompt", "hi", "--provider", "tpu"),
        "no cuda": (FIXTURES / "tiny-gpt2", "--prompt", "hi", "--provider", "cuda"),
        "no file": (tmp_path / "missing.onnx", "--prompt", "hi"),
    }[case]
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
