"""What the planner needs to know of a model, read from its census: the bytes it stores, the bytes a token reads,
the cache each layer keeps, and the widths its activations have.

Kept apart from the census (a plain dataclass) so the app, the tests and a what-if ("this model at int4") can
make one directly.  Every figure comes from the graph and the tensors as stored; config.json and
genai_config.json only say what the graph cannot (a sliding window, MLA's latent width, experts per token).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.architecture import PAST_RE
from ..model.census import BUFFER, QUANT_AUX
from ..model.ops import LOOKUP_OPS

BYTES = {"fp32": 4, "float32": 4, "fp16": 2, "float16": 2, "bfloat16": 2, "bf16": 2, "int8": 1}
ONNX_ELEM = {1: "fp32", 10: "fp16", 16: "bf16", 3: "int8"}  # a cache input's element type
INT4_BITS = 4.5  # MatMulNBits, block 32, one fp16 scale per block: what `plan` assumes "at int4" means


@dataclass(frozen=True)
class CacheLayer:
    """The KV cache one layer keeps for each token of each sequence."""

    kind: str  # "full", "sliding" (keeps its last `window` tokens) or "mla" (the compressed latent)
    values_per_token: int  # keys and values together (MLA: the latent and the rotary key)
    window: int | None = None

    def tokens(self, context: int) -> int:
        return min(context, self.window) if self.window else context


@dataclass(frozen=True)
class ModelShape:
    name: str
    weights_bytes: int  # every initializer as stored: what a session loads
    storage: str  # "fp32", "fp16", "int8", "int4" …: the precision most weight bytes are stored at
    inline: bool  # weights inside the .onnx (onnxruntime then holds the file's bytes as well)
    lookup_bytes: int  # bytes of tables a token reads one row of (the embeddings), whole
    lookup_row_bytes: int  # … and the rows one token reads of them
    expert_bytes: int = 0  # routed experts' weights (a token reads `experts_per_token` of `experts`)
    experts: int = 0
    experts_per_token: int = 0
    int4_bytes: int = 0  # the same model stored at int4 (INT4_BITS a matrix weight, fp16 elsewhere)
    largest_matrix_bytes: int = 0  # the largest matrix as onnxruntime's CPU kernels hold it (fp16 as fp32)
    cache: tuple[CacheLayer, ...] = ()
    cache_dtype: str = "fp32"
    d_model: int = 0
    n_layer: int = 0
    n_head: int = 0
    ffn_dim: int = 0
    vocab_size: int = 0
    context_length: int | None = None
    fused_attention: bool = False
    notes: tuple[str, ...] = field(default=())

    def touched_bytes(self, batch: int = 1) -> int:
        """Weight bytes one decode step reads for `batch` sequences: every weight once, a row of each lookup table
        per sequence, and of the routed experts those the step's tokens chose — with `k` of `E` chosen at random,
        the share of experts a batch touches is 1 − (1 − k/E)^batch."""
        rest = self.weights_bytes - self.lookup_bytes - self.expert_bytes
        share = 1.0 - (1.0 - self.experts_per_token / self.experts) ** batch if self.experts else 0.0
        return int(rest + batch * self.lookup_row_bytes + share * self.expert_bytes)

    def cache_bytes_per_token(self, kv_dtype: str | None = None) -> int:
        """Cache bytes one token of one sequence adds at a short context (every layer still keeps it)."""
        return sum(layer.values_per_token for layer in self.cache) * BYTES[kv_dtype or self.cache_dtype]

    def cache_bytes(self, context: int, batch: int = 1, kv_dtype: str | None = None) -> int:
        per = BYTES[kv_dtype or self.cache_dtype]
        return batch * per * sum(layer.values_per_token * layer.tokens(context) for layer in self.cache)


def shape_of(census) -> ModelShape:
    model, arch = census.model, census.architecture
    weights = sum(ref.stored_nbytes for ref in model.tensors.values())
    inline = not any(ref.is_external for ref in model.tensors.values())
    op_of = {n.name: n.op_type for nodes in census.node_layers.values() for n in nodes}
    lookup, rows = _lookup_tables(census, op_of)
    experts, expert_bytes, k = _experts(census)
    config = model.config or {}
    return ModelShape(
        name=model.path.parent.name if model.path.name == "model.onnx" else model.path.name,
        weights_bytes=weights, storage=_storage(census), inline=inline, lookup_bytes=lookup, lookup_row_bytes=rows,
        expert_bytes=expert_bytes, experts=experts, experts_per_token=k, int4_bytes=_int4_bytes(census),
        largest_matrix_bytes=_largest_matrix(census),
        cache=tuple(_cache_layers(census, config)), cache_dtype=_cache_dtype(model),
        d_model=arch.d_model or 0, n_layer=arch.n_layer or 0, n_head=arch.n_head or 0, ffn_dim=arch.ffn_dim or 0,
        vocab_size=arch.vocab_size or 0, context_length=arch.context_length,
        fused_attention=bool(arch.fused_attention))


def _storage(census) -> str:
    """The scheme most of the counted weight bytes are stored in: "fp32", "fp16", "int8", "int4" …"""
    by: dict[str, int] = {}
    for t in census.tensors:
        if t.counted:
            key = f"int{t.quant.bits}" if t.quant is not None else {"float32": "fp32", "float16": "fp16",
                                                                     "bfloat16": "bf16"}.get(t.dtype, t.dtype)
            by[key] = by.get(key, 0) + t.nbytes
    return max(by, key=by.get) if by else "fp32"


def _lookup_tables(census, op_of: dict[str, str]) -> tuple[int, int]:
    """Bytes of the stored tables every use of which is a lookup (token and position embeddings), and of the row
    one token reads of each.  A table the head reads too (a tie through a Transpose) is read whole."""
    whole = rows = 0
    seen = set()
    by_stored: dict[str, list] = {}
    for t in census.tensors:
        by_stored.setdefault(t.stored, []).append(t)
    for stored, params in by_stored.items():
        if stored in seen:
            continue
        seen.add(stored)
        ops = {op_of.get(name, "") for p in params for name in p.nodes}
        if ops and ops <= LOOKUP_OPS and all(p.role.startswith("embed") for p in params):
            ref = census.model.tensors[stored]
            n_rows = params[0].shape[0] if params[0].shape else 1
            whole += ref.stored_nbytes
            rows += ref.stored_nbytes // max(1, n_rows)
    for name, why in census.excluded:  # rotary tables and masks: read a row (or a slice) at a time
        if why == BUFFER:
            whole += census.model.tensors[name].stored_nbytes
    return whole, rows


def _experts(census) -> tuple[int, int, int]:
    """(experts per block, bytes of the routed experts, experts a token uses), from the census's roles and the
    architecture's counts (model/experts.py: a fused MoE op's `k`, or config.json's)."""
    arch = census.architecture
    routed: dict[str, int] = {}
    for t in census.tensors:
        if t.role.startswith("moe.experts") and t.counted:
            routed.setdefault(t.stored, t.nbytes)  # its scales and zero points included
    if routed and arch.experts and arch.experts_per_token:
        return arch.experts, sum(routed.values()), arch.experts_per_token
    return 0, 0, 0


