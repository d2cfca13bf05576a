"""A GPT-2 whose induction circuit is written into its weights, and PyTorch's reading of its heads, for
`python -m inspector heads` to equal (issue 25): `python sample_models/build.py heads` writes
`fixtures/tiny-induction`.  Build-time only (torch, transformers, optimum)."""

from __future__ import annotations

import json
import math

import torch

from ablation_reference import ablation_hooks
from build import HERE, export, gpt2, hf_tokenizer, train_tokenizer, write_reference

# --------------------------------------------------------------------------- a model with an induction circuit (issue 25)
# The sample model's heads spread their attention (no previous-token or induction head: see the README), and the
# small models trained here did not grow an induction circuit in thousands of steps on 2 CPU cores, so the `heads`
# reading is tested on a GPT-2 whose circuit is written into its weights, with the answer known: block 0 head 0
# attends to the previous position and copies that token into its own subspace of the residual stream, block 0 head
# 1 attends to position 0 (and writes nothing), block 1 head 0 matches the current token against those copies and
# writes the token that followed its earlier occurrence; the other heads attend evenly and write nothing, the MLPs
# are zero.  Built in PyTorch, exported by optimum like every fixture, read by PyTorch for the reference.
INDUCTION_FIXTURE = "tiny-induction"
INDUCTION_PROBE = (30, 0)  # the probe's length and seed of heads_reference.json


def induction_model(vocab: int, ctx: int = 128, seed: int = 0):
    """The model above: d 128 (token embedding in dims 0-31, sinusoidal positions in 32-63, the previous token's
    copy in 64-95), 4 heads of 32, two blocks, the head tied to the embedding."""
    d = 128
    tok, pos, prev = slice(0, 32), slice(32, 64), slice(64, 96)
    g = torch.Generator().manual_seed(seed)
    model = gpt2(vocab, 2, d, 4, ctx, n_inner=32, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    sd = {k: torch.zeros_like(v) for k, v in model.state_dict().items()}
    e = torch.randn(vocab, 32, generator=g)
    sd["transformer.wte.weight"][:, tok] = e - e.mean(1, keepdim=True)
    w = 0.3 + (math.pi - 0.6) * torch.rand(16, generator=g)  # 16 frequencies, no two alike: one peak per position
    t = torch.arange(ctx, dtype=torch.float32)[:, None]
    sd["transformer.wpe.weight"][:, 32:64:2] = math.sqrt(2) * torch.cos(w * t)
    sd["transformer.wpe.weight"][:, 33:64:2] = math.sqrt(2) * torch.sin(w * t)
    for name in sd:
        if name.endswith(("ln_1.weight", "ln_2.weight")):
            sd[name] = torch.ones_like(sd[name])
    sd["transformer.ln_f.weight"] = torch.full_like(sd["transformer.ln_f.weight"], 0.25)  # calmer logits
    back = torch.zeros(32, 32)  # a row p(t) times this is p(t - 1): each (cos, sin) pair turned back by its w
    for k in range(16):
        c, s_ = math.cos(w[k]), math.sin(w[k])
        back[2 * k:2 * k + 2, 2 * k:2 * k + 2] = torch.tensor([[c, -s_], [s_, c]])
    eye = torch.eye(32)
    w0, b0 = sd["transformer.h.0.attn.c_attn.weight"], sd["transformer.h.0.attn.c_attn.bias"]  # [d, q | k | v]
    w0[pos, 0:32], w0[pos, d:d + 32], w0[tok, 2 * d:2 * d + 32] = 4.0 * back, eye, eye  # previous token
    sd["transformer.h.0.attn.c_proj.weight"][0:32, prev] = 0.7 * eye
    b0[32:64:2] = 1.5  # head 1: a constant query on the cosines, which all peak at position 0
    w0[pos, d + 32:d + 64] = eye
    w1 = sd["transformer.h.1.attn.c_attn.weight"]
    w1[tok, 0:32], w1[prev, d:d + 32], w1[tok, 2 * d:2 * d + 32] = 6.0 * eye, eye, eye  # induction
    sd["transformer.h.1.attn.c_proj.weight"][0:32, tok] = 3.0 * eye
    sd["lm_head.weight"] = sd["transformer.wte.weight"]
    model.load_state_dict(sd)
    return model.eval()


def heads_reference(model, vocab: int, length: int, seed: int) -> dict:
    """PyTorch's reading of the heads on the inspector's probe: eager attention's mean weight on each pattern's
    position over the repeated half, and the loss rise with each head's slice of c_proj's input zeroed."""
    import numpy as np

    from inspector.engine.heads import ROLES, THRESHOLD, probe_ids

    ids = probe_ids(vocab, length, seed, 0, {0})
    second = 1 + length
    queries = np.arange(second, second + length)
    targets = {"previous-token": queries - 1, "induction": queries - length + 1, "first-token": queries * 0}

    def loss(start: int, stop: int, spec: str | None = None) -> float:
        handles = ablation_hooks(model, spec) if spec else []
        try:
            with torch.no_grad():
                lp = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0].double(), -1)
        finally:
            for h in handles:
                h.remove()
        return float(-lp[torch.arange(start - 1, stop - 1), torch.tensor(ids[start:stop])].mean())

    implementation = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        with torch.no_grad():
            attentions = model(input_ids=torch.tensor([ids]), output_attentions=True).attentions
    finally:
        model.set_attn_implementation(implementation)
    repeated = loss(second + 1, second + length)
    heads = []
    for b, a in enumerate(attentions):
        a = a[0].double().numpy()
        for h in range(a.shape[0]):
            scores = {r: float(a[h, queries, t].mean()) for r, t in targets.items()}
            best = max(ROLES, key=lambda r: scores[r])
            heads.append({"block": b, "head": h, "scores": scores, "role": best if scores[best] >= THRESHOLD else "none",
                          "loss_rise": loss(second + 1, second + length, f"{b}.{h}") - repeated})
    return {"ids": ids, "length": length, "seed": seed, "bos": 0, "loss_first": loss(2, second),
            "loss_repeated": repeated, "heads": heads, "torch": torch.__version__}


def build_induction_fixture() -> None:
    out = HERE / "fixtures" / INDUCTION_FIXTURE
    tok = train_tokenizer("", 257)  # the 256 bytes and <|endoftext|>, no merges
    hf_tok = hf_tokenizer(tok)
    vocab = len(hf_tok)
    model = induction_model(vocab)
    export(model, hf_tok, out)
    write_reference(model, hf_tok, out, through_eos=True)
    ref = heads_reference(model, vocab, *INDUCTION_PROBE)
    with open(out / "heads_reference.json", "w") as fh:
        json.dump(ref, fh, indent=1)
    roles = [h["role"] for h in ref["heads"]]
    print(f"fixture {INDUCTION_FIXTURE}: {model.num_parameters()} parameters; loss on the repeated half "
          f"{ref['loss_repeated']:.3f} (first half {ref['loss_first']:.3f}); roles {roles}")
