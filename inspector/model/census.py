"""The parameter census: every logical parameter, its owner, role and kind, counted as PyTorch would.

Counting rule (what `model.num_parameters()` reports for the exported model):
- each logical name counts once: a tensor the exporter deduplicated and re-exposed through
  `Identity` aliases counts once per alias;
- a tied LM head counts zero, whether it reads the embedding itself (through a Transpose)
  or a transposed copy the exporter stored (recognised by its values);
- graph constants that are not parameters (shape constants, masks, rotary tables, scalars)
  are not counted; quantisation scales and zero points are stored bytes, not parameters.
Biases are additive offsets (Linear/Gemm/Conv/LayerNorm bias); everything else is a weight.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ModelError
from ..messages import sentence
from . import ops, quantization, roles
from .architecture import Architecture, infer_architecture
from .graph_listing import node_rows
from .graph_walk import GraphIndex, Use
from .loader import LoadedModel
from .experts import expert_index
from .param import ParamTensor
from .proto import TensorProto
from .quantization import Quantization
from .tensors import TensorRef

log = logging.getLogger(__name__)


@dataclass
class Layer:
    name: str
    index: int | None
    tensors: list[ParamTensor] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # kind -> LayerStats

    @property
    def weights(self) -> int:
        return sum(t.parameters for t in self.tensors if t.kind == "weight")

    @property
    def biases(self) -> int:
        return sum(t.parameters for t in self.tensors if t.kind == "bias")

    @property
    def parameters(self) -> int:
        return self.weights + self.biases

    @property
    def nbytes(self) -> int:
        """Bytes of this layer's own (counted) parameters at their stored precision."""
        return sum(t.nbytes for t in self.tensors if t.counted)


@dataclass
class StoredView:
    """What the file holds, as opposed to what the model has."""

    file_bytes: int
    external_bytes: int
    parameter_bytes: int  # bytes of stored tensors that hold parameters (each once)
    unique_tensors: int  # stored initializers holding parameters
    aliases: int  # logical parameters that share another's stored bytes
    tied_copies: int  # stored tensors that duplicate a tied weight
    quant_aux_tensors: int
    constants: int  # initializers that are not parameters
    constant_bytes: int
    dtypes: dict[str, int]  # parameters per stored dtype


@dataclass
class Census:
    model: LoadedModel
    architecture: Architecture
    layers: list[Layer]
    stored: StoredView
    excluded: list[tuple[str, str]]  # (stored name, why it is not a parameter)
    node_layers: dict[str, list[Any]]  # layer name -> nodes attributed to it
    statistics_done: bool = False  # every tensor's statistics and the shared histograms are in

    @property
    def tensors(self) -> list[ParamTensor]:
        return [t for layer in self.layers for t in layer.tensors]

    @property
    def parameters(self) -> int:
        return sum(layer.parameters for layer in self.layers)

    @property
    def weights(self) -> int:
        return sum(layer.weights for layer in self.layers)

    @property
    def biases(self) -> int:
        return sum(layer.biases for layer in self.layers)

    def layer(self, name: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.name == name), None)

    @functools.cached_property
    def node_rows(self) -> list:
        """The graph's nodes as listing rows (graph_listing.NodeRow), computed once."""
        return node_rows(self)


# ----------------------------------------------------------------------------- the walk
# why a stored tensor is not a parameter (the census's exclusions, in `stats --json` as excluded_constants)
QUANT_AUX = sentence("quantization scale / zero point")
SCALAR = sentence("scalar constant")
BUFFER = sentence("rotary table or mask buffer")
BOOLEAN_MASK = sentence("boolean mask")
INTEGER_CONSTANT = sentence("integer constant (shapes, indices)")
UNUSED = sentence("constant not used as a parameter")
TABLE = sentence("mask or table constant")
ROUTER_CORRECTION = sentence("router correction bias (a buffer)")
NOT_A_NORM_PARAMETER = sentence("a norm's constant scale (ones) or offset (zeros): the family's norms have no "
                                "parameters")
# what the count leaves out, said beside it (Architecture.notes)
CONSTANT_NORMS_NOTE = sentence("{0} norm tensors stored as constants of ones and zeros are not counted: "
                               "{1}'s norms have no parameters")


