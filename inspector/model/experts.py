"""Experts and latent attention as the graph shows them: which routed expert a parameter belongs to, how many
experts a block holds and a token uses, an expert's width, and multi-head latent attention's ranks.

Read into the architecture (architecture.py) from the census's roles; config.json fills what the graph cannot
show (how many experts a token uses, when the routing is not one fused op with its `k`).
"""

from __future__ import annotations

import re

from .ops import MOE_OPS

EXPERTS_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
K_KEYS = ("num_experts_per_tok", "experts_per_token", "moe_top_k", "top_k_experts")
EXPERT_RE = re.compile(r"(?:^|[./])experts[./](\d+)(?=[./]|$)")


def expert_index(t: object) -> int | None:
    """The routed expert a per-expert module's parameter belongs to (experts.3.gate_proj: 3)."""
    for name in [t.name, *t.nodes]:
        m = EXPERT_RE.search(name)
        if m:
            return int(m.group(1))
    return None


def _first(params: list, role: str, block: int | None = None):
    return next((p for p in params if p.role == role and p.kind == "weight" and len(p.shape) >= 1
                 and (block is None or p.index == block)), None)


def _width(p, d_model: int | None, out: bool = True) -> int | None:
    """A Linear's output (or input) width, whatever the orientation it is stored in."""
    if p is None or len(p.shape) < 2:
        return None
    a, b = p.shape[-2:]
    if p.transposed:
        a, b = b, a
    if d_model is not None and d_model in (a, b) and a != b:
        return (b if a == d_model else a) if out else d_model
    return b if out else a


def fill_architecture(arch, params: list, model, config: dict | None) -> None:
    """Experts, experts per token, an expert's width, the routing blocks, and latent attention's ranks: from
    the graph where it shows them, else from config.json (or a fused MoE op's `k`)."""
    cfg = config or {}
    d = arch.d_model
    routed = [p for p in params if p.role.startswith("moe.experts") and p.index is not None]
    if routed:
        arch.moe_layers = sorted({p.index for p in routed})
        first = arch.moe_layers[0]
        stacked = [p for p in routed if p.index == first and expert_index(p) is None and len(p.shape) == 3]
        experts = {expert_index(p) for p in routed if p.index == first} - {None}
        arch.experts = config_int(cfg, EXPERTS_KEYS) or (stacked[0].shape[0] if stacked else len(experts) or None)
        arch.experts_per_token = fused_k(model) or config_int(cfg, K_KEYS)
        arch.shared_experts = config_int(cfg, ("n_shared_experts", "num_shared_experts")) or \
            (1 if any(p.role.startswith("moe.shared") for p in params) else 0)
        up = next((p for p in routed if p.index == first and p.role in ("moe.experts.up", "moe.experts.gate")
                   and p.kind == "weight"), None)
        gate_up = next((p for p in routed if p.index == first and p.role == "moe.experts.gate_up"
                        and p.kind == "weight"), None)
        if up is not None:
            arch.moe_ffn_dim = min(up.shape[-2:]) if d in up.shape[-2:] else _width(up, d)
        elif gate_up is not None:
            dims = [x for x in gate_up.shape[-2:] if x != d] or list(gate_up.shape[-1:])
            arch.moe_ffn_dim = dims[0] // 2
    kv_norm, q_norm = _first(params, "attn.kv_a_norm"), _first(params, "attn.q_a_norm")
    if kv_norm is not None:  # latent attention: the norms' widths are the ranks
        arch.kv_lora_rank = kv_norm.shape[-1]
        arch.q_lora_rank = q_norm.shape[-1] if q_norm is not None else None
        kv_a = _width(_first(params, "attn.kv_a"), d)
        arch.qk_rope_head_dim = kv_a - arch.kv_lora_rank if kv_a else config_int(cfg, ("qk_rope_head_dim",))
        out = _first(params, "attn.out")
        heads = arch.n_head or config_int(cfg, ("num_attention_heads",))
        v = _width(out, d, out=False) if out is not None else None
        if v and heads and len(out.shape) == 2:
            inner = out.shape[0] if out.shape[1] == d else out.shape[1]
            arch.v_head_dim = inner // heads
        arch.v_head_dim = arch.v_head_dim or config_int(cfg, ("v_head_dim",))


def config_int(cfg: dict, keys: tuple[str, ...]) -> int | None:
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None


def fused_k(model) -> int | None:
    for node in model.nodes:
        if node.op_type in MOE_OPS:
            for a in node.attribute:
                if a.name == "k" and a.i > 0:
                    return int(a.i)
    return None
