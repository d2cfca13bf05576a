"""Text as people read it: byte-level tokens shown as bytes on their own and joined in running text, every
script through the tokenizers, and the Chinese sample model against PyTorch."""

import json
import subprocess
import sys
import unicodedata

import pytest

from inspector.engine import GenerationConfig, Generator
from inspector.engine.tokenizer import BYTE_LEVEL, show_bytes, utf8_prefix, visible

from .conftest import ROOT, SAMPLE, SAMPLES

SAMPLE_ZH = SAMPLES / "fortune-zh-gpt"
SCRIPTS = {  # prompts in the scripts people type: Chinese, Japanese, Korean, Arabic, Hebrew, emoji
    "zh": "参数是什么", "ja": "パラメータとは何ですか", "ko": "매개변수란 무엇인가", "ar": "ما هي المعلمات",
    "he": "מה הם הפרמטרים", "emoji": "🙂🚀 ok",
}


def no_raw_controls(text: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in text) and "\ufffd" not in text


def test_the_byte_level_alphabet_is_gpt2s():
    assert len(BYTE_LEVEL) == 256 and sorted(BYTE_LEVEL.values()) == list(range(256))
    assert BYTE_LEVEL["Ġ"] == ord(" ") and BYTE_LEVEL["Ċ"] == ord("\n") and BYTE_LEVEL["A"] == ord("A")


def test_utf8_prefix_holds_back_a_character_still_arriving():
    data = "参".encode()  # E5 8F 82
    assert utf8_prefix(data[:2], final=False) == ("", data[:2])
    assert utf8_prefix(data[:2], final=True) == (show_bytes(data[:2]), b"")
    assert utf8_prefix(b"ab" + data, final=False) == ("ab参", b"")
    assert utf8_prefix(b"\xff x", final=False) == ("⟨FF⟩ x", b"")  # invalid bytes show, the rest goes on
    assert visible("a\x97b\n") == "a⟨C2 97⟩b\n"


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_round_trips_and_each_token_reads(script):
    """On the English sample (whose BPE splits every non-Latin character into bytes): the ids decode to the
    prompt exactly, each token on its own is text or ⟨bytes⟩, never a replacement or control character."""
    gen = Generator(SAMPLE, provider="cpu")
    text = SCRIPTS[script]
    ids = gen.encode(text)
    assert gen.codec.readable(ids) == text
    pieces = [gen.token_text(i) for i in ids]
    assert all(p and no_raw_controls(p) for p in pieces)
    if script != "emoji":
        assert any(p.startswith("⟨") for p in pieces)  # some token is part of a character


def test_a_split_character_streams_whole_once_complete():
    """'参数是什么' on the English sample: 15 byte tokens; as generated steps their bytes join into the running
    text (Step.shown), every step's JSON text readable."""
    gen = Generator(SAMPLE, provider="cpu")
    ids = gen.encode("参数是什么")
    assert len(ids) == 15
    gen.start(gen.encode("A"), GenerationConfig(max_new_tokens=len(ids)))
    state = gen.state
    shown = []
    for tid in ids:  # the steps' text for exactly these ids, through the engine's own bookkeeping
        state.ids.append(tid)
        shown.append(gen._running_text())
    assert "".join(shown) == "参数是什么"
    assert shown[0] == "" and shown[2] == "参"  # three bytes, one character, shown once it is complete


def test_generation_text_and_json_hold_no_stray_bytes(tmp_path):
    """The CLI streams and writes JSON for a Chinese prompt on the English sample: no \\ufffd, no control chars."""
    out = subprocess.run([sys.executable, "-m", "inspector", "generate", str(SAMPLE), "--prompt", "参数是什么",
                          "--max-new-tokens", "16", "--json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert no_raw_controls(data["text"])
    assert all(no_raw_controls(s["text"]) for s in data["steps"])


def test_the_chinese_sample_equals_pytorch():
    ref = json.loads((SAMPLE_ZH / "reference.json").read_text(encoding="utf-8"))
    gen = Generator(SAMPLE_ZH, provider="cpu")
    result = gen.generate(ref["prompt"], GenerationConfig(max_new_tokens=len(ref["greedy_ids"])))
    assert result.prompt_ids == ref["prompt_ids"]
    assert result.new_ids == ref["greedy_ids"]
    assert [p for _, p in result.steps[0].top] == pytest.approx(ref["top5_probs"], rel=1e-3)
    assert ref["prompt"] == "春风"
    han = sum("\u4e00" <= c <= "\u9fff" for c in result.text)
    assert han >= 5 and no_raw_controls(result.text)  # it writes Chinese


def test_the_chinese_sample_streams_chinese_in_the_cli():
    out = subprocess.run([sys.executable, "-m", "inspector", "generate", str(SAMPLE_ZH), "--prompt", "人生",
                          "--max-new-tokens", "24"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("人生") and sum("\u4e00" <= c <= "\u9fff" for c in out.stdout) >= 5


def test_the_chinese_samples_tokenizer_keeps_common_characters_whole():
    gen = Generator(SAMPLE_ZH, provider="cpu")
    assert [gen.token_text(i) for i in gen.encode("参数是什么")] == ["参数", "是", "什么"]
    assert (SAMPLE_ZH / "model.onnx").stat().st_size < 6_000_000
