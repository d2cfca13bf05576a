"""The scale view: what N parameters cost, and where this model sits beside published ones."""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import joined, sentence
from ..model.architecture import Architecture

BYTES_PER = {"fp32": 4.0, "fp16": 2.0, "int8": 1.0, "int4": 0.5}
WHERE = sentence("{0}; {1}")  # the meanings of a formula's letters, one after the other
# latent attention's KV cache (the text view's line under "KV cache per token")
MLA_CACHE = sentence("latent attention's compressed cache: {0} + {1} values per layer (kv_lora_rank + the rotary key)")
AS_EXPORTED = sentence("this export caches whole keys and values: {0} fp32")


@dataclass(frozen=True)
class Published:
    name: str
    arch: Architecture


def _published(name: str, fam: str, n_layer: int, d: int, vocab: int, context: int, ffn: int | None = None,
               n_head: int | None = None, n_kv_head: int | None = None, tied: bool = True, head_dim: int | None = None,
               **moe) -> Published:
    hd = head_dim or (d // n_head if n_head else None)
    return Published(name, Architecture(family=fam, n_layer=n_layer, d_model=d, vocab_size=vocab,
                                        context_length=context, ffn_dim=ffn or 4 * d, n_head=n_head,
                                        n_kv_head=n_kv_head or n_head, head_dim=hd, tied_embeddings=tied, **moe))


PUBLISHED = [
    _published("GPT-2 small", "gpt2", 12, 768, 50257, 1024),
    _published("GPT-2 medium", "gpt2", 24, 1024, 50257, 1024),
    _published("GPT-2 large", "gpt2", 36, 1280, 50257, 1024),
    _published("GPT-2 XL (1.5B)", "gpt2", 48, 1600, 50257, 1024),
    _published("GPT-3 (175B)", "gpt2", 96, 12288, 50257, 2048),
    _published("Llama 2 7B", "llama", 32, 4096, 32000, 4096, ffn=11008, n_head=32, n_kv_head=32, tied=False),
    # mixtures of experts, from their published configs: the count and what one token uses
    _published("gpt-oss-120b", "gpt_oss", 36, 2880, 201088, 131072, n_head=64, n_kv_head=8, head_dim=64, tied=False,
               experts=128, experts_per_token=4, moe_ffn_dim=2880, moe_layers=list(range(36))),
    _published("Qwen3-235B-A22B", "qwen3_moe", 94, 4096, 151936, 40960, n_head=64, n_kv_head=4, head_dim=128,
               tied=False, experts=128, experts_per_token=8, moe_ffn_dim=1536, moe_layers=list(range(94))),
    _published("DeepSeek-V3", "deepseek_v3", 61, 7168, 129280, 163840, ffn=18432, n_head=128, head_dim=192, tied=False,
               experts=256, experts_per_token=8, shared_experts=1, moe_ffn_dim=2048, moe_layers=list(range(3, 61)),
               q_lora_rank=1536, kv_lora_rank=512, qk_rope_head_dim=64, v_head_dim=128),
]


def gpt2_parameters(n_layer: int, d: int, vocab: int, context: int, ffn: int | None = None) -> int:
    """GPT-2 as PyTorch counts it: L·(12d² + 13d) + V·d + C·d + 2d when ff = 4d."""
    return formula_for(Architecture(family="gpt2", n_layer=n_layer, d_model=d, vocab_size=vocab,
                                    context_length=context, ffn_dim=ffn or 4 * d, tied_embeddings=True))[1]


def active_for(arch: Architecture, parameters: int) -> int | None:
    """What one token uses of a mixture of experts built as `arch` says: all but the routed experts it does not
    use in each MoE block (None for a dense model)."""
    entry = arch.family_entry
    if entry is None or entry.expert is None or not (arch.experts and arch.experts_per_token and arch.moe_ffn_dim):
        return None
    blocks = len(arch.moe_layers) or arch.n_layer or 0
    return parameters - blocks * (arch.experts - arch.experts_per_token) * entry.expert(arch)


def formula_for(arch: Architecture) -> tuple[str, int] | None:
    """The family's closed-form count for this architecture, or None when it has none or a size is unknown."""
    entry = arch.family_entry
    if entry is None or entry.formula is None or not (arch.n_layer and arch.d_model and arch.vocab_size):
        return None
    value = entry.formula(arch)
    return None if value is None else (entry.formula_text, value)


def scale_view(parameters: int, arch: Architecture) -> dict:
    memory = {k: int(parameters * v) for k, v in BYTES_PER.items()}
    kv = None
    if arch.n_layer and arch.n_kv_head and arch.head_dim:
        per_elem = arch.n_layer * arch.n_kv_head * (arch.head_dim + (arch.v_head_dim or arch.head_dim))  # keys, values
        kv = {"fp32": per_elem * 4, "fp16": per_elem * 2}
    if arch.n_layer and arch.kv_lora_rank and arch.qk_rope_head_dim:
        # latent attention caches one compressed vector and the shared rotary key per token and layer; an export
        # that caches whole keys and values (as transformers' eager code does) holds `as_exported` instead
        latent = arch.n_layer * (arch.kv_lora_rank + arch.qk_rope_head_dim)
        exported = kv
        kv = {"fp32": latent * 4, "fp16": latent * 2, "latent": True, "as_exported": exported}
    formula = formula_for(arch)
    form = None
    if formula:
        text, value = formula
        entry = arch.family_entry
        # "(1|2)": the head's matrix counted once when tied, twice when not; this model's case is known
        text = text.replace("·(1|2)", "" if arch.tied_embeddings else "·2")
        form = {"family": entry.name, "label": entry.label, "formula": text, "where": joined(entry.formula_where, WHERE),
                "value": value, "matches": value == parameters, "difference": parameters - value}
    published = []
    for p in PUBLISHED:
        n = formula_for(p.arch)[1]
        published.append({"name": p.name, "n_layer": p.arch.n_layer, "d_model": p.arch.d_model, "parameters": n,
                          "active_parameters": active_for(p.arch, n),
                          "times_this_model": n / parameters if parameters else None,
                          "fp16_bytes": n * 2})
    return {"memory_bytes": memory, "kv_cache_bytes_per_token": kv, "formula": form, "published": published}
