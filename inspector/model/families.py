"""What the inspector knows about each model family, one entry each.

An entry says how the family's exports name their modules (which module is which role), how
to recognise an export of it from the graph alone, where its learned positions start, and its
parameter formula.  config.json's `model_type` (or genai_config.json's `model.type`) names the
family when there is one; the graph only tells families apart where their structure differs
(a Mistral export is a Llama export with another name).  Adding a family is adding an entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..messages import sentence

if TYPE_CHECKING:
    from .architecture import Architecture

# roles inside a block, in the order their patterns are tried (fused ones before their parts; a mixture of
# experts' parts before the dense MLP's: an expert's gate_proj is not the block's; the norms after a sublayer
# after norm.mlp: under every family's names a post_attention_layernorm is a Llama's norm before the MLP, and a
# family whose own names say otherwise (Gemma 2) takes it back through Family.own_role)
BLOCK_ROLE_ORDER = ("moe.router", "moe.shared.gate", "moe.shared.up", "moe.shared.down", "moe.experts.gate_up",
                    "moe.experts.gate", "moe.experts.up", "moe.experts.down", "attn.sinks", "attn.q_a", "attn.q_a_norm",
                    "attn.q_b", "attn.kv_a", "attn.kv_a_norm", "attn.kv_b", "attn.q_norm", "attn.k_norm", "attn.qkv",
                    "attn.q", "attn.k", "attn.v", "attn.out", "mlp.gate_up", "mlp.gate", "mlp.up", "mlp.down",
                    "norm.attn", "norm.mlp", "norm.attn_post", "norm.mlp_post")
TOP_ROLE_ORDER = ("embed.position", "embed.norm", "embed.token", "lm_head", "norm.final")


@dataclass(frozen=True)
class Facts:
    """What the graph shows about a model, enough to tell the families' structures apart."""

    paths: frozenset[str]  # module paths of the parameters (torch names and consuming node names)
    roles: frozenset[tuple[str, str]]  # (role, kind) present
    embed_scaled: bool = False  # the token embedding is multiplied by sqrt(d_model) (Gemma)
    grouped_kv: bool = False  # fewer key/value heads than query heads (multi-query or grouped-query attention)

    def has(self, role: str, kind: str = "weight") -> bool:
        return (role, kind) in self.roles

    def named(self, pattern: str) -> bool:
        rx = re.compile(pattern)
        return any(rx.search(p) for p in self.paths)


@dataclass(frozen=True)
class Family:
    name: str  # as config.json's model_type spells it
    label: str  # as people write it
    structure: str  # what the graph can tell apart: "gpt2", "neox", "opt", "gated", "plain", "moe"
    block_roles: dict[str, tuple[str, ...]]  # role -> module names below a block (regex fragments)
    top_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    recognise: Callable[[Facts], bool] | None = None  # None: only config.json can name it
    formula_text: str = ""  # short enough for one card row
    formula_where: tuple[str, ...] = ()  # what its letters stand for, one sentence each (a card row each)
    formula: Callable[["Architecture"], int | None] | None = None
    position_offset: int = 0  # rows of the learned position table before position 0 (OPT: 2)
    # config.json's word for what its generic keys do not say (Falcon's key/value heads, MPT's spellings)
    config_fields: Callable[[dict], dict] | None = None
    parameterless_norms: bool = False  # its norms have no scale (OLMo): a stored scale of ones is not a parameter
    expert: Callable[["Architecture"], int] | None = None  # a mixture of experts: one routed expert's parameters

    def __post_init__(self) -> None:
        """Each meaning of the letters is one of the core's sentences (messages.py), said in the reader's language."""
        where = (self.formula_where,) if isinstance(self.formula_where, str) else self.formula_where
        object.__setattr__(self, "formula_where", tuple(sentence(w) for w in where if w))

    def own_role(self, below: str) -> str | None:
        """The role this family's own module names give a path below a block (None: they do not name it)."""
        return next((role for role, rx in _own_patterns(self) if rx.search(below)), None)


# ----------------------------------------------------------------------------- formulas
def _gpt_block(d: int, ff: int) -> int:
    """LayerNorm, fused or separate q/k/v/out with biases, a two-layer MLP with biases, LayerNorm."""
    return 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d


def _untied(a: "Architecture") -> int:
    return 0 if a.tied_embeddings else a.vocab_size * a.d_model


def _gpt2(a: "Architecture") -> int | None:
    if not a.context_length:
        return None
    d = a.d_model
    return a.n_layer * _gpt_block(d, a.ffn_dim or 4 * d) + a.vocab_size * d + a.context_length * d + 2 * d + _untied(a)


def _neox(a: "Architecture") -> int | None:
    d = a.d_model
    return a.n_layer * _gpt_block(d, a.ffn_dim or 4 * d) + a.vocab_size * d + 2 * d + _untied(a)


def _opt(a: "Architecture") -> int | None:
    if not a.context_length or not a.ffn_dim:
        return None
    d = a.d_model
    return a.n_layer * _gpt_block(d, a.ffn_dim) + a.vocab_size * d + (a.context_length + 2) * d + 2 * d + _untied(a)


