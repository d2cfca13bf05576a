"""Rebuild the bundled sample model and the test fixtures with the real exporter.

Build-time only: needs torch, transformers, optimum-onnx and accelerate (never runtime
dependencies of the app).  Run from the repository root:

    pip install torch==2.13.0 "transformers<4.58" optimum-onnx accelerate
    apt-get install fortunes          # the offline English text the sample GPT learns from
    python sample_models/build.py             # everything
    python sample_models/build.py fixtures    # only the small test models

Each model folder gets `model.onnx`, `config.json`, `tokenizer.json` and, for fixtures,
`reference.json`: what PyTorch itself says about the model (parameter counts,
architecture, greedy ids, first-step top-5), recorded at build time so tests compare the
inspector against the framework that made the model.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
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
def train(model, ids: torch.Tensor, seconds: float, block: int, batch: int, lr: float) -> float:
    """Plain AdamW loop on random windows, stopped by the wall clock."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(0)
    model.train()
    start, step, loss_ema = time.time(), 0, None
    while time.time() - start < seconds:
        frac = (time.time() - start) / seconds
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
        if step % 200 == 0:
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


def reference(model, hf_tok, n_new: int = 20) -> dict:
    """What PyTorch reports for the model: the figures the inspector must reproduce."""
    cfg = model.config
    params = dict(model.named_parameters())
    biases = sum(p.numel() for n, p in params.items() if n.endswith("bias"))
    n_head = cfg.num_attention_heads
    arch = {
        "family": cfg.model_type,
        "n_layer": cfg.num_hidden_layers,
        "d_model": cfg.hidden_size,
        "n_head": n_head,
        "n_kv_head": getattr(cfg, "num_key_value_heads", None) or n_head,
        "head_dim": getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head,
        "vocab_size": cfg.vocab_size,
        "context_length": getattr(cfg, "n_positions", None) or cfg.max_position_embeddings,
        "tied_embeddings": bool(cfg.tie_word_embeddings),
    }
    ids = hf_tok(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, -1]
        top5 = torch.topk(torch.softmax(logits.double(), -1), 5)
        out = model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=n_new, do_sample=False,
            pad_token_id=hf_tok.eos_token_id,
        )
    return {
        "parameters": model.num_parameters(),
        "weights": model.num_parameters() - biases,
        "biases": biases,
        "parameter_names": {n: list(p.shape) for n, p in params.items()},
        "architecture": arch,
        "prompt": PROMPT,
        "prompt_ids": ids[0].tolist(),
        "greedy_ids": out[0, ids.shape[1]:].tolist(),
        "top5_ids": top5.indices.tolist(),
        "top5_probs": top5.values.tolist(),
        "torch": torch.__version__,
    }


def write_reference(model, hf_tok, out: Path) -> None:
    with open(out / "reference.json", "w") as fh:
        json.dump(reference(model, hf_tok), fh, indent=1)


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


def build_sample(minutes: float) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 2)
    text = corpus_text()
    tok = train_tokenizer(text, 2048)
    hf_tok = hf_tokenizer(tok)
    ids = torch.tensor(tok.encode(text).ids, dtype=torch.long)
    print(f"sample: {len(text) / 1e6:.1f} MB of text, {len(ids) / 1e6:.2f} M tokens")
    model = gpt2(len(hf_tok), n_layer=4, d=128, n_head=4, ctx=256,
                 resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    loss = train(model, ids, minutes * 60, block=128, batch=24, lr=3e-3)
    out = HERE / "fortune-gpt"
    export(model, hf_tok, out)
    meta = {"trained_on": "Debian package 'fortunes' (all prose files)", "tokens": len(ids),
            "minutes": minutes, "final_loss": round(loss, 3)}
    write_reference(model, hf_tok, out)
    with open(out / "training.json", "w") as fh:
        json.dump(meta, fh, indent=1)
    tok.save(str(HERE / "tokenizer.json"))


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
    ap.add_argument("what", nargs="?", choices=["all", "sample", "fixtures"], default="all")
    ap.add_argument("--minutes", type=float, default=5.0, help="training time for the sample GPT")
    args = ap.parse_args()
    if args.what in ("all", "sample"):
        build_sample(args.minutes)
    if args.what in ("all", "fixtures"):
        build_fixtures()


if __name__ == "__main__":
    main()