@functools.lru_cache(maxsize=8192)
def _own_role(name: str, op: str | None) -> tuple[str, int | None, str]:
    """What a stored name alone says (the same for each of its uses: asked once)."""
    return roles.classify(roles.owner_path(name), op)


def _product_before(idx: GraphIndex, use: Use | None):
    """The matrix product whose output this Add puts the parameter on (a bias the exporter folded into another
    shape, as the experts' [E, 1, N] biases of gpt-oss), or None."""
    if use is None or use.op != "Add" or len(use.node.input) != 2:
        return None
    other = use.node.input[1 - use.slot] if use.slot in (0, 1) else None
    prod = idx.producer.get(other or "")
    return prod if prod is not None and prod.op_type in ops.MATMUL_OPS else None


def _router_correction(idx: GraphIndex, use: Use) -> bool:
    """A value added to a router's sigmoid scores to choose experts (DeepSeek-V3's `e_score_correction_bias`): a
    buffer the training loop adjusts outside the optimizer, not a parameter, whatever the exporter renamed it."""
    if use.op != "Add" or len(use.node.input) != 2 or use.slot not in (0, 1):
        return False
    if roles.classify(roles.owner_path(use.node.name), use.op)[2] != "moe.router":
        return False
    value = use.node.input[1 - use.slot]
    for _hop in range(4):
        prod = idx.producer.get(value)
        if prod is None or not prod.input:
            return False
        if prod.op_type == "Sigmoid":
            return True
        if prod.op_type not in ops.PASS_THROUGH:
            return False
        value = prod.input[0]
    return False


def _implied(ref: TensorRef, use: Use) -> str | None:
    """The role a fused op's input implies; an attention sink only where one value per head is broadcast."""
    role = ops.slot_role(use.op, use.slot)
    if role == "attn.sinks" and use.op not in ops.FUSED_ATTENTION and sum(d > 1 for d in ref.shape) != 1:
        return None
    return role


def _not_parameter(ref: TensorRef, uses: list[Use], quant: Quantization | None, names: list[str],
                   idx: GraphIndex | None = None) -> str | None:
    """Why a stored tensor is not a parameter, or None if it is one."""
    if any(ops.is_aux(u.op, u.slot) for u in uses):
        return QUANT_AUX
    if ref.size <= 1:
        return SCALAR
    if any(roles.NON_PARAMETER_RE.search(n) for n in names) or any(
            roles.NON_PARAMETER_RE.search(u.node.name) for u in uses):
        return BUFFER
    if ref.data_type == TensorProto.BOOL:
        return BOOLEAN_MASK
    if not ref.is_float and quant is None:
        return INTEGER_CONSTANT
    if idx is not None and uses and all(_router_correction(idx, u) for u in uses):
        return ROUTER_CORRECTION
    slot_ok = [u for u in uses if (spec := ops.op(u.op)) is not None and spec.takes_parameter(u.slot)]
    if not slot_ok:
        return UNUSED
    if len(ref.shape) >= 3 and quant is None and \
            not any(u.op in ops.MATMUL_OPS or u.op in ops.MOE_OPS or _implied(ref, u) for u in slot_ok) and \
            not (idx is not None and any(_product_before(idx, u) is not None for u in slot_ok)):
        return TABLE
    return None


def _kind(name: str, use: Use | None, ref: TensorRef, idx: GraphIndex | None = None) -> str:
    suffix = roles.param_suffix(name)
    if suffix == "bias":
        return "bias"
    if suffix == "weight" and roles.is_torch_name(name):
        return "weight"
    if use is not None:
        if ops.is_bias(use.op, use.slot):
            return "bias"
        if use.op in ops.BIAS_ADDING and len(ref.shape) == 1:
            return "bias"
        if idx is not None and _product_before(idx, use) is not None:
            return "bias"
    return "weight"