def _gated(a: "Architecture", qkv_bias: bool = False) -> int | None:
    if not (a.ffn_dim and a.n_head and a.n_kv_head and a.head_dim):
        return None
    d, q, kv = a.d_model, a.n_head * a.head_dim, a.n_kv_head * a.head_dim
    block = 2 * d * q + 2 * d * kv + 3 * d * a.ffn_dim + 2 * d + ((q + 2 * kv) if qkv_bias else 0)
    return a.n_layer * block + a.vocab_size * d + d + _untied(a)


def _heads(a: "Architecture") -> tuple[int, int, int, int] | None:
    """(d, q, kv, hd): the width, the query and key/value projections' widths, the head size."""
    if not (a.n_head and a.n_kv_head and a.head_dim):
        return None
    return a.d_model, a.n_head * a.head_dim, a.n_kv_head * a.head_dim, a.head_dim


def _rope_block(a: "Architecture", mlp: int, norms: int, extra: int = 0, final: int = 1,
                head_bias: int = 0) -> int | None:
    """A rotary family's count: q, k, v, o projections, an MLP of `mlp` d×ff matrices, `norms` d-wide
    vectors per block and `extra` more; the embedding, an untied head (and its bias) and `final` d-wide vectors."""
    hq = _heads(a)
    if hq is None or not a.ffn_dim:
        return None
    d, q, kv, _hd = hq
    block = 2 * d * q + 2 * d * kv + mlp * d * a.ffn_dim + norms * d + extra
    return a.n_layer * block + a.vocab_size * d + final * d + _untied(a) + head_bias


def _qk_norms(a: "Architecture", per_head_dim: bool, optional: bool = False) -> int:
    """The q and k norms' scales: one per head dim (Qwen3, Gemma 3: 2hd) or one per query and key channel
    (OLMo 2, Cohere, StableLM: q + kv); `optional`: only where the blocks hold them (a config option)."""
    hq = _heads(a)
    if hq is None or (optional and not a.holds("attn.q_norm")):
        return 0
    return 2 * hq[3] if per_head_dim else hq[1] + hq[2]


def _norms(a: "Architecture", *roles: str) -> int:
    """How many of these norm roles a block holds (at least one)."""
    return max(1, sum(a.holds(r) for r in roles))


def _qkv_biases(a: "Architecture") -> int:
    hq = _heads(a)
    return hq[1] + 2 * hq[2] if hq and (a.holds("attn.q", "bias") or a.holds("attn.qkv", "bias")) else 0


def _gpt_like(a: "Architecture", per_block: int, top: int, positions: bool = False) -> int | None:
    """Families with d = heads·hd and no grouped keys: `per_block` and `top` given the MLP width ff."""
    if positions and not a.context_length:
        return None
    return a.n_layer * per_block + a.vocab_size * a.d_model + (a.context_length * a.d_model if positions else 0) \
        + top + _untied(a)


def _ff(a: "Architecture") -> int:
    return a.ffn_dim or 4 * a.d_model


def _bigcode(a: "Architecture") -> int | None:
    """GPT-2's blocks with one fused c_attn of d + 2·kv outputs (multi-query: a single K/V head)."""
    hq = _heads(a)
    if hq is None:
        return None
    d, _q, kv, _hd = hq
    ff = _ff(a)
    return _gpt_like(a, 2 * d * d + 2 * d * kv + 2 * d * ff + ff + 7 * d + 2 * kv, 2 * d, positions=True)


def _falcon(a: "Architecture") -> int | None:
    hq = _heads(a)
    if hq is None:
        return None
    d, q, kv, _hd = hq
    ff = _ff(a)
    biases = q + 2 * kv + ff + 2 * d if a.holds("attn.qkv", "bias") else 0
    block = 2 * d * q + 2 * d * kv + 2 * d * ff + 2 * d * _norms(a, "norm.attn", "norm.mlp") + biases
    return a.n_layer * block + a.vocab_size * d + 2 * d + _untied(a)


def _stablelm(a: "Architecture") -> int | None:
    return _rope_block(a, 3, 2 * _norms(a, "norm.attn", "norm.mlp"), _qkv_biases(a) + _qk_norms(a, False, True),
                       final=2)


def _phi(a: "Architecture") -> int | None:
    hq = _heads(a)
    if hq is None or not a.ffn_dim:
        return None
    d, q, kv, hd = hq
    qk = 4 * hd if a.holds("attn.q_norm") else 0  # q and k LayerNorms with biases, over one head
    return _rope_block(a, 2, 4, q + 2 * kv + a.ffn_dim + qk, final=2, head_bias=a.vocab_size)


