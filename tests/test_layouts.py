"""Folders as the hubs ship them: which file opens, the variants beside it, side files one folder up."""

import json
import shutil
import subprocess
import sys

import onnx
import pytest
from onnx import TensorProto, helper

from inspector.engine import Generator
from inspector.errors import ModelError
from inspector.model import load_model, take_census
from inspector.model.sources import dtype_of, open_source
from inspector.stats import compute_statistics

from .conftest import FIXTURES, LEGACY, ROOT, greedy_config, reference
from .ort_loop import plain_greedy

TJS = FIXTURES / "tjs-qwen2"


def test_transformers_js_folder_opens_its_float_model_and_lists_the_rest():
    src = open_source(TJS)
    assert src.path == TJS / "onnx" / "model.onnx"
    assert [(v.name, v.dtype) for v in src.variants] == [("onnx/model.onnx", "fp32"), ("onnx/model_fp16.onnx", "fp16")]
    fp32 = src.variants[0]
    assert fp32.nbytes == (TJS / "onnx" / "model.onnx").stat().st_size + (TJS / "onnx" / "model.onnx_data").stat().st_size
    assert src.side_file("tokenizer.json") == TJS / "tokenizer.json"  # one folder up
    assert src.side_file("genai_config.json") is None


def test_a_file_inside_onnx_takes_text_and_eos_from_the_folder_above():
    ref = reference("tjs-qwen2")
    gen = Generator(TJS / "onnx" / "model.onnx", provider="cpu")
    assert gen.codec is not None and gen.eos == {0} and gen.context_length == 128
    result = gen.generate(ref["prompt"], greedy_config(ref))
    assert result.new_ids == ref["greedy_ids"]
    c = take_census(load_model(TJS / "onnx" / "model.onnx"))
    assert c.model.config is not None and c.architecture.family == "qwen2"


def test_side_files_are_looked_up_one_level_only(tmp_path):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    shutil.copy(TJS / "onnx" / "model_fp16.onnx", deep / "model_fp16.onnx")
    shutil.copy(TJS / "tokenizer.json", tmp_path / "tokenizer.json")  # two levels up: never read
    shutil.copy(TJS / "config.json", tmp_path / "config.json")
    src = open_source(deep)
    assert src.side_file("tokenizer.json") is None and src.side_json("config.json") is None
    shutil.copy(TJS / "config.json", tmp_path / "a" / "config.json")
    assert open_source(deep).side_json("config.json")["model_type"] == "qwen2"
    with pytest.raises(ValueError):
        src.side_file("../secrets.json")