def _describe(idx: GraphIndex, logical: str, use: Use | None) -> tuple[str, int | None, str]:
    """Layer, block index and role of one logical parameter."""
    op = use.op if use else None
    feeds = bool(use and use.op in ops.HEAD_OPS and idx.feeds_logits(use.node))
    gathers = bool(use and use.op in ops.LOOKUP_OPS and
                   idx.reads_graph_input(use.node, 1, ("input_ids",)))
    if feeds:
        return "lm_head", None, "lm_head"
    implied = ops.slot_role(op, use.slot) if use else None
    if implied:  # a fused op's input: a stacked expert projection, an attention sink
        path = roles.owner_path(use.node.name) if use.node.name else roles.owner_path(logical)
        layer, index, _role = roles.classify(path, op)
        if index is not None and (not implied.startswith("attn.") or "attn" in path or "attention" in path):
            return layer, index, implied
    own = _own_role(logical, op)  # a name the exporter kept, like layers.0.mlp.experts.down_proj
    if own[1] is not None and own[2] not in ("other", "norm"):
        return own
    if roles.is_torch_name(logical):
        layer, index, role = roles.classify(roles.owner_path(logical), op, feeds_logits=False, gathers_ids=gathers)
        if gathers and role == "lm_head":  # a head's matrix the token lookup reads too (genai's tied models)
            return "embeddings", None, "embed.token"
        if role != "other":
            return layer, index, role
    path = roles.owner_path(use.node.name) if use and use.node.name else roles.owner_path(logical)
    found = roles.classify(path, op, feeds_logits=feeds, gathers_ids=gathers)
    product = _product_before(idx, use)
    if found[2] in ("other", "norm") and product is not None:  # a bias put on after its product: the product's role
        slot = next((i for i, v in enumerate(product.input) if v and idx.root(v) not in idx.producer), None)
        if slot is not None:  # the product's stored input: its weight
            return _describe(idx, product.input[slot], Use(product, slot))
    return found


def take_census(model: LoadedModel) -> Census:
    """Attribute every parameter of the graph; statistics come later (`stats.compute_statistics`)."""
    idx = GraphIndex.build(model.graph, set(model.tensors), model.nodes)
    params: list[ParamTensor] = []
    excluded: list[tuple[str, str]] = []
    quant_aux = 0
    for name, ref in model.tensors.items():
        logical_names = [name] + idx.aliases.get(name, [])
        uses_by_name = {n: idx.uses(n) for n in logical_names}
        all_uses = [u for us in uses_by_name.values() for u in us]
        quant = quantization.detect(model, ref, all_uses, idx)
        why = _not_parameter(ref, all_uses, quant, logical_names, idx)
        if why:
            if why == QUANT_AUX:
                quant_aux += 1
            excluded.append((name, why))
            continue
        made: list[ParamTensor] = []
        for logical, uses in uses_by_name.items():
            if not uses:
                continue
            # a name used directly by several owners (deduplicated without aliases): one each
            groups: dict[tuple, list[Use]] = defaultdict(list)
            for use in uses:
                groups[_describe(idx, logical, use)].append(use)
            if roles.is_torch_name(logical) and len(groups) > 1:
                # one PyTorch parameter; only a head reading it (a tie) stays a separate entry
                head = groups.pop(("lm_head", None, "lm_head"), None)
                rest = [u for g in groups.values() for u in g]
                groups = {_describe(idx, logical, rest[0]): rest}
                if head:
                    groups[("lm_head", None, "lm_head")] = head
            for (layer, index, role), group in groups.items():
                first = next((u for u in group if u.op != "Gather" or u.slot == 0), group[0])
                # one packed tensor can be read two ways (genai's tied int4 table: a lookup and the head)
                q = quantization.detect(model, ref, group, idx) or quant if quant else None
                count, shape = (q.count, q.logical_shape) if q else (ref.size, ref.shape)
                made.append(ParamTensor(
                    name=logical, stored=name, shape=shape, stored_shape=ref.shape, dtype=ref.dtype,
                    kind=_kind(logical, first, ref, idx), role=role, layer=layer, index=index,
                    count=count, nodes=list(dict.fromkeys(u.node.name for u in group)), quant=q,
                    nbytes=ref.stored_nbytes + (q.aux_bytes if q else 0),
                    transposed=all(u.transposed for u in group)))
        if len(made) > 1:
            for p in made:
                p.aliased = True
        params.extend(made)

    for p in params:
        if p.role.startswith("moe.experts"):
            p.expert = expert_index(p)
    tied_copies = _mark_tied(model, params)
    arch = infer_architecture(model, params, idx)
    roles.name_by_family(params, arch.family_entry)
    ones = _constant_norms(model, params, arch)
    if ones:
        dropped = {id(p) for p in ones}
        params = [p for p in params if id(p) not in dropped]
        excluded += [(p.stored, NOT_A_NORM_PARAMETER) for p in ones]
        arch.notes.append(CONSTANT_NORMS_NOTE(len(ones), arch.family_entry.label))
    arch.parts = sorted({f"{p.role}/{p.kind}" for p in params if p.index is not None})
    layers = _group_layers(params)
    stored_params = {p.stored for p in params if p.counted}
    dtypes = Counter()
    for p in params:
        dtypes[p.dtype] += p.parameters
    stored = StoredView(
        file_bytes=model.file_size,
        external_bytes=model.external_bytes,
        parameter_bytes=sum(model.tensors[s].stored_nbytes for s in stored_params),
        unique_tensors=len(stored_params),
        aliases=sum(1 for p in params if p.aliased and p.name != p.stored),
        tied_copies=tied_copies,
        quant_aux_tensors=quant_aux,
        constants=len(excluded) - quant_aux,
        constant_bytes=sum(model.tensors[n].stored_nbytes for n, w in excluded if w != QUANT_AUX),
        dtypes=dict(dtypes),
    )
    return Census(model, arch, layers, stored, excluded, _node_layers(idx))


