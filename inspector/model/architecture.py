"""The architecture, read from the graph; the configs beside the model name the family and fill gaps.

Head counts come from the KV-cache inputs (`past_key_values.N.key`: [batch, n_kv_head,
past, head_dim]), fused attention ops (GroupQueryAttention's `num_heads`/`kv_num_heads`),
the projection shapes, or, for a model exported without a cache, the constants its
attention reshapes use.  config.json (or onnxruntime-genai's genai_config.json) names the
family and gives what the graph cannot (a Llama's context length); where both say something
and disagree, the disagreement is reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..messages import Message
from . import families, roles
from .experts import fill_architecture
from .ops import FUSED_ATTENTION, LOOKUP_OPS
from .proto import to_array

if TYPE_CHECKING:
    from .graph_walk import GraphIndex
    from .loader import LoadedModel
    from .param import ParamTensor

PAST_RE = re.compile(r"^past_key_values\.(\d+)\.(key|value)$")
CONFIG_KEYS = {  # our field -> config.json spellings
    "n_layer": ("n_layer", "num_hidden_layers", "num_layers"),
    "d_model": ("n_embd", "hidden_size", "d_model"),
    "n_head": ("n_head", "num_attention_heads"),
    "n_kv_head": ("num_key_value_heads", "n_head", "num_attention_heads"),
    "head_dim": ("head_dim",),
    "vocab_size": ("vocab_size",),
    "context_length": ("n_positions", "max_position_embeddings", "n_ctx"),
    "ffn_dim": ("n_inner", "intermediate_size", "ffn_dim"),
    "tied_embeddings": ("tie_word_embeddings",),
}
GENAI_TYPES = {"gptoss": "gpt_oss"}  # onnxruntime-genai's model types where they differ from config.json's
# what a config may fill when the graph cannot tell (the rest it only cross-checks)
FILLED_FROM_CONFIG = ("context_length", "n_head", "n_kv_head", "head_dim")


@dataclass
class Architecture:
    family: str = "unknown"
    family_source: str = "graph"  # "config.json", "genai_config.json" or "graph"
    graph_family: str | None = None  # the family the graph's structure and names point to
    n_layer: int | None = None
    d_model: int | None = None
    n_head: int | None = None
    n_kv_head: int | None = None
    head_dim: int | None = None
    vocab_size: int | None = None
    context_length: int | None = None
    context_source: str | None = None  # "graph", "config.json" or "genai_config.json"
    ffn_dim: int | None = None
    tied_embeddings: bool = False
    kv_cache: bool = False
    position_ids: bool = False
    fused_attention: str | None = None  # the op, when attention is one fused node
    parts: list[str] = field(default_factory=list)  # "role/kind" the blocks hold: what a family's options add
    notes: list[Message] = field(default_factory=list)  # what the count leaves out and why (a norm stored as ones)
    dtypes: dict[str, int] = field(default_factory=dict)
    config_checks: list[dict] = field(default_factory=list)  # disagreements with the configs
    from_config: dict[str, str] = field(default_factory=dict)  # field -> the config that gave it
    # a mixture of experts (moe.py): routed experts per MoE block, how many a token uses, shared experts, an
    # expert's MLP width and the blocks that route
    experts: int | None = None
    experts_per_token: int | None = None
    shared_experts: int | None = None
    moe_ffn_dim: int | None = None
    moe_layers: list[int] = field(default_factory=list)
    # multi-head latent attention (DeepSeek): the low-rank query and compressed key/value widths, the rotary part
    # of a head and the value head size
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    v_head_dim: int | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["notes"] = list(self.notes)  # Messages, not their fields: the JSON writes their English
        return out

    def holds(self, role: str, kind: str = "weight") -> bool:
        """Do the blocks hold this role's weights (or biases)? The formulas' optional terms read it."""
        return f"{role}/{kind}" in self.parts

    @property
    def family_entry(self) -> families.Family | None:
        """The family's entry; for a family without one, the entry of the structure the graph shows."""
        return families.family(self.family) or families.family(self.graph_family)


def _static_dims(value_info) -> list[int | None]:
    dims = value_info.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") else None for d in dims]


