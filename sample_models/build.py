"""Rebuild the bundled sample model and the test fixtures with the real tools.

Build-time only: needs torch, transformers, optimum-onnx and accelerate (never runtime
dependencies of the app).  Run from the repository root:

    pip install -e ".[build]"
    apt-get install fortunes          # the offline English text the models learn from
    python sample_models/build.py             # everything
    python sample_models/build.py fixtures    # only the small test models
    python sample_models/build.py families    # only the family and layout fixtures
    python sample_models/build.py ablation    # PyTorch with parts switched off, beside the fixtures (issue 25)
    python sample_models/build.py heads       # a GPT-2 with an induction circuit, for `heads` (issue 25)

Each model folder gets its model(s), `config.json`, `tokenizer.json` and, for fixtures,
`reference.json`: what PyTorch itself says about the model (parameter counts,
architecture, greedy ids, first-step top-5), recorded at build time so tests compare the
inspector against the framework that made the model.

The family fixtures are laid out the way people download models: plain optimum exports,
a transformers.js / onnx-community folder (`onnx/model.onnx` + external data and an fp16
copy, configs one folder up), an optimum 1.x folder with the three legacy decoders, and
onnxruntime-genai builder outputs.  The genai builder needs transformers >= 5, so it runs
in its own virtual environment (`build/genai-venv`, made on first use).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
FORTUNES = "/usr/share/games/fortunes"
PROMPT = "The meaning of life is"
SKIP_FILES = {"art", "ascii-art"}  # pictures, not prose


# --------------------------------------------------------------------------- text + tokenizer
def corpus_text() -> str:
    files = sorted(
        f for f in glob.glob(os.path.join(FORTUNES, "*"))
        if "." not in os.path.basename(f) and os.path.basename(f) not in SKIP_FILES
    )
    if not files:
        sys.exit(f"no fortunes found under {FORTUNES}: apt-get install fortunes")
    pieces = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            pieces += [p.strip() for p in fh.read().split("\n%\n") if p.strip()]
    random.Random(0).shuffle(pieces)
    return "\n<|endoftext|>\n".join(pieces)


FORTUNES_ZH = ("chinese", "tang300", "song100")  # Debian's fortunes-zh: sayings, Tang and Song poems
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # the colours fortune-zh prints titles in


def corpus_zh() -> str:
    files = [os.path.join(FORTUNES, name) for name in FORTUNES_ZH]
    if not all(os.path.exists(f) for f in files):
        sys.exit(f"no Chinese fortunes under {FORTUNES}: apt-get install fortunes-zh")
    pieces = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            pieces += [ANSI.sub("", p).strip() for p in fh.read().split("\n%\n")]
    pieces = [p for p in pieces if p]
    random.Random(0).shuffle(pieces)
    return "\n<|endoftext|>\n".join(pieces)


def train_tokenizer(text: str, vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator([text], trainer)
    return tok


def hf_tokenizer(tok):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
        unk_token="<|endoftext|>", pad_token="<|endoftext|>",
    )


# --------------------------------------------------------------------------- training
def train(model, ids: torch.Tensor, seconds: float, block: int, batch: int, lr: float,
          steps: int | None = None) -> float:
    """Plain AdamW loop on random windows, stopped by the wall clock or, reproducibly, after `steps`."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(0)
    model.train()
    start, step, loss_ema = time.time(), 0, None
    while (step < steps) if steps else (time.time() - start < seconds):
        frac = step / steps if steps else (time.time() - start) / seconds
        for g in opt.param_groups:  # warm-up then cosine decay
            g["lr"] = lr * min(1.0, (step + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        starts = torch.randint(0, len(ids) - block - 1, (batch,), generator=gen)
        x = torch.stack([ids[s:s + block] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_ema = loss.item() if loss_ema is None else 0.98 * loss_ema + 0.02 * loss.item()
        if step % 200 == 0 and not steps:
            print(f"  step {step:5d}  loss {loss_ema:.3f}  {time.time() - start:5.0f}s", flush=True)
        step += 1
    model.eval()
    return loss_ema


# --------------------------------------------------------------------------- export + references
def export(model, hf_tok, out: Path, task: str = "text-generation-with-past", post_process: bool = True) -> None:
    from optimum.exporters.onnx import main_export

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "torch", Path(tmp) / "onnx"
        model.save_pretrained(src)
        hf_tok.save_pretrained(src)
        main_export(str(src), output=str(dst), task=task, device="cpu", no_post_process=not post_process)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for name in ("model.onnx", "config.json", "generation_config.json", "tokenizer.json"):
            if (dst / name).exists():
                shutil.copy(dst / name, out / name)
        if not (out / "tokenizer.json").exists():
            shutil.copy(src / "tokenizer.json", out / "tokenizer.json")


def reference(model, hf_tok, n_new: int = 20, through_eos: bool = False, prompt: str = PROMPT) -> dict:
    """What PyTorch reports for the model: the figures the inspector must reproduce.

    `through_eos`: greedy ids run on past the end-of-text token (a trained model ends its texts early).
    """

    cfg = model.config
    params = dict(model.named_parameters())
    biases = sum(p.numel() for n, p in params.items() if n.endswith("bias"))
    n_head = cfg.num_attention_heads
    arch = {
        "family": cfg.model_type,
        "n_layer": cfg.num_hidden_layers,
        "d_model": cfg.hidden_size,
        "n_head": n_head,
        "n_kv_head": _kv_heads(cfg),
        "head_dim": getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head,
        "vocab_size": cfg.vocab_size,
        # BLOOM has no context length (ALiBi), MPT spells it max_seq_len
        "context_length": next((v for k in ("n_positions", "max_position_embeddings", "max_seq_len")
                                if (v := getattr(cfg, k, None))), None),
        "tied_embeddings": bool(cfg.tie_word_embeddings),
    }
    ids = hf_tok(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, -1]
        top5 = torch.topk(torch.softmax(logits.double(), -1), 5)
        if through_eos:  # plain argmax over the whole sequence each step: generate() insists on stopping
            out = ids
            for _ in range(n_new):
                out = torch.cat([out, model(input_ids=out).logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        else:
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n_new, do_sample=False,
                                 pad_token_id=hf_tok.eos_token_id)
    return {
        "parameters": model.num_parameters(),
        "weights": model.num_parameters() - biases,
        "biases": biases,
        "parameter_names": {n: list(p.shape) for n, p in params.items()},
        "architecture": arch,
        "prompt": prompt,
        "prompt_ids": ids[0].tolist(),
        "greedy_ids": out[0, ids.shape[1]:].tolist(),
        "greedy_through_eos": through_eos,
        "top5_ids": top5.indices.tolist(),
        "top5_probs": top5.values.tolist(),
        "inside": inside_reference(model, ids[0].tolist(), out[0, ids.shape[1]:].tolist()),
        "torch": torch.__version__,
    }


def _kv_heads(cfg) -> int:
    """The key/value heads the family's attention builds: Falcon says `multi_query` (one head) or, with its new
    decoder architecture, `num_kv_heads`; the others say num_key_value_heads or nothing (one per query head)."""
    if cfg.model_type == "falcon":
        return cfg.num_kv_heads if cfg.new_decoder_architecture else 1 if cfg.multi_query else cfg.num_attention_heads
    return getattr(cfg, "num_key_value_heads", None) or cfg.num_attention_heads


INSIDE_STEPS = (0, 3)  # the prefill's last position, and the position after three greedy tokens
LENS_K = 5


def _final_norm(model):
    base = model.base_model if model.base_model is not model else model.model  # Gemma 3's text model: `model`
    base = getattr(base, "decoder", base)  # OPT keeps its blocks and final norm in a decoder
    for name in ("ln_f", "norm", "final_layer_norm", "final_layernorm", "norm_f"):
        if hasattr(base, name):
            return getattr(base, name)
    raise ValueError(f"no final norm found in {type(model).__name__}")


def _head_output(model, logits):
    """What the model does to its head's product before it is the logits: Granite divides by `logits_scaling`,
    Cohere multiplies by `logit_scale`, Gemma 2 soft-caps; the lens of every block goes through it, as the last
    block's (the model's own logits) does."""
    cfg = model.config
    if getattr(cfg, "logits_scaling", None):
        logits = logits / cfg.logits_scaling
    if getattr(cfg, "logit_scale", None) and cfg.model_type == "cohere":
        logits = logits * cfg.logit_scale
    if getattr(cfg, "final_logit_softcapping", None):
        logits = torch.tanh(logits / cfg.final_logit_softcapping) * cfg.final_logit_softcapping
    return logits


def inside_reference(model, prompt_ids: list[int], greedy_ids: list[int]) -> dict:
    """PyTorch's view of the inside of a step: eager attention's row for the last position, per layer and head,
    and the logit lens (each block's output through the final norm and the head; the last layer is the model's
    own logits), at the steps in INSIDE_STEPS."""
    implementation = model.config._attn_implementation
    model.set_attn_implementation("eager")  # the fused kernels do not return their probabilities
    norm, head = _final_norm(model), model.get_output_embeddings()
    steps = {}
    try:
        with torch.no_grad():
            for step in (s for s in INSIDE_STEPS if s <= len(greedy_ids)):
                ids = torch.tensor([prompt_ids + greedy_ids[:step]])
                out = model(input_ids=ids, output_attentions=True, output_hidden_states=True)
                lens = []
                for layer in range(model.config.num_hidden_layers):
                    if layer == model.config.num_hidden_layers - 1:
                        logits = out.logits[0, -1]
                    else:  # hidden_states[0] is the embedding; [layer + 1] is after block `layer`
                        logits = _head_output(model, head(norm(out.hidden_states[layer + 1][0, -1])))
                    top = torch.topk(torch.softmax(logits.double(), -1), LENS_K)
                    lens.append([[i, p] for i, p in zip(top.indices.tolist(), top.values.tolist())])
                steps[str(step)] = {"attention": [a[0, :, -1, :].tolist() for a in out.attentions], "lens": lens}
    finally:
        model.set_attn_implementation(implementation)
    return {"steps": steps, "k": LENS_K}


def write_reference(model, hf_tok, out: Path, **kw) -> None:
    with open(out / "reference.json", "w") as fh:
        json.dump(reference(model, hf_tok, **kw), fh, indent=1)


# --------------------------------------------------------------------------- layouts people download
SIDE_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")


def _optimum_export(model, hf_tok, tmp: Path, **kw) -> Path:
    """optimum's export of `model` into tmp/onnx (with its configs and tokenizer beside it)."""
    from optimum.exporters.onnx import main_export

    src, dst = tmp / "torch", tmp / "onnx"
    if not src.exists():
        model.save_pretrained(src)
        hf_tok.save_pretrained(src)
    main_export(str(src), output=str(dst), device="cpu", **kw)
    for name in SIDE_FILES:
        if not (dst / name).exists() and (src / name).exists():
            shutil.copy(src / name, dst / name)
    return dst


def _fresh(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return out


def to_fp16(src: Path, dst: Path) -> None:
    """An fp16 copy that onnxruntime accepts, with fp16 inputs and outputs as hub fp16 models have.

    onnxruntime's own converter, with `Cast` kept out of the conversion: onnxconverter-common's
    `convert_float_to_float16` looped without end on these graphs in our trial.
    """
    import onnx
    from onnxruntime.transformers import float16

    model = float16.convert_float_to_float16(onnx.load(src), keep_io_types=False,
                                             op_block_list=list(float16.DEFAULT_OP_BLOCK_LIST) + ["Cast"])
    onnx.save(model, dst)


def export_transformers_js(model, hf_tok, out: Path) -> None:
    """An onnx-community folder: configs and tokenizer on top, `onnx/model.onnx` (+ `model.onnx_data`)
    and `onnx/model_fp16.onnx` below, as transformers.js's conversion script lays them out."""
    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        dst = _optimum_export(model, hf_tok, Path(tmp), task="text-generation-with-past")
        _fresh(out)
        for name in SIDE_FILES:
            shutil.copy(dst / name, out / name)
        (out / "onnx").mkdir()
        onnx.save_model(onnx.load(dst / "model.onnx"), out / "onnx" / "model.onnx", save_as_external_data=True,
                        all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=1024)
        to_fp16(dst / "model.onnx", out / "onnx" / "model_fp16.onnx")


def export_optimum1(model, hf_tok, out: Path) -> None:
    """An optimum 1.x folder: decoder_model.onnx (no past in, present out), decoder_with_past_model.onnx
    and decoder_model_merged.onnx, whose weights sit behind an `If` on `use_cache_branch`.

    optimum-onnx no longer has the legacy flag: the no-past decoder is exported with an ONNX config
    that keeps the cache outputs without the cache inputs, and the two are merged with optimum's own
    `merge_decoders`.
    """
    import optimum.exporters.onnx.model_configs  # noqa: F401 - registers the ONNX configs with the TasksManager
    from optimum.exporters.tasks import TasksManager
    from optimum.onnx.graph_transformations import merge_decoders

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_config = TasksManager.get_exporter_config_constructor(
            "onnx", model, task="text-generation-with-past", library_name="transformers")
        no_past = make_config(model.config, task="text-generation", use_past=True, use_past_in_inputs=False)
        first = _optimum_export(model, hf_tok, tmp, task="text-generation-with-past",
                                custom_onnx_configs={"model": no_past}, no_post_process=True)
        shutil.move(first, tmp / "no_past")
        with_past = _optimum_export(model, hf_tok, tmp, task="text-generation-with-past")
        _fresh(out)
        for name in SIDE_FILES:
            shutil.copy(with_past / name, out / name)
        shutil.copy(tmp / "no_past" / "model.onnx", out / "decoder_model.onnx")
        shutil.copy(with_past / "model.onnx", out / "decoder_with_past_model.onnx")
        merge_decoders(out / "decoder_model.onnx", out / "decoder_with_past_model.onnx",
                       save_path=str(out / "decoder_model_merged.onnx"))


GENAI_VENV = HERE.parent / "build" / "genai-venv"
GENAI_PACKAGES = ["torch==2.13.0", "transformers>=5", "onnxruntime-genai", "onnx-ir"]


def genai_python() -> Path:
    """The genai builder's interpreter: its own venv, since it needs transformers >= 5."""
    py = GENAI_VENV / "bin" / "python"
    if not py.exists():
        import subprocess

        subprocess.run([sys.executable, "-m", "venv", str(GENAI_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *GENAI_PACKAGES], check=True)
    return py


def export_genai(model, hf_tok, out: Path, precision: str = "fp32") -> None:
    """What the official Phi, Llama and Qwen ONNX releases are: onnxruntime-genai's model builder output
    (`genai_config.json`, `model.onnx` + `model.onnx.data`, fused GroupQueryAttention and norms)."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "torch"
        model.save_pretrained(src)
        hf_tok.save_pretrained(src)
        _fresh(out)
        subprocess.run([str(genai_python()), "-m", "onnxruntime_genai.models.builder", "-i", str(src), "-o", str(out),
                        "-p", precision, "-e", "cpu", "-c", str(Path(tmp) / "cache")], check=True,
                       stdout=subprocess.DEVNULL)


CALIBRATION = ["The meaning of life is", "Love is a", "A fool and his money", "Never put off until tomorrow",
               "He who laughs last", "There is no time like", "The best things in life", "All that glitters"]


def quantized_variants(src: Path, out: Path, hf_tok) -> None:
    """Every quantized file a hub folder ships, made with onnxruntime's own quantizers as transformers.js's
    conversion script does: `_quantized` (dynamic int8), `_uint8`, `_q4` (MatMulNBits, block 32), `_q4f16`
    (q4 then fp16), `_bnb4` (NF4, block 64), and `_qdq` (static QDQ int8, per channel, calibrated)."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
    from onnxruntime.quantization.matmul_bnb4_quantizer import MatMulBnb4Quantizer
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    dynamic = {"MatMulConstBOnly": True, "EnableSubgraph": True}
    quantize_dynamic(src, out / "model_quantized.onnx", weight_type=QuantType.QInt8, extra_options=dynamic)
    quantize_dynamic(src, out / "model_uint8.onnx", weight_type=QuantType.QUInt8, extra_options=dynamic)
    q4 = MatMulNBitsQuantizer(onnx.load(src), block_size=32, is_symmetric=True)
    q4.process()
    onnx.save(q4.model.model, out / "model_q4.onnx")
    to_fp16(out / "model_q4.onnx", out / "model_q4f16.onnx")
    bnb4 = MatMulBnb4Quantizer(onnx.load(src), quant_type=MatMulBnb4Quantizer.NF4, block_size=64)
    bnb4.process()
    onnx.save(bnb4.model.model, out / "model_bnb4.onnx")
    class Calibration(CalibrationDataReader):
        """A few short prompts: what quantize_static measures the activations' ranges on."""

        def __init__(self):
            import numpy as np
            import onnxruntime as ort

            ins = {i.name: i for i in ort.InferenceSession(str(src), providers=["CPUExecutionProvider"]).get_inputs()}
            feeds = []
            for text in CALIBRATION:
                ids = hf_tok(text).input_ids
                f = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, len(ids)), np.int64)}
                if "position_ids" in ins:
                    f["position_ids"] = np.arange(len(ids), dtype=np.int64)[None]
                for name, i in ins.items():
                    if name.startswith("past_key_values"):
                        f[name] = np.zeros((1, i.shape[1], 0, i.shape[3]), np.float32)
                feeds.append(f)
            self.feeds = iter(feeds)

        def get_next(self):
            return next(self.feeds, None)

    quantize_static(src, out / "model_qdq.onnx", Calibration(), quant_format=QuantFormat.QDQ, per_channel=True,
                    weight_type=QuantType.QInt8, activation_type=QuantType.QUInt8,
                    op_types_to_quantize=["MatMul", "Gemm", "Gather"], extra_options={"MatMulConstBOnly": True})


def export_quantized(model, hf_tok, out: Path) -> None:
    """A hub folder of one model stored every way: configs on top, `onnx/model.onnx` and its quantized
    variants below.  The export keeps a tied head as the exporter's transposed copy, so each quantizer
    quantizes that copy too (the inspector must still count it once)."""
    with tempfile.TemporaryDirectory() as tmp:
        dst = _optimum_export(model, hf_tok, Path(tmp), task="text-generation-with-past", no_post_process=True)
        _fresh(out)
        for name in SIDE_FILES:
            shutil.copy(dst / name, out / name)
        (out / "onnx").mkdir()
        shutil.copy(dst / "model.onnx", out / "onnx" / "model.onnx")
        quantized_variants(out / "onnx" / "model.onnx", out / "onnx", hf_tok)


def export_genai_int4(model, hf_tok, out: Path) -> None:
    """onnxruntime-genai's int4 CPU build: MatMulNBits everywhere, GatherBlockQuantized for a tied embedding."""
    export_genai(model, hf_tok, out, precision="int4")


def record_variant_ids(out: Path, ref: dict) -> None:
    """Beside the float model's PyTorch answer: what plain onnxruntime generates on each other file (and on a
    float file that computes something else: onnxruntime-genai's OLMo normalises as RMSNorm, not LayerNorm)."""
    sys.path.insert(0, str(HERE.parent))
    from tests.ort_loop import plain_greedy

    files = sorted(p for p in out.rglob("*.onnx"))
    ref["variant_greedy_ids"] = {p.relative_to(out).as_posix(): plain_greedy(p, ref["prompt_ids"], len(ref["greedy_ids"]))
                                 for p in files}


# --------------------------------------------------------------------------- the families
def tiny(model_type: str, vocab: int, **kw):
    """A two-block model of `model_type` as transformers builds it, small enough to commit."""
    from transformers import AutoConfig, AutoModelForCausalLM

    base = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, intermediate_size=64,
                max_position_embeddings=128, bos_token_id=0, eos_token_id=0)
    # None for a base key: a key this family does not use; None for its own key: that setting off
    settings = {k: v for k, v in {**base, **kw}.items() if v is not None or k not in base}
    cfg = AutoConfig.for_model(model_type, **settings)
    with _absent_norm_biases_skipped():
        return AutoModelForCausalLM.from_config(cfg)


@contextlib.contextmanager
def _absent_norm_biases_skipped():
    """transformers 4.57's StableLM initialises every nn.LayerNorm's bias, and the per-head norms its
    `qk_layernorm` adds have none (AttributeError: 'NoneType' object has no attribute 'data'): those are
    given their scale of ones, as every other norm is, while a model is made from its config."""
    from transformers.models.stablelm import modeling_stablelm

    cls = modeling_stablelm.StableLmPreTrainedModel
    init = cls._init_weights

    def tolerant(self, module):
        if isinstance(module, torch.nn.LayerNorm) and module.bias is None:
            module.weight.data.fill_(1.0)
        else:
            init(self, module)

    cls._init_weights = tolerant
    try:
        yield
    finally:
        cls._init_weights = init


NARROW = dict(hidden_size=16, intermediate_size=32, tie_word_embeddings=True)  # the dense families' size

# name -> (model_type, config overrides, layouts); GroupQueryAttention needs head_dim % 16 == 0
FAMILY_FIXTURES = {
    "tiny-gpt-neox": ("gpt_neox", dict(num_attention_heads=4), ["optimum"]),
    "tiny-opt": ("opt", dict(num_attention_heads=4, ffn_dim=64, word_embed_proj_dim=32, pad_token_id=1),
                 ["optimum"]),
    "tiny-mistral": ("mistral", dict(num_attention_heads=2, num_key_value_heads=1, sliding_window=None),
                     ["optimum"]),
    "tiny-phi3": ("phi3", dict(num_attention_heads=2, num_key_value_heads=1, original_max_position_embeddings=128,
                               pad_token_id=0), ["optimum", "genai"]),
    "tiny-gemma": ("gemma", dict(num_attention_heads=4, num_key_value_heads=1, head_dim=16, pad_token_id=0),
                   ["optimum"]),
    "tiny-qwen2": ("qwen2", dict(num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True),
                   ["transformers.js", "genai", "genai-int4"]),
    "tiny-llama-gqa": ("llama", dict(num_attention_heads=2, num_key_value_heads=1), ["genai", "genai-int4", "quantized"]),
    "tiny-gpt2-legacy": ("gpt2", dict(n_head=4, n_positions=64, intermediate_size=None, max_position_embeddings=None),
                         ["optimum1", "quantized"]),
    # every other dense decoder optimum-onnx exports, 16 wide with a tied head (200–400 KB a file), each with
    # the options that make it itself switched on
    "tiny-arcee": ("arcee", dict(NARROW, num_attention_heads=2, num_key_value_heads=1), ["optimum"]),
    "tiny-bloom": ("bloom", dict(NARROW, n_head=2, intermediate_size=None, max_position_embeddings=None),
                   ["optimum"]),
    "tiny-codegen": ("codegen", dict(NARROW, n_head=4, rotary_dim=4, n_inner=32, intermediate_size=None),
                     ["optimum"]),  # heads in multiples of its mp_num (4): the fused qkv is interleaved by 4
    # a logit scale of 1/4 (Command R's 1/16 leaves a model this small untrained: all its candidates near 2 %)
    "tiny-cohere": ("cohere", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, use_qk_norm=True,
                                   logit_scale=0.25), ["optimum"]),
    # no soft cap on attention: PyTorch's default (sdpa) attention, which the exporter traces, ignores it, and
    # only eager attention (the inside reference's) applies it; the logits' soft cap stays
    "tiny-gemma2": ("gemma2", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                                   query_pre_attn_scalar=8, sliding_window=16, attn_logit_softcapping=None,
                                   pad_token_id=0), ["optimum"]),
    "tiny-gemma3": ("gemma3_text", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                                        query_pre_attn_scalar=8, sliding_window=16, pad_token_id=0), ["optimum"]),
    "tiny-glm": ("glm", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8, pad_token_id=0),
                 ["optimum"]),
    "tiny-gpt-bigcode": ("gpt_bigcode", dict(NARROW, n_head=2, n_inner=32, intermediate_size=None), ["optimum"]),
    "tiny-gpt-neo": ("gpt_neo", dict(NARROW, num_heads=2, num_layers=2, attention_types=[[["global", "local"], 1]],
                                     window_size=16), ["optimum"]),
    "tiny-gptj": ("gptj", dict(NARROW, n_head=2, rotary_dim=4, n_inner=32, intermediate_size=None), ["optimum"]),
    "tiny-granite": ("granite", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, embedding_multiplier=12.0,
                                     logits_scaling=8.0, residual_multiplier=0.22, attention_multiplier=0.125),
                     ["optimum"]),
    "tiny-helium": ("helium", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8, pad_token_id=0),
                    ["optimum"]),
    "tiny-mpt": ("mpt", dict(NARROW, n_heads=2, max_seq_len=128, intermediate_size=None, max_position_embeddings=None),
                 ["optimum"]),
    "tiny-nemotron": ("nemotron", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8),
                      ["optimum"]),
    # one head of 16: the genai builder's GroupQueryAttention wants head_dim % 16 == 0; its build stores OLMo's
    # LayerNorms, which have no parameters, with a scale of ones
    "tiny-olmo": ("olmo", dict(NARROW, num_attention_heads=1, num_key_value_heads=1, pad_token_id=0),
                  ["optimum", "genai"]),
    "tiny-olmo2": ("olmo2", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, pad_token_id=0),
                   ["optimum"]),
    "tiny-phi": ("phi", dict(NARROW, num_attention_heads=2), ["optimum"]),
    "tiny-qwen3": ("qwen3", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, head_dim=8), ["optimum"]),
    "tiny-smollm3": ("smollm3", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, pad_token_id=0,
                                     no_rope_layers=[1, 0]), ["optimum"]),
    "tiny-stablelm": ("stablelm", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, qk_layernorm=True,
                                       use_parallel_residual=True, use_qkv_bias=True), ["optimum"]),
    "tiny-llama3": ("llama", dict(NARROW, num_attention_heads=2, num_key_value_heads=1, rope_scaling=dict(
        rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
        original_max_position_embeddings=32)), ["optimum"]),
    "tiny-falcon": ("falcon", dict(NARROW, num_attention_heads=2, intermediate_size=None), ["optimum"]),  # multi_query
    # as many K/V heads as query heads: with fewer (Falcon-40B's 8 for 128) optimum-onnx's dummy cache has
    # num_kv_heads heads where transformers' Falcon caches its keys broadcast to num_heads, and the export fails
    "tiny-falcon-new": ("falcon", dict(NARROW, num_attention_heads=2, num_kv_heads=2, new_decoder_architecture=True,
                                       num_ln_in_parallel_attn=2, intermediate_size=None), ["optimum"]),
}
LAYOUT_FOLDER = {"optimum": "{name}", "transformers.js": "tjs-{family}", "optimum1": "optimum1-{family}",
                 "genai": "genai-{family}", "genai-int4": "genai-{family}-int4", "quantized": "quant-{family}"}
