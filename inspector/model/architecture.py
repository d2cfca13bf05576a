"""The architecture, read from the graph alone; config.json, when present, only cross-checks.

Head counts come from the KV-cache inputs (`past_key_values.N.key`: [batch, n_kv_head,
past, head_dim]) and the projection shapes, or, for a model exported without a cache,
from the constants its attention reshapes use.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from onnx import numpy_helper

from . import roles

if TYPE_CHECKING:
    from .census import ParamTensor
    from .graph_walk import GraphIndex
    from .loader import LoadedModel

PAST_RE = re.compile(r"^past_key_values\.(\d+)\.(key|value)$")
CONFIG_KEYS = {  # our field -> config.json spellings
    "n_layer": ("n_layer", "num_hidden_layers", "num_layers"),
    "d_model": ("n_embd", "hidden_size", "d_model"),
    "n_head": ("n_head", "num_attention_heads"),
    "n_kv_head": ("num_key_value_heads", "n_head", "num_attention_heads"),
    "vocab_size": ("vocab_size",),
    "context_length": ("n_positions", "max_position_embeddings", "n_ctx"),
    "tied_embeddings": ("tie_word_embeddings",),
}


@dataclass
class Architecture:
    family: str = "unknown"
    n_layer: int | None = None
    d_model: int | None = None
    n_head: int | None = None
    n_kv_head: int | None = None
    head_dim: int | None = None
    vocab_size: int | None = None
    context_length: int | None = None
    context_source: str | None = None  # "graph" or "config.json"
    ffn_dim: int | None = None
    tied_embeddings: bool = False
    kv_cache: bool = False
    position_ids: bool = False
    dtypes: dict[str, int] = field(default_factory=dict)
    config_checks: list[dict] = field(default_factory=list)  # disagreements with config.json

    def as_dict(self) -> dict:
        return asdict(self)


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
    blocks = {p.index for p in params if p.index is not None}
    if arch.n_layer is None and blocks:
        arch.n_layer = max(blocks) + 1

    by_role: dict[str, list] = {}
    for p in params:
        by_role.setdefault(p.role, []).append(p)
    emb = next((p for p in by_role.get("embed.token", []) if len(p.shape) == 2), None)
    if emb is not None:
        arch.vocab_size, arch.d_model = emb.shape
    logits = next((o for o in model.graph.output if "logit" in o.name), None)
    if logits is not None:
        dims = _static_dims(logits)
        if dims and dims[-1]:
            arch.vocab_size = arch.vocab_size or dims[-1]
    d = arch.d_model

    first = lambda role: next((p for p in by_role.get(role, []) if p.kind == "weight" and (p.index or 0) == min(blocks or {0})), None)
    q, qkv, k, up = first("attn.q"), first("attn.qkv"), first("attn.k"), first("attn.up") or first("mlp.up")
    if up is not None:
        arch.ffn_dim = _out_features(up, d)
    if arch.head_dim is None:
        pairs = _reshape_head_pairs(model, idx, d, k and _out_features(k, d))
        if pairs:
            arch.n_head, arch.head_dim = max(pairs)
    hd = arch.head_dim
    if hd:
        if q is not None and _out_features(q, d):
            arch.n_head = _out_features(q, d) // hd
        elif qkv is not None and _out_features(qkv, d):
            total = _out_features(qkv, d)
            kv = 2 * (arch.n_kv_head or 0) * hd
            arch.n_head = (total - kv) // hd if arch.n_kv_head else total // (3 * hd)
        if arch.n_kv_head is None:
            arch.n_kv_head = (_out_features(k, d) // hd) if k is not None else arch.n_head
    pos = next((p for p in by_role.get("embed.position", []) if len(p.shape) == 2), None)
    if pos is not None:
        arch.context_length, arch.context_source = pos.shape[0], "graph"
    arch.tied_embeddings = any(p.tied_to for p in by_role.get("lm_head", []))
    if "mlp.gate" in by_role:
        arch.family = "llama"
    elif pos is not None and ("attn.qkv" in by_role or "attn.q" in by_role):
        arch.family = "gpt2"
    elif blocks:
        arch.family = "gpt"
    for p in params:
        arch.dtypes[p.dtype] = arch.dtypes.get(p.dtype, 0) + p.parameters
    _cross_check(arch, model.config)
    return arch


def _ints_of(model: "LoadedModel", idx: "GraphIndex", value: str, depth: int = 3) -> list[int]:
    """Integer constants that make up a shape value (a Constant, or a Concat of Unsqueezed ones)."""
    tensor = model.constants.get(value)
    if tensor is None and value in model.tensors and model.tensors[value].size <= 8:
        tensor = model.tensors[value].proto
    if tensor is not None:
        try:
            arr = numpy_helper.to_array(tensor)
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
    for node in model.graph.node:
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


def _cross_check(arch: Architecture, config: dict | None) -> None:
    if not config:
        return
    for fld, keys in CONFIG_KEYS.items():
        value = next((config[k] for k in keys if k in config and config[k] is not None), None)
        if value is None:
            continue
        ours = getattr(arch, fld)
        if fld == "context_length" and ours is None:
            arch.context_length, arch.context_source = int(value), "config.json"
            continue
        if ours is None:
            continue
        if fld == "tied_embeddings":
            value = bool(value)
        if ours != value:
            arch.config_checks.append({"field": fld, "graph": ours, "config": value})
    mt = config.get("model_type")
    if isinstance(mt, str) and arch.family not in ("unknown", mt):
        arch.config_checks.append({"field": "family", "graph": arch.family, "config": mt})