GATED_TEXT = "L·(2d·q + 2d·kv + 3d·ff + 2d) + V·d·(1|2) + d"
QKV = "q = heads·hd, kv = kv_heads·hd"
FF = "ff = MLP width"
UNTIED_TWICE = "V·d twice if the head is untied"
IF_UNTIED = "V·d twice if untied"
GATED_WHERE = ("q = heads·hd, kv = kv_heads·hd (hd: head dim)", UNTIED_TWICE)
QKV_BIAS_TEXT = "L·(2d·q + 2d·kv + 3d·ff + 2d + q + 2kv) + V·d·(1|2) + d"
QKV_BIAS_WHERE = (QKV, "q + 2kv: the q, k, v biases", IF_UNTIED)
PARALLEL_TEXT = "L·(4d² + 2d·ff + ff + 3d) + V·d·(1|2) + V + 2d"
CONTEXT = "C = context"
ALIBI = "no position table (ALiBi)"
MULTI_QUERY = "one K/V head with multi_query"
ONE_NORM = "one LayerNorm per block (attention and MLP in parallel)"
HEAD_BIAS = "V: the head's bias"
SANDWICH_NORMS = "4d: norms before and after attention and MLP"
QK_PER_HEAD_DIM = "2hd: the q and k norms (one scale per head dim)"
QK_PER_HEAD = "n = q + kv with per-head q and k norms"
RELU2 = "a two-matrix MLP (up, ReLU², down)"
PARALLEL_WHERE = (FF, ONE_NORM, "q, k, v and out without biases", HEAD_BIAS, IF_UNTIED)
RELU2_WHERE = (QKV, RELU2, IF_UNTIED)
GPT_WHERE = ("ff = MLP width (12d² + 13d per block when ff = 4d)", CONTEXT)

# ----------------------------------------------------------------------------- module names
LLAMA_BLOCK = {
    "attn.q": (r"q_proj", r"wq"), "attn.k": (r"k_proj", r"wk"), "attn.v": (r"v_proj", r"wv"),
    "attn.out": (r"(self_attn|attn|attention)\.o_proj", r"attention\.wo"),
    "mlp.gate": (r"gate_proj", r"feed_forward\.w1"), "mlp.up": (r"up_proj", r"feed_forward\.w3"),
    "mlp.down": (r"down_proj", r"feed_forward\.w2"),
    "norm.attn": (r"input_layernorm", r"attention_norm"), "norm.mlp": (r"post_attention_layernorm", r"ffn_norm"),
}
LLAMA_TOP = {"embed.token": (r"embed_tokens", r"tok_embeddings"), "lm_head": (r"lm_head", r"output"),
             "norm.final": (r"norm",)}


def _gated_shape(f: Facts) -> bool:
    return f.has("mlp.gate") or f.has("mlp.gate_up")


# ----------------------------------------------------------------------------- mixtures of experts
def _moe_blocks(a: "Architecture") -> tuple[int, int] | None:
    """(MoE blocks, dense blocks), or None while the experts' sizes are unknown."""
    if not (a.experts and a.moe_ffn_dim and a.n_layer):
        return None
    moe = len(a.moe_layers) or a.n_layer
    return moe, a.n_layer - moe


def _gpt_oss(a: "Architecture") -> int | None:
    """Biased q/k/v/o projections, a sink per head, a biased router and experts with biases on both products."""
    blocks = _moe_blocks(a)
    if blocks is None or not (a.n_head and a.n_kv_head and a.head_dim):
        return None
    d, q, kv, E, ff = a.d_model, a.n_head * a.head_dim, a.n_kv_head * a.head_dim, a.experts, a.moe_ffn_dim
    block = 2 * d * q + 2 * d * kv + q + 2 * kv + d + a.n_head + 2 * d + E * (d + 1) + E * (3 * d * ff + 2 * ff + d)
    return a.n_layer * block + a.vocab_size * d + d + _untied(a)


def _qwen3_moe(a: "Architecture") -> int | None:
    """Llama's attention with a norm on each query and key head; routed experts (a bias-free router) in the MoE
    blocks, a gated MLP in the dense ones."""
    blocks = _moe_blocks(a)
    if blocks is None or not (a.n_head and a.n_kv_head and a.head_dim):
        return None
    moe, dense = blocks
    d, q, kv, E, ff = a.d_model, a.n_head * a.head_dim, a.n_kv_head * a.head_dim, a.experts, a.moe_ffn_dim
    attn = 2 * d * q + 2 * d * kv + 2 * a.head_dim + 2 * d
    return a.n_layer * attn + moe * E * (d + 3 * d * ff) + dense * 3 * d * (a.ffn_dim or 0) + a.vocab_size * d + d \
        + _untied(a)


def _deepseek_v3(a: "Architecture") -> int | None:
    """Latent attention (low-rank query, compressed key/value with a shared rotary key), a gated MLP in the first
    dense blocks, then routed and shared experts (the router's correction bias is a buffer, not counted)."""
    blocks = _moe_blocks(a)
    if blocks is None or not (a.n_head and a.kv_lora_rank and a.qk_rope_head_dim and a.v_head_dim and a.head_dim):
        return None
    moe, dense = blocks
    d, H, E, ff = a.d_model, a.n_head, a.experts, a.moe_ffn_dim
    qk, rope, v, rkv = a.head_dim, a.qk_rope_head_dim, a.v_head_dim, a.kv_lora_rank
    q = (d * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * H * qk) if a.q_lora_rank else d * H * qk
    attn = q + d * (rkv + rope) + rkv + rkv * H * (qk - rope + v) + H * v * d + 2 * d
    experts = E * d + E * 3 * d * ff + (a.shared_experts or 0) * 3 * d * ff
    return a.n_layer * attn + moe * experts + dense * 3 * d * (a.ffn_dim or 0) + a.vocab_size * d + d + _untied(a)


