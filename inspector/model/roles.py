"""Which layer and role a parameter belongs to, from the names exporters leave behind.

Owners come from PyTorch parameter names (`transformer.h.0.attn.c_attn.weight`) or, when
the exporter renamed the tensor (`onnx::MatMul_733`), from the consuming node's name
(`/model/layers.0/self_attn/q_proj/MatMul`).  Both are turned into one dotted path.
"""

from __future__ import annotations

import re

BLOCK_RE = re.compile(r"(?:^|\.)(?:h|layers?|blocks?|decoder\.layers)\.(\d+)(?=\.|$)")
TORCH_NAME_RE = re.compile(r"^[A-Za-z_][\w]*(\.[\w]+)+\.(weight|bias)$")
OP_SUFFIX_RE = re.compile(r"^[A-Z][A-Za-z]*(_\d+)?$")  # 'MatMul', 'Gemm_1', 'Add'

# (role, pattern on the dotted path below the block) — first match wins
BLOCK_ROLES: list[tuple[str, re.Pattern]] = [
    (role, re.compile(rx)) for role, rx in [
        ("attn.qkv", r"(^|\.)(c_attn|qkv_proj|query_key_value|Wqkv|qkv|in_proj)(\.|$)"),
        ("attn.q", r"(^|\.)(q_proj|query|wq|q_lin|q)(\.|$)"),
        ("attn.k", r"(^|\.)(k_proj|key|wk|k_lin|k)(\.|$)"),
        ("attn.v", r"(^|\.)(v_proj|value|wv|v_lin|v)(\.|$)"),
        ("attn.out", r"(attn|attention|self_attn)\.(c_proj|o_proj|out_proj|dense|wo|out_lin)(\.|$)"),
        ("mlp.gate", r"(^|\.)(gate_proj|w1|gate)(\.|$)"),
        ("mlp.up", r"(^|\.)(c_fc|up_proj|fc1|fc_in|dense_h_to_4h|w3|up)(\.|$)"),
        ("mlp.down", r"(mlp\.c_proj|down_proj|fc2|fc_out|dense_4h_to_h|w2|down)(\.|$)"),
        ("norm.attn", r"(^|\.)(ln_1|input_layernorm|attention_norm|ln1|norm1|self_attn_layer_norm)(\.|$)"),
        ("norm.mlp", r"(^|\.)(ln_2|post_attention_layernorm|ffn_norm|ln2|norm2|final_layer_norm)(\.|$)"),
    ]
]
TOP_ROLES: list[tuple[str, re.Pattern]] = [
    (role, re.compile(rx)) for role, rx in [
        ("embed.position", r"(^|\.)(wpe|embed_positions|position_embeddings|pos_emb)(\.|$)"),
        ("embed.token", r"(^|\.)(wte|embed_tokens|word_embeddings|tok_embeddings|embed_in|tok_emb)(\.|$)"),
        ("lm_head", r"(^|\.)(lm_head|embed_out|output)(\.|$)"),
        ("norm.final", r"(^|\.)(ln_f|norm|final_layernorm|final_layer_norm|norm_f)(\.|$)"),
    ]
]
TOP_LAYER = {"embed.token": "embeddings", "embed.position": "embeddings",
             "norm.final": "final_norm", "lm_head": "lm_head"}
NORM_OPS = {"LayerNormalization", "SimplifiedLayerNormalization", "RMSNormalization",
            "SkipLayerNormalization", "SkipSimplifiedLayerNormalization"}
NON_PARAMETER_RE = re.compile(r"(rotary|rope|inv_freq|cos_cache|sin_cache|cos_cached|sin_cached|causal_mask|masked_bias)",
                              re.IGNORECASE)


def owner_path(name: str) -> str:
    """A node or tensor name as a dotted module path, with the op or weight/bias suffix removed."""
    parts = [p for p in re.split(r"[/.]", name) if p]
    if parts and (OP_SUFFIX_RE.match(parts[-1]) or parts[-1] in ("weight", "bias")):
        parts = parts[:-1]
    return ".".join(parts)


def is_torch_name(name: str) -> bool:
    return bool(TORCH_NAME_RE.match(name)) and "::" not in name


def block_index(path: str) -> int | None:
    m = BLOCK_RE.search(path)
    return int(m.group(1)) if m else None


def classify(path: str, op_type: str | None = None, feeds_logits: bool = False,
             gathers_ids: bool = False) -> tuple[str, int | None, str]:
    """(layer name, block index or None, role) for an owner path and the op that uses it."""
    idx = block_index(path)
    if idx is not None:
        m = BLOCK_RE.search(path)
        below = path[m.end():].lstrip(".")
        for role, rx in BLOCK_ROLES:
            if rx.search(below):
                return f"block {idx}", idx, role
        if op_type in NORM_OPS:
            return f"block {idx}", idx, "norm"
        return f"block {idx}", idx, "other"
    if feeds_logits:
        return "lm_head", None, "lm_head"
    for role, rx in TOP_ROLES:
        if rx.search(path):
            return TOP_LAYER[role], None, role
    if gathers_ids:
        return "embeddings", None, "embed.token"
    if op_type in NORM_OPS:
        return "final_norm", None, "norm.final"
    return "other", None, "other"


def layer_sort_key(name: str) -> tuple:
    order = {"embeddings": (0, 0), "final_norm": (2, 0), "lm_head": (3, 0), "other": (4, 0)}
    if name.startswith("block "):
        return (1, int(name.split()[1]))
    return order.get(name, (5, 0))