def _constant_norms(model: LoadedModel, params: list[ParamTensor], arch: Architecture) -> list[ParamTensor]:
    """Norm tensors a family without norm parameters (OLMo) still stores — onnxruntime-genai's builder writes its
    LayerNorms with a scale of ones and a bias of zeros — which PyTorch does not count."""
    entry = arch.family_entry
    if entry is None or not entry.parameterless_norms:
        return []
    found = []
    for p in params:
        ref = model.tensors[p.stored]
        if not p.role.startswith("norm") or p.quant is not None or not ref.is_float or ref.size > (1 << 16):
            continue
        if np.all(ref.array() == (0.0 if p.kind == "bias" else 1.0)):
            found.append(p)
    return found


def _mark_tied(model: LoadedModel, params: list[ParamTensor]) -> int:
    """Flag a head that reuses the token embedding; returns how many stored copies were found."""
    embeds = [p for p in params if p.role == "embed.token"]
    heads = [p for p in params if p.role == "lm_head" and p.kind == "weight"]
    copies = 0
    for head in heads:
        for emb in embeds:
            if head.stored == emb.stored:
                head.counted, head.tied_to = False, emb.name
            elif _is_copy(model, head, emb):
                head.counted, head.tied_to = False, emb.name
                copies += 1
    return copies


def _is_copy(model: LoadedModel, head: ParamTensor, emb: ParamTensor) -> bool:
    """A stored copy of the embedding: equal value for value, or, where either side is quantized (or the
    two are stored at different precisions), equal within the rounding error."""
    h, e = model.tensors[head.stored], model.tensors[emb.stored]
    if head.quant is None and emb.quant is None and h.data_type == e.data_type:
        return _same_values_transposed(h, e)
    return _close_after_dequantizing(model, head, emb)


COPY_COSINE, COPY_ERROR = 0.98, 0.25  # int4 blocks keep cosine > 0.99; unrelated matrices sit near 0