DENSE_BLOCKS = "Ld dense blocks of width ffd"
MOE_FAMILIES: list[Family] = [
    Family("gpt_oss", "gpt-oss", "moe", {}, LLAMA_TOP, recognise=lambda f: f.has("attn.sinks"),
           formula_text="L·(2d·q + 2d·kv + q + 2kv + 3d + H + E·(d + 1) + E·(3d·ff + 2ff + d)) + V·d·(1|2) + d",
           formula_where=(QKV, "H = heads (a sink each)", "E = experts, ff = an expert's width",
                          "biases on q, k, v, o, the router and both expert products"),
           formula=_gpt_oss, expert=lambda a: 3 * a.d_model * a.moe_ffn_dim + 2 * a.moe_ffn_dim + a.d_model),
    Family("deepseek_v3", "DeepSeek-V3", "moe", {}, LLAMA_TOP, recognise=lambda f: f.has("attn.kv_a"),
           formula_text="L·(d·rq + rq + rq·H·qk + d·(rkv + r) + rkv + rkv·H·(qk − r + v) + H·v·d + 2d) "
                        "+ Lm·(E·d + (E + S)·3d·ff) + Ld·3d·ffd + V·d·(1|2) + d",
           formula_where=("rq, rkv = q_lora_rank, kv_lora_rank", "qk = nope + rope (r) head dims, v = value head dim",
                          "Lm MoE blocks of E routed and S shared experts of width ff", DENSE_BLOCKS),
           formula=_deepseek_v3, expert=lambda a: 3 * a.d_model * a.moe_ffn_dim),
    Family("qwen3_moe", "Qwen3-MoE", "moe", {}, LLAMA_TOP,
           recognise=lambda f: f.has("moe.experts.gate") or f.has("moe.experts.gate_up"),
           formula_text="L·(2d·q + 2d·kv + 2hd + 2d) + Lm·E·(d + 3d·ff) + Ld·3d·ffd + V·d·(1|2) + d",
           formula_where=(QKV, "2hd: the q and k norms", "Lm MoE blocks of E experts of width ff (the router: E·d)",
                          DENSE_BLOCKS),
           formula=_qwen3_moe, expert=lambda a: 3 * a.d_model * a.moe_ffn_dim),
]


def _llama_named(f: Facts) -> bool:
    """Llama's module names (q/k/v/o projections, an up and a down projection)."""
    return f.named(r"(^|\.)o_proj(\.|$)") and f.named(r"(^|\.)up_proj(\.|$)")


QK_NORM = {"attn.q_norm": (r"q_norm", r"q_layernorm"), "attn.k_norm": (r"k_norm", r"k_layernorm")}
SANDWICH = {"norm.attn": (r"input_layernorm",), "norm.attn_post": (r"post_attention_layernorm",),
            "norm.mlp": (r"pre_feedforward_layernorm",), "norm.mlp_post": (r"post_feedforward_layernorm",)}
LLAMA_PROJECTIONS = {role: names for role, names in LLAMA_BLOCK.items() if not role.startswith("norm.")}
BLOOM_BLOCK = {"attn.qkv": (r"query_key_value",), "attn.out": (r"self_attention\.dense",),
               "mlp.up": (r"dense_h_to_4h",), "mlp.down": (r"dense_4h_to_h",),
               "norm.attn": (r"input_layernorm", r"ln_attn"), "norm.mlp": (r"post_attention_layernorm", r"ln_mlp")}
BLOOM_TOP = {"embed.token": (r"word_embeddings",), "embed.norm": (r"word_embeddings_layernorm",),
             "lm_head": (r"lm_head",), "norm.final": (r"ln_f",)}
GPTJ_TOP = {"embed.token": (r"wte",), "lm_head": (r"lm_head",), "norm.final": (r"ln_f",)}
GPT2_BLOCK = {"attn.qkv": (r"c_attn",), "attn.out": (r"attn\.c_proj",), "mlp.up": (r"c_fc",),
              "mlp.down": (r"mlp\.c_proj",), "norm.attn": (r"ln_1",), "norm.mlp": (r"ln_2",)}
GPT2_TOP = {"embed.token": (r"wte",), "embed.position": (r"wpe",), "lm_head": (r"lm_head",), "norm.final": (r"ln_f",)}


def _falcon_config(c: dict) -> dict:
    """Falcon's key/value heads: `num_kv_heads` in the new decoder architecture, else one (multi_query) or one
    per query head (its config keeps a num_kv_heads even where the attention does not use it); its MLP width."""
    heads = c.get("num_attention_heads") or c.get("n_head")
    if c.get("new_decoder_architecture"):
        kv = c.get("num_kv_heads") or heads
    else:
        kv = 1 if c.get("multi_query", True) else heads
    out = {"num_key_value_heads": kv} if isinstance(kv, int) else {}
    return {**out, "intermediate_size": c["ffn_hidden_size"]} if isinstance(c.get("ffn_hidden_size"), int) else out


def _bigcode_config(c: dict) -> dict:
    heads = c.get("n_head") or c.get("num_attention_heads")
    kv = 1 if c.get("multi_query", True) else heads
    return {"num_key_value_heads": kv} if isinstance(kv, int) else {}


def _mpt_config(c: dict) -> dict:
    """MPT's spellings; its MLP is 4·d whatever `expansion_ratio` says (transformers' MptMLP)."""
    return {k: c[m] for k, m in (("num_attention_heads", "n_heads"), ("num_hidden_layers", "n_layers"),
                                 ("max_position_embeddings", "max_seq_len")) if m in c}