LAYOUT_EXPORT = {"optimum": export, "transformers.js": export_transformers_js, "optimum1": export_optimum1,
                 "genai": export_genai, "genai-int4": export_genai_int4, "quantized": export_quantized}
FIXTURE_STEPS = int(os.environ.get("FIXTURE_STEPS", 1500))  # a few seconds of training: peaked, language-like distributions whose greedy ids are robust


def build_families(only: list[str] | None = None) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    hf_tok = hf_tokenizer(tok)
    ids = torch.tensor(tok.encode(corpus_text()).ids, dtype=torch.long)
    fixtures = HERE / "fixtures"
    torch.set_num_threads(1)  # models this small train 8× faster on one thread than on two that contend
    for seed, (name, (model_type, overrides, layouts)) in enumerate(FAMILY_FIXTURES.items()):
        if only and name not in only:
            continue
        torch.manual_seed(100 + seed)
        model = tiny(model_type, len(hf_tok), **overrides)
        loss = train(model, ids, 0, block=64, batch=16, lr=3e-3, steps=FIXTURE_STEPS)
        family = model_type.replace("_", "-").replace("gpt-neox", "gptneox")
        for layout in layouts:
            out = fixtures / LAYOUT_FOLDER[layout].format(name=name, family=family)
            LAYOUT_EXPORT[layout](model, hf_tok, out)
            ref = reference(model, hf_tok, through_eos=True)
            record_variant_ids(out, ref)
            if layout not in ("quantized", "genai-int4") and all(
                    ids == ref["greedy_ids"] for ids in ref["variant_greedy_ids"].values()):
                del ref["variant_greedy_ids"]  # a float file that computes what PyTorch does: nothing to add
            with open(out / "reference.json", "w") as fh:
                json.dump(ref, fh, indent=1)
            print(f"fixture {out.name} ({layout}): {model.num_parameters()} parameters, loss {loss:.2f}")