def _close_after_dequantizing(model: LoadedModel, head: ParamTensor, emb: ParamTensor, window: int = 256) -> bool:
    """Compare two windows of vocabulary rows (contiguous, so a memory map reads few pages) after dequantizing."""
    from .dequantize import values

    if len(head.shape) != 2 or len(emb.shape) != 2 or head.count != emb.count:
        return False
    vocab, width = emb.shape[::-1] if emb.transposed else emb.shape
    head_axis = 1 if head.shape == (width, vocab) else 0 if head.shape == (vocab, width) else None
    if head_axis is None:
        return False
    ids = np.unique(np.concatenate([np.arange(min(window, vocab)),
                                    np.arange(vocab // 2, min(vocab, vocab // 2 + window))]))
    try:
        e = values(model, model.tensors[emb.stored], emb.quant).take(ids, 1 if emb.transposed else 0)
        hv = values(model, model.tensors[head.stored], head.quant).take(ids, head_axis)
    except (ModelError, ValueError, IndexError):
        return False
    e = (e.T if emb.transposed else e).astype(np.float64)
    hv = (hv.T if head_axis == 1 else hv).astype(np.float64)
    norm_e, norm_h = np.linalg.norm(e), np.linalg.norm(hv)
    if not (np.isfinite(norm_e) and np.isfinite(norm_h)) or norm_e == 0 or norm_h == 0:
        return False
    cosine = float(np.sum(e * hv) / (norm_e * norm_h))
    return cosine >= COPY_COSINE and float(np.linalg.norm(e - hv) / norm_e) <= COPY_ERROR


WHOLE_UP_TO = 1 << 20  # elements: a matrix this small is compared whole; a larger one tile by tile
TILE, TILES = 256, 16  # a tile is TILE × TILE values; at most TILES of them, spread over the matrix


def _same_values_transposed(head: TensorRef, emb: TensorRef) -> bool:
    """Is `head` the embedding or its transpose, value for value?

    Tiles of the two (square, so both sides read a few pages, whichever is stored transposed) are compared
    one at a time, spread from the first rows to the last, and the first tile that differs ends the check: an
    untied head reads one tile of each, whatever the model's size.  A matrix of at most a million values is
    compared whole; a larger one by its TILES tiles.  Equal tiles that hold a single value (an all-zero head
    and embedding, a file whose data is mostly holes) say nothing: at least one equal tile must hold distinct
    values, or the head is not taken for a copy."""
    if head.size != emb.size or len(head.shape) != 2 or len(emb.shape) != 2 or head.quant_like():
        return False
    if head.data_type != emb.data_type:
        return False
    if head.shape == emb.shape:
        transposed = False
    elif head.shape == emb.shape[::-1]:
        transposed = True
    else:
        return False
    rows, cols = emb.shape  # emb [V, d]; head [V, d], or [d, V] with head[j, i] == emb[i, j]
    e2 = emb.raw().reshape(rows, cols)
    h2 = head.raw().reshape((cols, rows) if transposed else (rows, cols))
    distinct = False
    row = cols * e2.itemsize
    for r0, r1, c0, c1 in _tiles(rows, cols, whole=emb.size <= WHOLE_UP_TO):
        e = e2[r0:r1, c0:c1]
        h = h2[c0:c1, r0:r1].T if transposed else h2[r0:r1, c0:c1]
        same = np.array_equal(h, e)
        distinct = distinct or (same and e.size > 1 and bool(np.any(e != e.flat[0])))
        emb.release(r0 * row, (r1 - r0) * row)  # the pages this tile mapped, given back before the next
        if transposed:
            head.release(c0 * rows * e2.itemsize, (c1 - c0) * rows * e2.itemsize)
        else:
            head.release(r0 * row, (r1 - r0) * row)
        if not same:
            return False
    return distinct


def _tiles(rows: int, cols: int, whole: bool):
    """(r0, r1, c0, c1) of the tiles to compare: row bands covering everything when `whole`, else TILES tiles
    along the diagonal from the first rows and columns to the last."""
    if whole:
        band = max(1, TILE * TILE // max(1, cols))
        for r0 in range(0, rows, band):
            yield r0, min(rows, r0 + band), 0, cols
        return
    tr, tc = min(TILE, rows), min(TILE, cols)
    n = max(1, min(TILES, max(rows // tr, cols // tc)))  # on the shorter side tiles may overlap; never repeat
    for i in range(n):
        r0 = (rows - tr) * i // max(1, n - 1)
        c0 = (cols - tc) * i // max(1, n - 1)
        yield r0, r0 + tr, c0, c0 + tc


def _group_layers(params: list[ParamTensor]) -> list[Layer]:
    by_name: dict[str, Layer] = {}
    for p in params:
        by_name.setdefault(p.layer, Layer(p.layer, p.index)).tensors.append(p)
    return sorted(by_name.values(), key=lambda layer: roles.layer_sort_key(layer.name))


def _node_layers(idx: GraphIndex) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for node in idx.nodes:
        path = roles.owner_path(node.name) if node.name else ""
        layer, _i, _r = roles.classify(path, node.op_type)
        out[layer if layer != "other" else "graph"].append(node)
    return dict(out)