FAMILIES: list[Family] = MOE_FAMILIES + [
    # families whose structure the graph tells apart, most specific first (recognise: the first match wins)
    Family("gpt_bigcode", "GPT-BigCode", "gpt2", GPT2_BLOCK, GPT2_TOP,
           recognise=lambda f: f.named(r"(^|\.)c_attn(\.|$)") and f.grouped_kv,
           formula_text="L·(2d² + 2d·kv + 2d·ff + ff + 7d + 2kv) + V·d·(1|2) + C·d + 2d",
           formula_where=("kv = kv_heads·hd", MULTI_QUERY, FF, CONTEXT, IF_UNTIED), formula=_bigcode,
           config_fields=_bigcode_config),
    Family("gpt_neo", "GPT-Neo", "gpt2",
           {"attn.q": (r"q_proj",), "attn.k": (r"k_proj",), "attn.v": (r"v_proj",),
            "attn.out": (r"attention\.out_proj",), "mlp.up": (r"c_fc",), "mlp.down": (r"mlp\.c_proj",),
            "norm.attn": (r"ln_1",), "norm.mlp": (r"ln_2",)}, GPT2_TOP,
           recognise=lambda f: f.named(r"(^|\.)attn\.attention(\.|$)"),
           formula_text="L·(4d² + 2d·ff + ff + 6d) + V·d·(1|2) + C·d + 2d",
           formula_where=(FF, "q, k, v without biases", CONTEXT, IF_UNTIED),
           formula=lambda a: _gpt_like(a, 4 * a.d_model ** 2 + 2 * a.d_model * _ff(a) + _ff(a) + 6 * a.d_model,
                                       2 * a.d_model, positions=True)),
    Family("bloom", "BLOOM", "neox", BLOOM_BLOCK, BLOOM_TOP,
           recognise=lambda f: f.named(r"(^|\.)word_embeddings_layernorm(\.|$)"),
           formula_text="L·(4d² + 2d·ff + ff + 9d) + V·d·(1|2) + 4d",
           formula_where=("ff = MLP width (4d)", "4d: the LayerNorms after the embedding and at the end", ALIBI,
                          IF_UNTIED),
           formula=lambda a: _gpt_like(a, 4 * a.d_model ** 2 + 2 * a.d_model * _ff(a) + _ff(a) + 9 * a.d_model,
                                       4 * a.d_model)),
    Family("falcon", "Falcon", "neox", BLOOM_BLOCK, BLOOM_TOP,
           recognise=lambda f: f.named(r"(^|\.)(self_attention\.query_key_value|ln_attn)(\.|$)"),
           formula_text="L·(2d·q + 2d·kv + 2d·ff + 2d·N + b) + V·d·(1|2) + 2d",
           formula_where=(QKV, MULTI_QUERY,
                          "N LayerNorms per block (1 read by attention and MLP in parallel, 2 with ln_attn and ln_mlp)",
                          "b = q + 2kv + ff + 2d with biases", IF_UNTIED),
           formula=_falcon, config_fields=_falcon_config),
    Family("mpt", "MPT", "neox",
           {"attn.qkv": (r"Wqkv",), "attn.out": (r"attn\.out_proj",), "mlp.up": (r"ffn\.up_proj",),
            "mlp.down": (r"ffn\.down_proj",), "norm.attn": (r"norm_1",), "norm.mlp": (r"norm_2",)},
           {"embed.token": (r"wte",), "lm_head": (r"lm_head",), "norm.final": (r"norm_f",)},
           recognise=lambda f: f.named(r"(^|\.)(Wqkv|norm_1)(\.|$)"),
           formula_text="L·(4d² + 2d·ff + 2d) + V·d·(1|2) + d",
           formula_where=("ff = MLP width (4d)", "no biases (LayerNorm scales only)", ALIBI, IF_UNTIED),
           formula=lambda a: _gpt_like(a, 4 * a.d_model ** 2 + 2 * a.d_model * _ff(a) + 2 * a.d_model, a.d_model),
           config_fields=_mpt_config),
    Family("codegen", "CodeGen", "neox",
           {"attn.qkv": (r"attn\.qkv_proj",), "attn.out": (r"attn\.out_proj",), "mlp.up": (r"fc_in",),
            "mlp.down": (r"fc_out",), "norm.attn": (r"ln_1",)}, GPTJ_TOP,
           recognise=lambda f: f.named(r"(^|\.)qkv_proj(\.|$)") and f.named(r"(^|\.)fc_in(\.|$)"),
           formula_text=PARALLEL_TEXT, formula_where=PARALLEL_WHERE,
           formula=lambda a: _gpt_like(a, 4 * a.d_model ** 2 + 2 * a.d_model * _ff(a) + _ff(a) + 3 * a.d_model,
                                       2 * a.d_model + a.vocab_size)),
    Family("gptj", "GPT-J", "neox",
           {"attn.q": (r"q_proj",), "attn.k": (r"k_proj",), "attn.v": (r"v_proj",), "attn.out": (r"attn\.out_proj",),
            "mlp.up": (r"fc_in",), "mlp.down": (r"fc_out",), "norm.attn": (r"ln_1",)}, GPTJ_TOP,
           recognise=lambda f: f.named(r"(^|\.)fc_in(\.|$)"),
           formula_text=PARALLEL_TEXT, formula_where=PARALLEL_WHERE,
           formula=lambda a: _gpt_like(a, 4 * a.d_model ** 2 + 2 * a.d_model * _ff(a) + _ff(a) + 3 * a.d_model,
                                       2 * a.d_model + a.vocab_size)),
    Family("phi", "Phi", "neox",
           {"attn.q": (r"q_proj",), "attn.k": (r"k_proj",), "attn.v": (r"v_proj",), "attn.out": (r"self_attn\.dense",),
            **QK_NORM, "mlp.up": (r"fc1",), "mlp.down": (r"fc2",), "norm.attn": (r"input_layernorm",)},
           {"embed.token": (r"embed_tokens",), "lm_head": (r"lm_head",), "norm.final": (r"final_layernorm",)},
           recognise=lambda f: f.named(r"(^|\.)self_attn\.dense(\.|$)"),
           formula_text="L·(2d·q + 2d·kv + 2d·ff + q + 2kv + ff + 4d + n) + V·d·(1|2) + V + 2d",
           formula_where=(QKV, "every projection has a bias", ONE_NORM, "n = 4hd with q and k LayerNorms", HEAD_BIAS,
                          IF_UNTIED), formula=_phi),
    Family("glm", "GLM", "gated", {**LLAMA_BLOCK, "mlp.gate_up": (r"gate_up_proj",)}, LLAMA_TOP,
           recognise=lambda f: f.has("mlp.gate_up") and f.has("attn.q", "bias"),
           formula_text=QKV_BIAS_TEXT, formula_where=QKV_BIAS_WHERE, formula=lambda a: _gated(a, qkv_bias=True)),
    Family("gemma3_text", "Gemma 3", "gated", {**LLAMA_BLOCK, **SANDWICH, **QK_NORM}, LLAMA_TOP,
           recognise=lambda f: f.named(r"(^|\.)pre_feedforward_layernorm(\.|$)") and f.has("attn.q_norm"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + 4d + 2hd) + V·d·(1|2) + d",
           formula_where=(QKV, SANDWICH_NORMS, QK_PER_HEAD_DIM, IF_UNTIED),
           formula=lambda a: _rope_block(a, 3, 4, _qk_norms(a, True))),
    Family("gemma2", "Gemma 2", "gated", {**LLAMA_BLOCK, **SANDWICH}, LLAMA_TOP,
           recognise=lambda f: f.named(r"(^|\.)pre_feedforward_layernorm(\.|$)"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + 4d) + V·d·(1|2) + d",
           formula_where=(QKV, SANDWICH_NORMS, IF_UNTIED), formula=lambda a: _rope_block(a, 3, 4)),
    Family("olmo2", "OLMo 2", "gated",
           {**LLAMA_PROJECTIONS, **QK_NORM, "norm.attn_post": (r"post_attention_layernorm",),
            "norm.mlp_post": (r"post_feedforward_layernorm",)}, LLAMA_TOP,
           recognise=lambda f: f.named(r"(^|\.)post_feedforward_layernorm(\.|$)"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + 2d + q + kv) + V·d·(1|2) + d",
           formula_where=(QKV, "2d: the norms after attention and after the MLP",
                          "q + kv: the q and k norms (over every head)", IF_UNTIED),
           formula=lambda a: _rope_block(a, 3, 2, _qk_norms(a, False))),
    Family("stablelm", "StableLM", "gated", {**LLAMA_BLOCK, **QK_NORM}, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and f.has("norm.attn", "bias"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + 2d·N + b + n) + V·d·(1|2) + 2d",
           formula_where=(QKV, "N LayerNorms with biases per block (2, or 1 with the parallel residual)",
                          "b = q + 2kv with q, k, v biases", QK_PER_HEAD, IF_UNTIED), formula=_stablelm),
    Family("cohere", "Cohere", "gated", {**LLAMA_BLOCK, **QK_NORM}, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and f.has("norm.attn") and not f.has("norm.mlp"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + d + n) + V·d·(1|2) + d",
           formula_where=(QKV, "d: one LayerNorm scale per block (attention and MLP in parallel)", QK_PER_HEAD,
                          IF_UNTIED),
           formula=lambda a: _rope_block(a, 3, 1, _qk_norms(a, False, True))),
    Family("olmo", "OLMo", "gated", LLAMA_BLOCK, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and not any(f.has(r) for r in ("norm.attn", "norm.mlp", "norm")),
           formula_text="L·(2d·q + 2d·kv + 3d·ff) + V·d·(1|2)",
           formula_where=(QKV, "OLMo's LayerNorms have no parameters", IF_UNTIED),
           formula=lambda a: _rope_block(a, 3, 0, final=0), parameterless_norms=True),
    Family("qwen3", "Qwen3", "gated", {**LLAMA_BLOCK, **QK_NORM}, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and f.has("attn.q_norm"),
           formula_text="L·(2d·q + 2d·kv + 3d·ff + 2d + 2hd) + V·d·(1|2) + d",
           formula_where=(QKV, QK_PER_HEAD_DIM, IF_UNTIED),
           formula=lambda a: _rope_block(a, 3, 2, _qk_norms(a, True))),
    Family("nemotron", "Nemotron", "plain", LLAMA_BLOCK, LLAMA_TOP,
           recognise=lambda f: _llama_named(f) and not _gated_shape(f) and f.has("norm.attn", "bias"),
           formula_text="L·(2d·q + 2d·kv + 2d·ff + 4d) + V·d·(1|2) + 2d",
           formula_where=(QKV, RELU2, "LayerNorms with biases", IF_UNTIED),
           formula=lambda a: _rope_block(a, 2, 4, final=2)),
    Family("arcee", "Arcee", "plain", LLAMA_BLOCK, LLAMA_TOP,
           recognise=lambda f: _llama_named(f) and not _gated_shape(f),
           formula_text="L·(2d·q + 2d·kv + 2d·ff + 2d) + V·d·(1|2) + d", formula_where=RELU2_WHERE,
           formula=lambda a: _rope_block(a, 2, 2)),
    # the eight families the inspector started with
    Family("gpt2", "GPT-2", "gpt2",
           {"attn.qkv": (r"c_attn",), "attn.out": (r"attn\.c_proj",), "mlp.up": (r"c_fc",),
            "mlp.down": (r"mlp\.c_proj",), "norm.attn": (r"ln_1",), "norm.mlp": (r"ln_2",)},
           {"embed.token": (r"wte",), "embed.position": (r"wpe",), "lm_head": (r"lm_head",), "norm.final": (r"ln_f",)},
           recognise=lambda f: f.named(r"(^|\.)(c_attn|wpe)(\.|$)"),
           formula_text="L·(4d² + 2d·ff + ff + 9d) + V·d + C·d + 2d", formula_where=GPT_WHERE, formula=_gpt2),
    Family("gpt_neox", "GPT-NeoX", "neox",
           {"attn.qkv": (r"query_key_value",), "attn.out": (r"attention\.dense",), "mlp.up": (r"dense_h_to_4h",),
            "mlp.down": (r"dense_4h_to_h",), "norm.attn": (r"input_layernorm",),
            "norm.mlp": (r"post_attention_layernorm",)},
           {"embed.token": (r"embed_in",), "lm_head": (r"embed_out",), "norm.final": (r"final_layer_norm",)},
           recognise=lambda f: f.named(r"(^|\.)(query_key_value|embed_in|gpt_neox)(\.|$)"),
           formula_text="L·(4d² + 2d·ff + ff + 9d) + V·d·(1|2) + 2d",
           formula_where=(FF, "V·d twice if the head is untied (NeoX's default)"), formula=_neox),
    Family("opt", "OPT", "opt",
           {"attn.q": (r"q_proj",), "attn.k": (r"k_proj",), "attn.v": (r"v_proj",),
            "attn.out": (r"self_attn\.out_proj",), "mlp.up": (r"fc1",), "mlp.down": (r"fc2",),
            "norm.attn": (r"self_attn_layer_norm",), "norm.mlp": (r"final_layer_norm",)},
           {"embed.token": (r"embed_tokens",), "embed.position": (r"embed_positions",), "lm_head": (r"lm_head",),
            "norm.final": (r"final_layer_norm",)},
           recognise=lambda f: f.named(r"(^|\.)(self_attn_layer_norm|embed_positions)(\.|$)"),
           formula_text="L·(4d² + 2d·ff + ff + 9d) + V·d + (C + 2)·d + 2d",
           formula_where=(FF, "OPT's position table starts 2 rows in"), formula=_opt, position_offset=2),
    Family("phi3", "Phi-3", "gated",
           {**LLAMA_BLOCK, "attn.qkv": (r"self_attn\.qkv_proj",), "mlp.gate_up": (r"gate_up_proj",)}, LLAMA_TOP,
           recognise=lambda f: f.named(r"(self_attn\.qkv_proj|gate_up_proj)(\.|$)"),
           formula_text=GATED_TEXT, formula_where=GATED_WHERE, formula=_gated),
    Family("qwen2", "Qwen2", "gated", LLAMA_BLOCK, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and (f.has("attn.q", "bias") or f.has("attn.qkv", "bias"))
           and not f.has("attn.out", "bias"),
           formula_text=QKV_BIAS_TEXT, formula_where=QKV_BIAS_WHERE, formula=lambda a: _gated(a, qkv_bias=True)),
    Family("gemma", "Gemma", "gated", LLAMA_BLOCK, LLAMA_TOP,
           recognise=lambda f: _gated_shape(f) and f.embed_scaled, formula_text=GATED_TEXT,
           formula_where=GATED_WHERE, formula=_gated),
    Family("llama", "Llama", "gated", LLAMA_BLOCK, LLAMA_TOP, recognise=_gated_shape,
           formula_text=GATED_TEXT, formula_where=GATED_WHERE, formula=_gated),
    Family("mistral", "Mistral", "gated", LLAMA_BLOCK, LLAMA_TOP, formula_text=GATED_TEXT,
           formula_where=GATED_WHERE, formula=_gated),
    # Llama's structure under other names: only config.json tells them apart (Granite's multipliers and
    # SmolLM3's layers without rotary change no parameter)
    Family("granite", "Granite", "gated", LLAMA_BLOCK, LLAMA_TOP, formula_text=GATED_TEXT,
           formula_where=GATED_WHERE, formula=_gated),
    Family("helium", "Helium", "gated", LLAMA_BLOCK, LLAMA_TOP, formula_text=GATED_TEXT,
           formula_where=GATED_WHERE, formula=_gated),
    Family("smollm3", "SmolLM3", "gated", LLAMA_BLOCK, LLAMA_TOP, formula_text=GATED_TEXT,
           formula_where=GATED_WHERE, formula=_gated),
]
BY_NAME = {f.name: f for f in FAMILIES}