def test_variant_by_name_and_refusals(tmp_path):
    for name in ("model_fp16.onnx", "onnx/model_fp16.onnx", "model_fp16"):
        assert open_source(TJS, name).path == TJS / "onnx" / "model_fp16.onnx"
    with pytest.raises(ModelError, match="onnx/model.onnx, onnx/model_fp16.onnx"):
        open_source(TJS, "model_q4.onnx")
    (tmp_path / "outside.onnx").write_bytes(b"x")
    with pytest.raises(ModelError, match="no variant"):
        open_source(TJS, "../../../" + str(tmp_path / "outside.onnx"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="holds no .onnx model"):
        open_source(tmp_path / "empty")


def test_dtype_from_transformers_js_names():
    assert [dtype_of(f"model{s}.onnx") for s in ("", "_fp16", "_quantized", "_int8", "_uint8", "_q4", "_q4f16",
                                                 "_bnb4")] == \
        ["fp32", "fp16", "int8", "int8", "uint8", "int4", "int4 (fp16)", "bnb4"]


def test_fp16_variant_generates_like_plain_onnxruntime():
    ref = reference("tjs-qwen2")
    path = TJS / "onnx" / "model_fp16.onnx"
    for binding in (False, True):
        gen = Generator(TJS, provider="cpu", variant="model_fp16.onnx", io_binding=binding)
        assert gen.io.kv_dtype.__name__ == "float16"
        result = gen.generate(ref["prompt"], greedy_config(ref))
        assert result.new_ids == plain_greedy(path, ref["prompt_ids"], 20)
    assert result.new_ids == ref["greedy_ids"]  # and, for this trained model, like PyTorch in fp32
    c = take_census(load_model(TJS, variant="model_fp16"))
    compute_statistics(c)
    assert c.parameters == ref["parameters"] and c.architecture.dtypes == {"float16": ref["parameters"]}


def test_optimum1_folder_opens_the_merged_decoder():
    folder = FIXTURES / LEGACY
    src = open_source(folder)
    assert [v.name for v in src.variants] == ["decoder_model_merged.onnx", "decoder_with_past_model.onnx",
                                              "decoder_model.onnx"]
    ref = reference(LEGACY)
    for variant in [v.name for v in src.variants]:
        c = take_census(load_model(folder, variant=variant))
        assert (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"]), variant
        gen = Generator(folder, provider="cpu", variant=variant)
        assert gen.generate(ref["prompt"], greedy_config(ref)).new_ids == ref["greedy_ids"], variant
    merged = load_model(folder)
    assert any(n.op_type == "If" for n in merged.graph.node) and len(merged.nodes) > 10 * len(merged.graph.node)
    assert plain_greedy(merged.path, ref["prompt_ids"], 20) == ref["greedy_ids"]


def test_legacy_transformers_js_folder(tmp_path):
    """Older onnx-community repos: onnx/decoder_model_merged.onnx with the configs one folder up."""
    ref = reference(LEGACY)
    (tmp_path / "onnx").mkdir()
    shutil.copy(FIXTURES / LEGACY / "decoder_model_merged.onnx", tmp_path / "onnx" / "decoder_model_merged.onnx")
    for f in ("config.json", "generation_config.json", "tokenizer.json"):
        shutil.copy(FIXTURES / LEGACY / f, tmp_path / f)
    c = take_census(load_model(tmp_path))
    assert c.parameters == ref["parameters"] and c.architecture.family == "gpt2"
    gen = Generator(tmp_path, provider="cpu")
    assert gen.generate(ref["prompt"], greedy_config(ref)).new_ids == ref["greedy_ids"]


def test_genai_folder_generates_from_its_own_config():
    folder = FIXTURES / "genai-phi3"
    ref = reference("genai-phi3")
    gen = Generator(folder, provider="cpu")
    assert gen.io.head_dim == 16 and gen.io.n_kv_head == 1  # the cache's head size is symbolic in the file
    assert gen.context_length == 128 and gen.eos == {0}
    assert gen.generate(ref["prompt"], greedy_config(ref)).new_ids == ref["greedy_ids"] == \
        plain_greedy(folder / "model.onnx", ref["prompt_ids"], 20)


def zero_parameter_model(folder):
    folder.mkdir()
    g = helper.make_graph([helper.make_node("Relu", ["input_ids"], ["logits"], name="relu")], "g",
                          [helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 4])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), folder / "model.onnx")
    return folder


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "inspector", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_zero_parameters_never_break_the_command_line(tmp_path):
    folder = zero_parameter_model(tmp_path / "zero")
    r = run_cli("stats", folder)
    assert r.returncode == 0, r.stderr
    assert "parameters 0" in r.stdout and "None" not in r.stdout
    assert json.loads(run_cli("stats", folder, "--json").stdout)["parameters"] == 0
    for fmt in ("html", "md", "json", "csv"):
        r = run_cli("report", folder, "-o", tmp_path / f"r.{fmt}")
        assert r.returncode == 0, r.stderr


def test_variant_option_on_every_command(tmp_path):
    r = run_cli("stats", TJS, "--variant", "model_fp16.onnx", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["file"].endswith("model_fp16.onnx") and d["architecture"]["dtypes"] == {"float16": 84256}
    assert [v["file"] for v in d["source"]["variants"]] == ["onnx/model.onnx", "onnx/model_fp16.onnx"]
    assert d["source"]["side_files"]["tokenizer.json"].endswith("tjs-qwen2/tokenizer.json")
    r = run_cli("stats", TJS)
    assert "variants: onnx/model.onnx (this one) [fp32" in r.stdout
    ref = reference("tjs-qwen2")
    r = run_cli("generate", TJS, "--variant", "onnx/model_fp16.onnx", "--prompt", ref["prompt"],
                "--max-new-tokens", 5, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new_ids"] == ref["greedy_ids"][:5]
    r = run_cli("report", TJS, "--variant", "model_fp16", "-o", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "r.json").read_text())["identity"]["file_name"] == "model_fp16.onnx"
    r = run_cli("stats", TJS, "--variant", "model_q4")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "this folder holds" in r.stderr
