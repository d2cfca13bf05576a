"""The mixture-of-experts fixtures and the onnxruntime-genai builds with sliding windows (issue 22).

    python sample_models/build.py moe [--only NAME …]

Each model is a tiny `transformers` model trained as the family fixtures are (build.py's `train`), exported by
the real tools: optimum (one MatMul per expert where the model loops over experts; gpt-oss's stacked
parameters) and onnxruntime-genai's builder (the `MoE` op, GroupQueryAttention with a sliding window and a
shared past/present buffer).  Beside each, `reference.json` holds PyTorch's answers: the count and split,
greedy ids, the MoE figures (experts, experts per token, shared experts, active parameters) and, at every
greedy step, the experts each MoE layer's router chose and their weights — read by hooks on the routers.
A genai build's reference also holds onnxruntime-genai's own greedy ids for the file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import torch

import build
from build import HERE, export, export_genai, genai_python, hf_tokenizer, reference, tiny, train

N_NEW = 20
MOE_STEPS = 1000  # training steps (FIXTURE_STEPS overrides): peaked, robust greedy ids for models this small
N_WINDOW = 60  # a genai build with a sliding window of 32 is read past it
GQA = dict(num_attention_heads=4, num_key_value_heads=2, head_dim=16)  # the genai builder: rotary part % 8 == 0
# name -> (model_type, config overrides, layouts)
MOE_FIXTURES = {
    "tiny-gpt-oss": ("gpt_oss", dict(**GQA, intermediate_size=32, num_local_experts=8, num_experts_per_tok=2,
                                     sliding_window=32, layer_types=["sliding_attention", "full_attention"],
                                     pad_token_id=0), ["optimum", "genai"]),  # gpt-oss's own YaRN settings: the
    # genai builder's YaRN needs its original context (4,096) to exceed what the rotary frequencies span
    "tiny-qwen3-moe": ("qwen3_moe", dict(**GQA, moe_intermediate_size=32, num_experts=8, num_experts_per_tok=2,
                                         norm_topk_prob=True, pad_token_id=0), ["optimum"]),
    "tiny-deepseek-v3": ("deepseek_v3", dict(num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=4,
                                             q_lora_rank=24, kv_lora_rank=16, qk_rope_head_dim=8, qk_nope_head_dim=8,
                                             v_head_dim=8, head_dim=8, n_routed_experts=8, n_shared_experts=1,
                                             num_experts_per_tok=2, n_group=2, topk_group=1, moe_intermediate_size=16,
                                             first_k_dense_replace=1, routed_scaling_factor=2.5, norm_topk_prob=True,
                                             rope_interleave=True, pad_token_id=0), ["every-expert", "one-token"]),
    "gemma2": ("gemma2", dict(num_attention_heads=2, num_key_value_heads=1, head_dim=16, sliding_window=32,
                              query_pre_attn_scalar=16, pad_token_id=0), ["genai", "genai-int4"]),
    "qwen3": ("qwen3", dict(num_attention_heads=2, num_key_value_heads=1, head_dim=16, pad_token_id=0), ["genai"]),
}
FOLDER = {"optimum": "{name}", "every-expert": "{name}", "one-token": "{name}-lost", "genai": "genai-{family}", "genai-int4": "genai-{family}-int4"}


# ----------------------------------------------------------------------------- what PyTorch's routers chose
def _router_modules(model) -> list[tuple[int, torch.nn.Module]]:
    """(block index, the module whose output is the routing) for each MoE block."""
    out = []
    for i, layer in enumerate(model.model.layers):
        mlp = layer.mlp
        router = getattr(mlp, "router", None) or (getattr(mlp, "gate", None) if hasattr(mlp, "experts") else None)
        if router is not None:
            out.append((i, router))
    return out


def _choice(model_type: str, output, k: int, norm: bool) -> list[list]:
    """The last position's [expert, weight] pairs from a router module's output, as the model uses them."""
    if model_type == "gpt_oss":  # (scores scattered over the experts, indices)
        scores, indices = output
        idx = indices[-1].tolist()
        return [[int(e), float(scores[-1, e])] for e in idx]
    if model_type == "deepseek_v3":  # (indices, weights): sigmoid, bias-corrected group choice, scaled
        indices, weights = output
        pairs = sorted(zip(indices[-1].tolist(), weights[-1].tolist()), key=lambda p: -p[1])
        return [[int(e), float(w)] for e, w in pairs]
    logits = output.reshape(-1, output.shape[-1])[-1]  # a Linear gate's logits: softmax, top-k (Qwen3-MoE)
    probs = torch.softmax(logits.float(), -1)
    w, idx = torch.topk(probs, k)
    if norm:
        w = w / w.sum()
    return [[int(e), float(p)] for e, p in zip(idx.tolist(), w.tolist())]


def routing_reference(model, prompt_ids: list[int], greedy_ids: list[int]) -> list[list]:
    """Per greedy step (0: the prefill's last position), per MoE block: [[expert, weight], …] most weighted first."""
    cfg = model.config
    k = cfg.num_experts_per_tok
    seen: dict[int, object] = {}
    hooks = [m.register_forward_hook(lambda _m, _i, out, b=b: seen.__setitem__(b, out))
             for b, m in _router_modules(model)]
    steps = []
    try:
        with torch.no_grad():
            for step in range(len(greedy_ids)):
                seen.clear()
                model(input_ids=torch.tensor([prompt_ids + greedy_ids[:step]]))
                steps.append([sorted(_choice(cfg.model_type, seen[b], k, getattr(cfg, "norm_topk_prob", False)),
                                     key=lambda p: -p[1]) for b in sorted(seen)])
    finally:
        for h in hooks:
            h.remove()
    return steps


def _experts_of(mlp):
    return getattr(mlp, "experts", None)


def moe_reference(model, prompt_ids: list[int], greedy_ids: list[int]) -> dict | None:
    """The MoE figures as PyTorch has them: routed experts per MoE block, how many a token uses, shared experts,
    and the active parameters (everything but the routed experts a token does not use), and the routing."""
    cfg = model.config
    blocks = [(i, layer.mlp) for i, layer in enumerate(model.model.layers) if _experts_of(layer.mlp) is not None]
    if not blocks:
        return None
    k = cfg.num_experts_per_tok
    unused = 0
    experts = None
    for _i, mlp in blocks:
        ex = _experts_of(mlp)
        if isinstance(ex, torch.nn.ModuleList):
            experts = len(ex)
            per_expert = sum(p.numel() for p in ex[0].parameters())
        else:  # stacked: every parameter's first axis is the expert
            experts = next(ex.parameters()).shape[0]
            per_expert = sum(p.numel() for p in ex.parameters()) // experts
        unused += (experts - k) * per_expert
    total = model.num_parameters()
    return {"layers": [i for i, _m in blocks], "experts": experts, "experts_per_token": k,
            "shared_experts": getattr(cfg, "n_shared_experts", 0) or 0, "active_parameters": total - unused,
            "routing": routing_reference(model, prompt_ids, greedy_ids),
            "buffers": {n: list(b.shape) for n, b in model.named_buffers() if "correction" in n}}


# ----------------------------------------------------------------------------- onnxruntime-genai's own ids
GENAI_GREEDY = """
import json, sys
import onnxruntime_genai as og
folder, ids, n = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
model = og.Model(folder)
params = og.GeneratorParams(model)
params.set_search_options(do_sample=False)  # max_length: genai_config.json's (a window needs room)
gen = og.Generator(model, params)
gen.append_tokens(ids)
out = []
while not gen.is_done() and len(out) < n:
    gen.generate_next_token()
    out.append(int(gen.get_next_tokens()[0]))
print(json.dumps(out))
"""


def genai_greedy(folder: Path, prompt_ids: list[int], n: int) -> list[int]:
    """The greedy ids onnxruntime-genai itself generates on a build (its runtime, its cache handling)."""
    done = subprocess.run([str(genai_python()), "-c", GENAI_GREEDY, str(folder), json.dumps(prompt_ids), str(n)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- building
ONE_TOKEN = dict(batch_size=1, sequence_length=2, past_sequence_length=2)  # two tokens: optimum's mask needs two
EVERY_EXPERT = dict(batch_size=16, sequence_length=128)


def export_traced(model, hf_tok, out: Path, **shapes) -> None:
    """optimum's export traced on a dummy input of the given shapes.  A model that loops over the experts its router
    picked (DeepSeek-V3 in transformers) is traced only through the experts the dummy tokens used: on two tokens
    (ONE_TOKEN) the file holds at most the 2k experts they used — the lost-experts case, made deterministic; optimum's default
    dummy input (2 × 16 tokens) lost 7 of 16 routed experts on a trial build; EVERY_EXPERT's 2,048 tokens reach them
    all (checked below; 256 left one unreached after training)."""
    with tempfile.TemporaryDirectory() as tmp:
        dst = build._optimum_export(model, hf_tok, Path(tmp), task="text-generation-with-past",
                                    do_validation=False, **shapes)
        build._fresh(out)
        for name in ("model.onnx", "config.json", "generation_config.json", "tokenizer.json"):
            if (dst / name).exists():
                shutil.copy(dst / name, out / name)


def _randomize_buffers(model, seed: int) -> None:
    """DeepSeek's router bias (`e_score_correction_bias`, a buffer the training loop adjusts outside the
    optimizer) made non-zero, so the fixture's routing depends on it as the real model's does."""
    g = torch.Generator().manual_seed(seed)
    for name, buf in model.named_buffers():
        if name.endswith("e_score_correction_bias"):
            buf.copy_(torch.randn(buf.shape, generator=g) * 0.05)


def _check_every_expert(out: Path, moe: dict) -> None:
    """The export holds one MatMul per projection of every routed expert of every MoE block."""
    import onnx

    names = [n.name for n in onnx.load(out / "model.onnx").graph.node if n.op_type == "MatMul"]
    for block in moe["layers"]:
        held = {e for e in range(moe["experts"]) if any(f"layers.{block}/mlp/experts.{e}/" in n for n in names)}
        if len(held) != moe["experts"]:
            raise SystemExit(f"{out.name}: block {block} holds experts {sorted(held)} of {moe['experts']}")


def build_moe(only: list[str] | None = None) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    hf_tok = hf_tokenizer(tok)
    ids = torch.tensor(tok.encode(build.corpus_text()).ids, dtype=torch.long)
    fixtures = HERE / "fixtures"
    steps = int(os.environ.get("FIXTURE_STEPS", MOE_STEPS))
    for seed, (name, (model_type, overrides, layouts)) in enumerate(MOE_FIXTURES.items()):
        if only and name not in only:
            continue
        torch.manual_seed(300 + seed)
        model = tiny(model_type, len(hf_tok), **overrides)
        loss = train(model, ids, 0, block=64, batch=16, lr=3e-3, steps=steps)
        _randomize_buffers(model, 300 + seed)
        family = model_type.replace("_", "-")
        for layout in layouts:
            out = fixtures / FOLDER[layout].format(name=name, family=family)
            if layout == "optimum":
                export(model, hf_tok, out)
            elif layout in ("one-token", "every-expert"):
                export_traced(model, hf_tok, out, **(ONE_TOKEN if layout == "one-token" else EVERY_EXPERT))
            else:
                export_genai(model, hf_tok, out, precision="int4" if layout == "genai-int4" else "fp32")
            n_new = N_WINDOW if layout.startswith("genai") else N_NEW
            ref = reference(model, hf_tok, n_new=n_new, through_eos=True)
            moe = moe_reference(model, ref["prompt_ids"], ref["greedy_ids"])
            if moe is not None:
                ref["moe"] = moe
            if layout.startswith("genai"):
                ref["genai_greedy_ids"] = genai_greedy(out, ref["prompt_ids"], n_new)
            if layout == "every-expert":
                _check_every_expert(out, moe)
            with open(out / "reference.json", "w") as fh:
                json.dump(ref, fh, indent=1)
            size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
            print(f"fixture {out.name} ({layout}): {model.num_parameters()} parameters, loss {loss:.2f}, {size:.2f} MB")