# names exporters give whatever the family: onnxruntime-genai's builder fuses q/k/v into `attn.qkv_proj` and
# names the final norm as if it were one more block
EXPORTER_BLOCK_ROLES = {"attn.qkv": (r"attn\.qkv_proj",), "attn.out": (r"attn\.o_proj",)}
NOT_A_BLOCK = re.compile(r"(^|\.)final_norm(_layernorm)?(\.|$)")
# module names other exports use (families without an entry): roles, no formula
OTHER_BLOCK_ROLES = {
    "attn.qkv": (r"Wqkv", r"qkv", r"in_proj"), "attn.q": (r"query", r"q"), "attn.k": (r"key", r"k"),
    "attn.v": (r"value", r"v"), "attn.out": (r"(attn|attention|self_attn)\.(dense|out_proj|c_proj|wo)",),
    "mlp.gate": (r"w1", r"gate"), "mlp.up": (r"fc_in", r"fc1", r"w3", r"up"), "mlp.down": (r"fc_out", r"fc2", r"w2", r"down"),
    "norm.attn": (r"ln1", r"norm1"), "norm.mlp": (r"ln2", r"norm2"),
}
OTHER_TOP_ROLES = {"embed.position": (r"position_embeddings", r"pos_emb"),
                   "embed.token": (r"word_embeddings", r"tok_emb"),
                   "norm.final": (r"final_layernorm", r"norm_f")}