def _out_features(p: "ParamTensor", d_model: int | None) -> int | None:
    if len(p.shape) != 2:
        return None
    a, b = p.shape
    if d_model is None:
        return b
    return b if a == d_model else a


def model_configs(model: "LoadedModel") -> list[tuple[str, dict]]:
    """config.json and genai_config.json, the latter in config.json's spelling."""
    out = []
    if model.config:
        cfg = model.config
        if isinstance(cfg.get("qk_nope_head_dim"), int) and isinstance(cfg.get("qk_rope_head_dim"), int):
            # latent attention: config's head_dim is the rotary part; a query/key head is nope + rope wide
            cfg = {**cfg, "head_dim": cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]}
        out.append(("config.json", cfg))
    g = model.genai_config
    if g and isinstance(g.get("model"), dict):
        m = g["model"]
        dec = m.get("decoder") if isinstance(m.get("decoder"), dict) else {}
        cfg = {"model_type": GENAI_TYPES.get(m.get("type"), m.get("type")), "num_hidden_layers": dec.get("num_hidden_layers"),
               "hidden_size": dec.get("hidden_size"), "num_attention_heads": dec.get("num_attention_heads"),
               "num_key_value_heads": dec.get("num_key_value_heads"), "head_dim": dec.get("head_size"),
               "vocab_size": m.get("vocab_size"), "max_position_embeddings": m.get("context_length")}
        out.append(("genai_config.json", {k: v for k, v in cfg.items() if v is not None}))
    return out


def _config_value(cfg: dict, fld: str):
    for k in CONFIG_KEYS[fld]:
        v = cfg.get(k)
        if v is not None and not isinstance(v, (dict, list)):
            return v
    return None