def _largest_matrix(census) -> int:
    """The largest matrix a product reads (not a lookup table), as onnxruntime's CPU kernels hold it: stored, an
    fp16 one as fp32."""
    largest = 0
    for t in census.tensors:
        if t.kind == "weight" and len(t.shape) >= 2 and not t.role.startswith("embed"):
            widen = 2 if t.quant is None and t.dtype in ("float16", "bfloat16") else 1
            largest = max(largest, t.nbytes * widen)
    return largest


def _int4_bytes(census) -> int:
    """The model stored as int4 the way onnxruntime's quantizers store it: each matrix a MatMul reads (experts
    included) at INT4_BITS per value, the lookup tables and everything else at fp16."""
    total = 0
    seen = set()
    for t in census.tensors:
        if (not t.counted and t.tied_to) or t.stored in seen:  # a tied head's copy, an alias: stored once
            continue
        seen.add(t.stored)
        if t.kind == "weight" and len(t.shape) >= 2 and not t.role.startswith("embed"):
            total += int(t.count * INT4_BITS / 8)
        else:
            total += t.count * 2
    for name, why in census.excluded:
        if why != QUANT_AUX:
            total += census.model.tensors[name].stored_nbytes
    return total


def _cache_dtype(model) -> str:
    for i in model.graph.input:
        if PAST_RE.match(i.name):
            return ONNX_ELEM.get(i.type.tensor_type.elem_type, "fp32")
    return "fp32"