_OWN: dict[str, list[tuple[str, re.Pattern]]] = {}


def _own_patterns(f: Family) -> list[tuple[str, re.Pattern]]:
    """A family's own module names, one pattern per role in role order, compiled once."""
    if f.name not in _OWN:
        _OWN[f.name] = [(r, _compile(list(f.block_roles[r]))) for r in BLOCK_ROLE_ORDER if r in f.block_roles]
    return _OWN[f.name]


# mixtures of experts, attention sinks and multi-head latent attention: the module names every family that has
# them uses (Mixtral/Qwen-MoE/DeepSeek per-expert modules, gpt-oss's stacked experts, onnxruntime-genai's `moe`)
MOE_BLOCK_ROLES = {
    "moe.router": (r"mlp\.router", r"mlp\.gate", r"moe\.gate", r"moe\.router", r"block_sparse_moe\.gate"),
    "moe.shared.gate": (r"shared_experts?\.gate_proj",), "moe.shared.up": (r"shared_experts?\.up_proj",),
    "moe.shared.down": (r"shared_experts?\.down_proj",),
    "moe.experts.gate_up": (r"experts\.gate_up_proj(_bias)?",),
    "moe.experts.gate": (r"experts\.\d+\.gate_proj", r"experts\.\d+\.w1"),
    "moe.experts.up": (r"experts\.\d+\.up_proj", r"experts\.\d+\.w3"),
    "moe.experts.down": (r"experts\.\d+\.down_proj", r"experts\.\d+\.w2", r"experts\.down_proj(_bias)?"),
    "attn.sinks": (r"self_attn\.sinks",),
    "attn.q_a": (r"q_a_proj",), "attn.q_a_norm": (r"q_a_layernorm",), "attn.q_b": (r"q_b_proj",),
    "attn.kv_a": (r"kv_a_proj_with_mqa",), "attn.kv_a_norm": (r"kv_a_layernorm",), "attn.kv_b": (r"kv_b_proj",),
    "attn.q_norm": (r"q_norm",), "attn.k_norm": (r"k_norm",),
}


