"""Which layer and role a parameter belongs to, from the names exporters leave behind.

Owners come from PyTorch parameter names (`transformer.h.0.attn.c_attn.weight`) or, when
the exporter renamed the tensor (`onnx::MatMul_733`), from the consuming node's name
(`/model/layers.0/self_attn/q_proj/MatMul`).  Both are turned into one dotted path.  What
each family calls its modules lives in families.py.
"""

from __future__ import annotations

import re

from . import families
from .ops import NORM_OPS

BLOCK_RE = re.compile(r"(?:^|\.)(?:h|layers?|blocks?|decoder\.layers)\.(\d+)(?=\.|$)")
TORCH_NAME_RE = re.compile(r"^[A-Za-z_][\w]*(\.[\w]+)+\.(weight|bias)$")
OP_SUFFIX_RE = re.compile(r"^[A-Z][A-Za-z]*(_\d+)?$")  # 'MatMul', 'Gemm_1', 'Add'
MERGED_SUFFIX_RE = re.compile(r"_merged_\d+$")  # optimum's merge_decoders renames what it moves out of the branches

BLOCK_ROLES, TOP_ROLES = families.role_patterns()  # what each family calls its modules (families.py)
TOP_LAYER = {"embed.token": "embeddings", "embed.position": "embeddings", "embed.norm": "embeddings",
             "norm.final": "final_norm", "lm_head": "lm_head"}
NON_PARAMETER_RE = re.compile(r"(rotary|rope|inv_freq|cos_cache|sin_cache|cos_cached|sin_cached|causal_mask|masked_bias"
                              r"|e_score_correction_bias)",  # buffers: DeepSeek's router correction
                              re.IGNORECASE)


def owner_path(name: str) -> str:
    """A node or tensor name as a dotted module path, with the op or weight/bias suffix removed."""
    parts = [p for p in re.split(r"[/.]", MERGED_SUFFIX_RE.sub("", name)) if p]
    if parts and (OP_SUFFIX_RE.match(parts[-1]) or parts[-1] in ("weight", "bias")):
        parts = parts[:-1]
    return ".".join(parts)


def is_torch_name(name: str) -> bool:
    name = MERGED_SUFFIX_RE.sub("", name)
    return bool(TORCH_NAME_RE.match(name)) and "::" not in name


def param_suffix(name: str) -> str:
    """'weight', 'bias' or '' from a parameter's name, the merge suffix aside."""
    name = MERGED_SUFFIX_RE.sub("", name)
    return "bias" if name.endswith("bias") else "weight" if name.endswith("weight") else ""


def block_index(path: str) -> int | None:
    m = BLOCK_RE.search(path)
    return int(m.group(1)) if m else None


def classify(path: str, op_type: str | None = None, feeds_logits: bool = False,
             gathers_ids: bool = False) -> tuple[str, int | None, str]:
    """(layer name, block index or None, role) for an owner path and the op that uses it."""
    if families.NOT_A_BLOCK.search(path):
        return "final_norm", None, "norm.final"
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


def name_by_family(params: list, entry: "families.Family | None") -> None:
    """Once the family is known, its own module names decide a block parameter's role: the names every family
    shares cannot, where two families give one name two meanings (a Llama's `post_attention_layernorm` is the norm
    before its MLP, a Gemma 2's the norm after its attention)."""
    if entry is None:
        return
    for p in params:
        if p.index is None or p.role == "lm_head":
            continue
        paths = ([owner_path(p.name)] if is_torch_name(p.name) else []) + [owner_path(n) for n in p.nodes[:1]]
        for path in paths:
            m = BLOCK_RE.search(path)
            role = entry.own_role(path[m.end():].lstrip(".")) if m else None
            if role is not None:
                p.role = role
                break


def layer_sort_key(name: str) -> tuple:
    order = {"embeddings": (0, 0), "final_norm": (2, 0), "lm_head": (3, 0), "other": (4, 0)}
    if name.startswith("block "):
        return (1, int(name.split()[1]))
    return order.get(name, (5, 0))