# --------------------------------------------------------------------------- the models
def gpt2(vocab, n_layer, d, n_head, ctx, **kw):
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(vocab_size=vocab, n_layer=n_layer, n_embd=d, n_head=n_head, n_positions=ctx,
                     bos_token_id=0, eos_token_id=0, **kw)
    return GPT2LMHeadModel(cfg)


def llama(vocab, n_layer, d, n_head, n_kv, ff, ctx, tied):
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(vocab_size=vocab, num_hidden_layers=n_layer, hidden_size=d,
                      num_attention_heads=n_head, num_key_value_heads=n_kv, intermediate_size=ff,
                      max_position_embeddings=ctx, tie_word_embeddings=tied,
                      bos_token_id=0, eos_token_id=0)
    return LlamaForCausalLM(cfg)


def randomize_(model, std=0.05):
    """Give every parameter distinct values, as training would (HF initialises biases to 0)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name or "ln_" in name:
                p.add_(torch.randn_like(p) * std)


def train_sample(label: str, text: str, vocab: int, out: Path, trained_on: str, minutes: float,
                 prompt: str = PROMPT):
    """A small GPT-2 (4 layers, d 128, context 256) with its own byte-level BPE, trained on `text` for `minutes`,
    exported to `out` with its PyTorch reference (on `prompt`, in the model's language) and training.json."""
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 2)
    tok = train_tokenizer(text, vocab)
    hf_tok = hf_tokenizer(tok)
    ids = torch.tensor(tok.encode(text).ids, dtype=torch.long)
    print(f"{label}: {len(text) / 1e6:.2f} M characters, {len(ids) / 1e6:.2f} M tokens")
    model = gpt2(len(hf_tok), n_layer=4, d=128, n_head=4, ctx=256, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    loss = train(model, ids, minutes * 60, block=128, batch=24, lr=3e-3)
    export(model, hf_tok, out)
    write_reference(model, hf_tok, out, prompt=prompt)
    meta = {"trained_on": trained_on, "tokens": len(ids), "minutes": minutes, "final_loss": round(loss, 3)}
    with open(out / "training.json", "w") as fh:
        json.dump(meta, fh, indent=1, ensure_ascii=False)
    return tok


def build_sample(minutes: float) -> None:
    tok = train_sample("sample", corpus_text(), 2048, HERE / "fortune-gpt",
                       "Debian package 'fortunes' (all prose files)", minutes)
    tok.save(str(HERE / "tokenizer.json"))  # the fixtures share it


ZH_PROMPT = "春风"


def build_sample_zh(minutes: float) -> None:
    """The Chinese sample: the same small GPT-2, with its own byte-level BPE trained on Debian's fortunes-zh
    (sayings, 300 Tang poems, 100 Song lyrics), so a Chinese prompt gives Chinese text.  Byte-level BPE keeps
    the frequent characters whole and splits the rare ones into their UTF-8 bytes."""
    train_sample("sample-zh", corpus_zh(), 3000, HERE / "fortune-zh-gpt",
                 "Debian package 'fortunes-zh' (chinese, tang300, song100)", minutes, prompt=ZH_PROMPT)


SAMPLE_VARIANTS = ("model_fp16.onnx", "model_quantized.onnx")


def build_sample_variants() -> None:
    """The sample model as a hub folder ships it too, fp16 and dynamic int8, made from `fortune-gpt/model.onnx` by
    onnxruntime's own tools (without training it again).  No int4 file: the int4 quantizers take MatMul only, and
    GPT-2's blocks are Gemm, so a q4 file of it is the float model again (the fixtures' quant-llama has them)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = HERE / "fortune-gpt"
    src = out / "model.onnx"
    to_fp16(src, out / "model_fp16.onnx")
    quantize_dynamic(src, out / "model_quantized.onnx", weight_type=QuantType.QInt8,
                     extra_options={"MatMulConstBOnly": True})
    for name in SAMPLE_VARIANTS:
        print(f"sample variant {name}: {(out / name).stat().st_size / 1e6:.1f} MB")


def build_fixtures() -> None:
    from tokenizers import Tokenizer

    tok_path = HERE / "tokenizer.json"
    if not tok_path.exists():
        sys.exit("build the sample model first: it trains the tokenizer the fixtures share")
    hf_tok = hf_tokenizer(Tokenizer.from_file(str(tok_path)))
    vocab = len(hf_tok)
    fixtures = HERE / "fixtures"
    specs = {
        "tiny-gpt2": lambda: gpt2(vocab, 2, 64, 4, 128),
        "tiny-gpt2-zero-bias": lambda: gpt2(vocab, 3, 32, 2, 64),
        "tiny-llama": lambda: llama(vocab, 2, 64, 4, 2, 128, 128, tied=False),
        "tiny-llama-tied": lambda: llama(vocab, 1, 32, 4, 1, 64, 64, tied=True),
    }
    for seed, (name, make) in enumerate(specs.items()):
        torch.manual_seed(seed)
        model = make().eval()
        if name != "tiny-gpt2-zero-bias":  # that one keeps HF's zero biases for the exporter to dedupe
            randomize_(model)
        print(f"fixture {name}: {model.num_parameters()} parameters")
        # without optimum's post-processing the tied head stays a transposed copy of the embedding
        export(model, hf_tok, fixtures / name, post_process=name != "tiny-llama-tied")
        write_reference(model, hf_tok, fixtures / name)
    torch.manual_seed(0)
    model = gpt2(vocab, 2, 64, 4, 128).eval()
    randomize_(model)
    export(model, hf_tok, fixtures / "tiny-gpt2-nocache", task="text-generation")
    write_reference(model, hf_tok, fixtures / "tiny-gpt2-nocache")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="?", choices=["all", "sample", "sample-variants", "sample-zh", "fixtures",
                                                "families", "moe", "ablation", "heads"], default="all")
    ap.add_argument("--only", nargs="*", help="with 'families', 'moe' or 'ablation': just these fixtures")
    ap.add_argument("--minutes", type=float, default=5.0, help="training time for the sample GPT")
    args = ap.parse_args()
    if args.what in ("all", "sample"):
        build_sample(args.minutes)
    if args.what in ("all", "sample", "sample-variants"):
        build_sample_variants()
    if args.what in ("all", "sample-zh"):
        build_sample_zh(args.minutes)
    if args.what in ("all", "fixtures"):
        build_fixtures()
    if args.what in ("all", "families"):
        build_families(args.only)
    if args.what in ("all", "moe"):
        from moe_fixtures import build_moe  # mixtures of experts and genai sliding windows (issue 22)

        build_moe(args.only)
    if args.what in ("all", "heads"):
        from induction_model import build_induction_fixture  # beside this script (issue 25)

        build_induction_fixture()
    if args.what in ("all", "ablation"):  # from the fixtures' files: after they are built
        from ablation_reference import build_ablation_references

        build_ablation_references(args.only if args.what == "ablation" else None)


if __name__ == "__main__":
    main()