def _cache_layers(census, config: dict) -> list[CacheLayer]:
    """Each layer's cache: its width from the graph's past inputs (or the architecture), its kind from the
    graph's fused attention (`local_window_size`), the config (`layer_types`, `sliding_window`) or latent
    attention's ranks (the architecture's `kv_lora_rank`: the compressed latent and the rotary key)."""
    arch, model = census.architecture, census.model
    widths: dict[int, int] = {}
    for i in model.graph.input:
        m = PAST_RE.match(i.name)
        if not m:
            continue
        dims = i.type.tensor_type.shape.dim
        heads = dims[1].dim_value if len(dims) == 4 and dims[1].HasField("dim_value") else arch.n_kv_head
        width = dims[3].dim_value if len(dims) == 4 and dims[3].HasField("dim_value") else arch.head_dim
        if arch.kv_lora_rank and not (len(dims) == 4 and dims[3].HasField("dim_value")):
            heads, width = 1, arch.kv_lora_rank + (arch.qk_rope_head_dim or 0)
        layer = int(m.group(1))
        widths[layer] = widths.get(layer, 0) + (heads or 0) * (width or 0)
    if not widths:
        return []
    windows = _windows(census, config, max(widths) + 1)
    latent = arch.kv_lora_rank + (arch.qk_rope_head_dim or 0) if arch.kv_lora_rank else None
    out = []
    for layer in range(max(widths) + 1):
        window = windows.get(layer)
        # latent attention whose export keeps the latent; an export that caches whole keys and values is "full"
        kind = "mla" if latent and widths.get(layer) == latent else "sliding" if window else "full"
        out.append(CacheLayer(kind, widths.get(layer, 0), window))
    return out


def _windows(census, config: dict, n_layer: int) -> dict[int, int]:
    """Layer -> the sliding window it attends over (layers not named attend over everything)."""
    from ..model import roles

    out: dict[int, int] = {}
    for nodes in census.node_layers.values():  # onnxruntime-genai: GroupQueryAttention's local_window_size
        for node in nodes:
            if node.op_type == "GroupQueryAttention":
                w = next((a.i for a in node.attribute if a.name == "local_window_size"), -1)
                index = roles.block_index(roles.owner_path(node.name))
                if w > 0 and index is not None:
                    out[index] = w
    if out:
        return out
    window = config.get("sliding_window")
    if not isinstance(window, int) or window <= 0 or config.get("use_sliding_window") is False:
        return out
    types = config.get("layer_types")
    if isinstance(types, list) and len(types) == n_layer:
        return {i: window for i, t in enumerate(types) if "sliding" in str(t)}
    pattern = config.get("sliding_window_pattern")
    if isinstance(pattern, int) and pattern > 0:  # Gemma 3: every pattern-th layer is global
        return {i: window for i in range(n_layer) if (i + 1) % pattern}
    if config.get("model_type") == "gemma2":  # Gemma 2: even layers slide, odd ones see everything
        return {i: window for i in range(0, n_layer, 2)}
    return {i: window for i in range(n_layer)}