def family(name: str | None) -> Family | None:
    return BY_NAME.get(name or "")


def recognise(facts: Facts) -> Family | None:
    """The family the graph's structure and names point to (first match in FAMILIES' order)."""
    return next((f for f in FAMILIES if f.recognise is not None and f.recognise(facts)), None)


def _compile(fragments: list[str]) -> re.Pattern:
    return re.compile(r"(^|\.)(" + "|".join(dict.fromkeys(fragments)) + r")(\.|$)")


def role_patterns() -> tuple[list[tuple[str, re.Pattern]], list[tuple[str, re.Pattern]]]:
    """(block roles, top-level roles): every family's module names, one pattern per role, in role order."""
    block: dict[str, list[str]] = {r: [] for r in BLOCK_ROLE_ORDER}
    top: dict[str, list[str]] = {r: [] for r in TOP_ROLE_ORDER}
    for source in [MOE_BLOCK_ROLES] + [f.block_roles for f in FAMILIES] + [EXPORTER_BLOCK_ROLES, OTHER_BLOCK_ROLES]:
        for role, frags in source.items():
            block[role].extend(frags)
    for source in [f.top_roles for f in FAMILIES] + [OTHER_TOP_ROLES]:
        for role, frags in source.items():
            top[role].extend(frags)
    return ([(r, _compile(v)) for r, v in block.items() if v], [(r, _compile(v)) for r, v in top.items() if v])
