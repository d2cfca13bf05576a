"""The scale view: what N parameters cost, and where this model sits beside published ones."""

from __future__ import annotations

from dataclasses import dataclass

BYTES_PER = {"fp32": 4.0, "fp16": 2.0, "int8": 1.0, "int4": 0.5}


@dataclass(frozen=True)
class Published:
    name: str
    family: str
    n_layer: int
    d_model: int
    vocab: int
    context: int
    ffn: int | None = None
    n_kv_head: int | None = None
    n_head: int | None = None
    tied: bool = True


PUBLISHED = [
    Published("GPT-2 small", "gpt2", 12, 768, 50257, 1024),
    Published("GPT-2 medium", "gpt2", 24, 1024, 50257, 1024),
    Published("GPT-2 large", "gpt2", 36, 1280, 50257, 1024),
    Published("GPT-2 XL (1.5B)", "gpt2", 48, 1600, 50257, 1024),
    Published("GPT-3 (175B)", "gpt2", 96, 12288, 50257, 2048),
    Published("Llama 2 7B", "llama", 32, 4096, 32000, 4096, ffn=11008, n_kv_head=32, n_head=32, tied=False),
]


def gpt2_parameters(n_layer: int, d: int, vocab: int, context: int, ffn: int | None = None) -> int:
    """GPT-2 block: attention 4d²+4d, MLP 2d·ff+ff+d, two LayerNorms 4d; 12d²+13d when ff = 4d."""
    ff = ffn or 4 * d
    block = 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d
    return n_layer * block + vocab * d + context * d + 2 * d


def llama_parameters(n_layer: int, d: int, vocab: int, ffn: int, kv_dim: int, tied: bool) -> int:
    """Llama block: q,o d², k,v d·kv_dim, gated MLP 3d·ff, two RMSNorms 2d; plus embedding, norm, head."""
    block = 2 * d * d + 2 * d * kv_dim + 3 * d * ffn + 2 * d
    return n_layer * block + vocab * d * (1 if tied else 2) + d


def formula_for(arch) -> tuple[str, int] | None:
    """The closed-form count for this architecture, or None when the family has none here."""
    L, d, V = arch.n_layer, arch.d_model, arch.vocab_size
    if not (L and d and V):
        return None
    if arch.family == "gpt2" and arch.context_length:
        ff = arch.ffn_dim or 4 * d
        text = "L·(12d² + 13d) + V·d + C·d + 2d" if ff == 4 * d else "L·(4d² + 2d·ff + ff + 9d) + V·d + C·d + 2d"
        return text, gpt2_parameters(L, d, V, arch.context_length, ff)
    if arch.family == "llama" and arch.ffn_dim and arch.n_kv_head and arch.head_dim:
        text = "L·(2d² + 2d·kv + 3d·ff + 2d) + V·d·(1 if tied else 2) + d"
        return text, llama_parameters(L, d, V, arch.ffn_dim, arch.n_kv_head * arch.head_dim, arch.tied_embeddings)
    return None


def published_parameters(p: Published) -> int:
    if p.family == "llama":
        return llama_parameters(p.n_layer, p.d_model, p.vocab, p.ffn, (p.n_kv_head * p.d_model) // p.n_head, p.tied)
    return gpt2_parameters(p.n_layer, p.d_model, p.vocab, p.context, p.ffn)


def scale_view(parameters: int, arch) -> dict:
    memory = {k: int(parameters * v) for k, v in BYTES_PER.items()}
    kv = None
    if arch.n_layer and arch.n_kv_head and arch.head_dim:
        per_elem = 2 * arch.n_layer * arch.n_kv_head * arch.head_dim  # keys and values
        kv = {"fp32": per_elem * 4, "fp16": per_elem * 2}
    formula = formula_for(arch)
    form = None
    if formula:
        text, value = formula
        form = {"family": arch.family, "formula": text, "value": value,
                "matches": value == parameters, "difference": parameters - value}
    published = []
    for p in PUBLISHED:
        n = published_parameters(p)
        published.append({"name": p.name, "n_layer": p.n_layer, "d_model": p.d_model, "parameters": n,
                          "times_this_model": n / parameters if parameters else None,
                          "fp16_bytes": n * 2})
    return {"memory_bytes": memory, "kv_cache_bytes_per_token": kv, "formula": form, "published": published}