def infer_architecture(model: "LoadedModel", params: list["ParamTensor"], idx: "GraphIndex") -> Architecture:
    arch = Architecture()
    inputs = {i.name: i for i in model.graph.input}
    arch.position_ids = "position_ids" in inputs
    past = {int(m.group(1)): inputs[n] for n in inputs if (m := PAST_RE.match(n)) and m.group(2) == "key"}
    if past:
        arch.kv_cache = True
        arch.n_layer = max(past) + 1
        dims = _static_dims(past[min(past)])
        if len(dims) == 4:
            arch.n_kv_head, arch.head_dim = dims[1], dims[3]
    _fused_heads(arch, idx)
    blocks = {p.index for p in params if p.index is not None}
    if arch.n_layer is None and blocks:
        arch.n_layer = max(blocks) + 1

    by_role: dict[str, list] = {}
    for p in params:
        by_role.setdefault(p.role, []).append(p)
    emb = next((p for p in by_role.get("embed.token", []) if len(p.shape) == 2), None)
    if emb is not None:
        arch.vocab_size, arch.d_model = emb.shape[::-1] if emb.transposed else emb.shape
    logits = next((o for o in model.graph.output if "logit" in o.name), None)
    if logits is not None:
        dims = _static_dims(logits)
        if dims and dims[-1]:
            arch.vocab_size = arch.vocab_size or dims[-1]
    d = arch.d_model

    first_block = min(blocks or {0})
    first = lambda role: next((p for p in by_role.get(role, []) if p.kind == "weight" and (p.index or 0) == first_block), None)
    q, qkv, k = first("attn.q"), first("attn.qkv"), first("attn.k")
    up, gate, gate_up = first("mlp.up"), first("mlp.gate"), first("mlp.gate_up")
    if up is not None or gate is not None:
        arch.ffn_dim = _out_features(up or gate, d)
    elif gate_up is not None and _out_features(gate_up, d):
        arch.ffn_dim = _out_features(gate_up, d) // 2
    q_out, k_out, qkv_out = (_out_features(x, d) if x is not None else None for x in (q, k, qkv))
    if arch.head_dim is None and arch.n_head and qkv_out:  # fused attention: qkv = (heads + 2 kv heads) · hd
        total_heads = arch.n_head + 2 * (arch.n_kv_head or arch.n_head)
        if qkv_out % total_heads == 0:
            arch.head_dim = qkv_out // total_heads
    if arch.head_dim is None and arch.n_head and q_out and q_out % arch.n_head == 0:
        arch.head_dim = q_out // arch.n_head
    if arch.head_dim is None:
        pairs = _reshape_head_pairs(model, idx, d, k_out)
        if pairs:
            arch.n_head, arch.head_dim = max(pairs)
    hd = arch.head_dim
    if hd and arch.n_head is None:
        if q_out:
            arch.n_head = q_out // hd
        elif qkv_out:
            kv = 2 * (arch.n_kv_head or 0) * hd
            arch.n_head = (qkv_out - kv) // hd if arch.n_kv_head else qkv_out // (3 * hd)
    if hd and arch.n_kv_head is None:
        arch.n_kv_head = (k_out // hd) if k_out else arch.n_head
    arch.tied_embeddings = any(p.tied_to for p in by_role.get("lm_head", []))

    facts = families.Facts(frozenset(roles.owner_path(n) for p in params for n in [p.name, *p.nodes]),
                           frozenset((p.role, p.kind) for p in params), _embedding_scaled(model, idx, emb, d),
                           bool(arch.n_head and arch.n_kv_head and arch.n_kv_head < arch.n_head))
    graph_family = families.recognise(facts)
    arch.graph_family = graph_family.name if graph_family else None
    arch.family = graph_family.name if graph_family else ("gpt" if blocks else "unknown")
    offset = (graph_family.position_offset if graph_family else 0)
    pos = next((p for p in by_role.get("embed.position", []) if len(p.shape) == 2), None)
    if pos is not None:
        arch.context_length, arch.context_source = pos.shape[0] - offset, "graph"
    elif (rows := _rotary_rows(model)) is not None:
        arch.context_length, arch.context_source = rows, "graph"
    for p in params:
        arch.dtypes[p.dtype] = arch.dtypes.get(p.dtype, 0) + p.parameters
    # experts and latent attention, read before the configs are checked
    fill_architecture(arch, params, model, next((c for s, c in model_configs(model) if s == "config.json"), None))
    for source, cfg in model_configs(model):
        _cross_check(arch, cfg, source, graph_family)
    return arch


def _fused_heads(arch: Architecture, idx: "GraphIndex") -> None:
    """Heads from the first fused attention node's attributes (GroupQueryAttention and the like)."""
    for node in idx.nodes:
        if node.op_type in FUSED_ATTENTION:
            attrs = {a.name: a.i for a in node.attribute if a.type == a.INT}
            if attrs.get("num_heads", 0) > 0:
                arch.fused_attention = node.op_type
                arch.n_head = attrs["num_heads"]
                if attrs.get("kv_num_heads", 0) > 0:
                    arch.n_kv_head = attrs["kv_num_heads"]
                elif arch.n_kv_head is None and node.op_type != "GroupQueryAttention":
                    arch.n_kv_head = arch.n_head
                return


def _rotary_rows(model: "LoadedModel") -> int | None:
    """Positions a fused rotary cache covers (onnxruntime-genai's cos_cache: [positions, rotary_dim / 2])."""
    ref = model.tensors.get("cos_cache")
    return ref.shape[0] if ref is not None and len(ref.shape) == 2 else None


def _embedding_scaled(model: "LoadedModel", idx: "GraphIndex", emb, d_model: int | None) -> bool:
    """Is the token embedding multiplied by sqrt(d_model) right after the lookup (Gemma's normalizer)?"""
    if emb is None or not d_model:
        return False
    gathers = [n for n in idx.nodes if n.name in set(emb.nodes) and n.op_type in LOOKUP_OPS]
    for g in gathers:
        frontier = list(g.output)
        for _hop in range(2):  # the Mul may follow a Cast
            nxt = []
            for value in frontier:
                for node, _slot in idx.consumers.get(value, []):
                    if node.op_type == "Mul":
                        other = next((i for i in node.input if i != value), None)
                        scalar = _scalar(model, idx, other)
                        if scalar is not None and math.isclose(scalar, math.sqrt(d_model), rel_tol=1e-2):
                            return True
                    elif node.op_type in ("Cast", "Identity"):
                        nxt.extend(node.output)
            frontier = nxt
    return False


def _scalar(model: "LoadedModel", idx: "GraphIndex", value: str | None) -> float | None:
    tensor = model.constants.get(value or "")
    if tensor is None and value in model.tensors and model.tensors[value].size == 1:
        try:
            return float(model.tensors[value].array().ravel()[0])
        except Exception:  # noqa: BLE001 - an unreadable scalar only means: no answer
            return None
    if tensor is None:
        prod = idx.producer.get(value or "")
        if prod is not None and prod.op_type in ("Cast", "Identity") and prod.input:
            return _scalar(model, idx, prod.input[0])
        return None
    try:
        arr = to_array(tensor)
    except Exception:  # noqa: BLE001
        return None
    return float(arr.ravel()[0]) if arr.size == 1 and arr.dtype.kind in "fiu" else None


def _ints_of(model: "LoadedModel", idx: "GraphIndex", value: str, depth: int = 3) -> list[int]:
    """Integer constants that make up a shape value (a Constant, or a Concat of Unsqueezed ones)."""
    tensor = model.constants.get(value)
    if tensor is None and value in model.tensors and model.tensors[value].size <= 8:
        tensor = model.tensors[value].proto
    if tensor is not None:
        try:
            arr = to_array(tensor)
        except Exception:
            return []
        return [int(x) for x in np.ravel(arr)] if arr.dtype.kind in "iu" and arr.size <= 8 else []
    prod = idx.producer.get(value)
    if prod is None or depth == 0:
        return []
    if prod.op_type == "Concat":
        return [x for inp in prod.input for x in (_ints_of(model, idx, inp, depth - 1) or [-1])]
    if prod.op_type in ("Unsqueeze", "Cast", "Identity"):
        return _ints_of(model, idx, prod.input[0], depth - 1)
    return []


def _reshape_head_pairs(model, idx, d_model, k_out) -> set[tuple[int, int]]:
    """(n_head, head_dim) pairs read off the first block's attention Reshape constants."""
    pairs = set()
    for node in idx.nodes:
        if node.op_type != "Reshape" or len(node.input) < 2:
            continue
        path = roles.owner_path(node.name)
        if roles.block_index(path) is None or not re.search(r"attn|attention", path):
            continue
        ints = _ints_of(model, idx, node.input[1])
        if len(ints) != 4 or not d_model:
            continue  # heads are split by a 4-D reshape [batch, seq, heads, head_dim]
        h, hd = ints[2], ints[3]
        if hd > 1 and h > 1 and h * hd == d_model:
            pairs.add((h, hd))
        elif hd > 1 and h == -1 and d_model % hd == 0:  # newer exports write -1 for the head count
            pairs.add((d_model // hd, hd))
    return pairs


def _cross_check(arch: Architecture, config: dict, source: str, graph_family: families.Family | None) -> None:
    """Name the family as the config does; fill what the graph cannot tell; report real contradictions."""
    mt = config.get("model_type")
    named = families.family(mt) if isinstance(mt, str) else None
    if named is not None and named.config_fields is not None:  # the family's own spellings, in the generic keys
        config = {**config, **named.config_fields(config)}
    if isinstance(mt, str) and mt and arch.family_source == "graph":
        if graph_family is not None and named is not None and named.structure != graph_family.structure:
            arch.config_checks.append({"field": "family", "graph": graph_family.name, "config": mt,
                                       "source": source})
        else:
            arch.family, arch.family_source = mt, source
            if named is not None and arch.context_source == "graph" and graph_family is not None \
                    and named.position_offset != graph_family.position_offset:
                arch.context_length += graph_family.position_offset - named.position_offset
    for fld in CONFIG_KEYS:
        value = _config_value(config, fld)
        if value is None:
            continue
        if fld == "tied_embeddings":
            value = bool(value)
        elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            continue
        ours = getattr(arch, fld)
        if ours is None:
            if fld in FILLED_FROM_CONFIG:
                setattr(arch, fld, value)
                arch.from_config[fld] = source
                if fld == "context_length":
                    arch.context_source = source
            continue
        if fld == "context_length" and arch.context_source != "graph":
            continue  # filled from another config: not the graph's word
        if fld in arch.from_config:
            continue
        if ours != value:
            arch.config_checks.append({"field": fld, "graph": ours, "config": value, "source": source})
