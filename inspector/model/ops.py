"""What each ONNX op means to the inspector: one entry per op, every list the census, the quantization
reader, the probes and the lens use derived from it.

An entry says at which input slots a parameter may sit (and which of those hold additive biases, which
quantization scales or zero points), whether a parameter crosses the op on its way to its real use
(`Transpose`, `Cast` …), what kind of op it is for the views (a matrix product, an embedding lookup, a
norm, fused attention, a mixture of experts), whether it can be the LM head's product (feeds the logits)
and whether it works row by row (the lens clones such ops to run the head on its own rows).  An op whose
inputs are quantized codes names how its logical shape and scheme are read (`quant`); an op whose slots
imply roles (a fused MoE's stacked experts, GroupQueryAttention's attention sinks) names them.  Adding an op
or a quantization scheme is adding an entry here (and, for a new code layout, its reader in dequantize.py).

The slots follow onnxruntime's operator schemas (docs/ContribOperators.md for com.microsoft's ops).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

ANY = None  # a parameter may sit at any input slot
BNB4_TYPES = {0: "fp4", 1: "nf4"}
UINT8 = 2  # onnx.TensorProto.UINT8


class Codes(NamedTuple):
    """What a quantizing op's attributes and the stored codes say: the scheme, the bits of a code, the logical
    shape (as a float export would store the weight), and the block and axis its scales run along."""

    scheme: str
    bits: int
    shape: tuple[int, ...]
    block_size: int | None = None
    axis: int | None = None


def _nbits(a: dict, ref: Any, slot: int) -> Codes:  # MatMulNBits: [K, N] from its attributes
    bits = int(a.get("bits", 4))
    return Codes(f"int{bits} block-wise", bits, (int(a.get("K", 0)), int(a.get("N", 0))), int(a.get("block_size", 32)))


def _bnb4(a: dict, ref: Any, slot: int) -> Codes:  # MatMulBnb4: NF4 or FP4 codes of the [K, N] weight
    kind = BNB4_TYPES.get(int(a.get("quant_type", 1)), "nf4")
    return Codes(f"bnb4 {kind}", 4, (int(a.get("K", 0)), int(a.get("N", 0))), int(a.get("block_size", 64)))


def _gather_blocks(a: dict, ref: Any, slot: int) -> Codes:  # GatherBlockQuantized: table rows of packed blocks
    bits = int(a.get("bits", 4))
    count = ref.size * (8 // bits) if ref.data_type == UINT8 and bits < 8 else ref.size
    rows = ref.shape[0] if ref.shape else 1
    return Codes(f"int{bits} block-wise", bits, (rows, count // max(rows, 1)), int(a.get("block_size", 128)),
                 int(a.get("quantize_axis", 1)))


QMOE_BITS = {2: "fc1_expert_weight_bits", 5: "fc2_expert_weight_bits", 8: "fc3_expert_weight_bits"}


def _moe_blocks(a: dict, ref: Any, slot: int) -> Codes:
    """QMoE: [experts, N, K · bits / 8] codes, each expert's N rows of K (the float MoE's [E, out, in])."""
    quant_type = a.get("quant_type", "int")
    quant_type = quant_type.decode() if isinstance(quant_type, bytes) else quant_type
    bits = int(a.get(QMOE_BITS.get(slot, ""), a.get("expert_weight_bits", 4)))
    block = int(a.get("block_size", 0)) or None
    if quant_type in ("fp4", "wfp4afp8"):
        bits, block, scheme = 4, 32, "mxfp4"
    else:
        scheme = f"int{bits} block-wise" if block else f"int{bits} per channel"
    shape = tuple(ref.shape)
    logical = (*shape[:-1], shape[-1] * 8 // bits) if len(shape) == 3 else shape
    return Codes(scheme, bits, logical, block, None if block else 2)


@dataclass(frozen=True)
class QuantSlots:
    """Where a quantizing op keeps each weight's codes and their scales and zero points: codes slot ->
    (scale slot, zero-point slot or None); `extra` are further stored aux slots (MatMulNBits' g_idx)."""

    codes: dict[int, tuple[int | None, int | None]]
    extra: frozenset[int] = frozenset()
    layout: str = ""  # the dequantization reader (dequantize.READERS): how the codes are laid out
    global_scales: dict[int, int] = field(default_factory=dict)  # codes slot -> a per-expert global scale's slot
    describe: Callable[[dict, Any, int], Codes] | None = None  # scheme and logical shape; None: read from the graph


@dataclass(frozen=True)
class Op:
    name: str
    params: frozenset[int] | None = frozenset()  # slots where a parameter may sit; ANY: every slot
    bias: frozenset[int] = frozenset()  # slots that hold additive biases
    aux: frozenset[int] = frozenset()  # slots of quantization scales and zero points: stored bytes, not parameters
    kind: str = ""  # "matmul", "lookup", "norm", "skip_norm", "attention", "moe", "quantize", "pass", "elementwise"
    head: bool = False  # can be the LM head's product (its output reaches the logits)
    row_wise: bool = False  # acts on each row alone: the lens may clone it to take its own rows
    quant: QuantSlots | None = None  # its codes are quantized weights
    slot_roles: dict[int, str] = field(default_factory=dict)  # roles its slots imply, whatever the names say
    to_logits: bool = False  # may stand between the head's product and the logits output

    def takes_parameter(self, slot: int) -> bool:
        return self.params is ANY or slot in self.params


def _slots(*s: int) -> frozenset[int]:
    return frozenset(s)


# the roles a fused mixture of experts' inputs hold (fc1: gate and up, fused for SwiGLU; fc2: down; fc3: up)
MOE_ROLES = {2: "moe.experts.gate_up", 3: "moe.experts.gate_up", 4: "moe.experts.down", 5: "moe.experts.down",
             6: "moe.experts.up", 7: "moe.experts.up"}
QMOE_ROLES = {2: "moe.experts.gate_up", 4: "moe.experts.gate_up", 5: "moe.experts.down", 7: "moe.experts.down",
              8: "moe.experts.up", 10: "moe.experts.up"}

OPS: list[Op] = [
    # matrix products: a parameter at any input (Gemm's C is its bias)
    Op("MatMul", ANY, kind="matmul", head=True, row_wise=True),
    Op("Gemm", _slots(0, 1, 2), bias=_slots(2), kind="matmul", head=True, row_wise=True),
    Op("FusedMatMul", ANY, kind="matmul", head=True, row_wise=True),
    Op("Einsum", ANY, kind="matmul"),
    Op("Conv", _slots(1, 2), bias=_slots(2), kind="matmul"),
    Op("MatMulNBits", _slots(1, 5), bias=_slots(5), aux=_slots(2, 3, 4), kind="matmul", head=True, row_wise=True,
       quant=QuantSlots({1: (2, 3)}, extra=_slots(4), layout="nbits", describe=_nbits)),
    Op("MatMulBnb4", _slots(1), aux=_slots(2), kind="matmul", head=True, row_wise=True,
       quant=QuantSlots({1: (2, None)}, layout="bnb4", describe=_bnb4)),
    Op("MatMulInteger", _slots(1), aux=_slots(2, 3), kind="matmul", head=True, row_wise=True,
       quant=QuantSlots({1: (None, 3)}, layout="affine")),  # the scale is multiplied in after the product
    # embedding lookups
    Op("Gather", _slots(0), kind="lookup"),
    Op("GatherBlockQuantized", _slots(0), aux=_slots(2, 3), kind="lookup",
       quant=QuantSlots({0: (2, 3)}, layout="gather_blocks", describe=_gather_blocks)),
    Op("EmbedLayerNormalization", ANY, kind="lookup"),
    # norms
    Op("LayerNormalization", _slots(1, 2), bias=_slots(2), kind="norm"),
    Op("SimplifiedLayerNormalization", _slots(1), kind="norm"),
    Op("RMSNormalization", _slots(1), kind="norm"),
    Op("SkipLayerNormalization", _slots(2, 3, 4), bias=_slots(3, 4), kind="skip_norm"),
    Op("SkipSimplifiedLayerNormalization", _slots(2), kind="skip_norm"),
    # fused attention: weights where the op projects itself; GroupQueryAttention's sinks and q/k norms
    Op("Attention", _slots(1, 2), bias=_slots(2), kind="attention"),
    Op("GroupQueryAttention", _slots(11, 14, 15), kind="attention",
       slot_roles={11: "attn.sinks", 14: "attn.q_norm", 15: "attn.k_norm"}),
    Op("MultiHeadAttention", kind="attention"),
    Op("PackedAttention", kind="attention"),
    Op("PagedAttention", kind="attention"),
    Op("SparseAttention", kind="attention"),
    # mixtures of experts: every expert stacked in one tensor per projection (onnxruntime-genai's builder)
    Op("MoE", _slots(2, 3, 4, 5, 6, 7), bias=_slots(3, 5, 7), kind="moe", slot_roles=MOE_ROLES),
    Op("QMoE", _slots(2, 4, 5, 7, 8, 10), bias=_slots(4, 7, 10), aux=_slots(3, 6, 9, 11, 12, 13, 15, 16), kind="moe",
       quant=QuantSlots({2: (3, 11), 5: (6, 12), 8: (9, 13)}, layout="moe_blocks", global_scales={2: 15, 5: 16},
                        describe=_moe_blocks), slot_roles=QMOE_ROLES),
    # element-wise ops that apply a parameter (a bias, a scale, a norm spelled out)
    Op("Add", ANY, kind="elementwise", row_wise=True, to_logits=True),
    Op("Mul", ANY, kind="elementwise", row_wise=True, to_logits=True),  # a logit scale (Cohere, Granite)
    Op("Sub", ANY, kind="elementwise", row_wise=True),
    Op("Div", ANY, kind="elementwise", row_wise=True, to_logits=True),  # Granite's logits_scaling
    Op("BiasGelu", _slots(1), bias=_slots(1), kind="elementwise"),
    Op("FastGelu", _slots(1), bias=_slots(1), kind="elementwise"),
    Op("BiasAdd", _slots(1, 2), bias=_slots(1), kind="elementwise"),  # X + bias + skip
    Op("Tanh", kind="elementwise", row_wise=True, to_logits=True),  # a soft cap on the logits (Gemma 2)
    # one value per head broadcast over the scores inside attention: gpt-oss's sinks, once the exporter folded
    # their reshape (census.py checks the one-per-head shape and the attention path)
    Op("Expand", _slots(0), kind="broadcast", slot_roles={0: "attn.sinks"}),
    # what a parameter crosses on its way to its use (input 0); quantizers' scales are stored bytes
    Op("Identity", kind="pass", row_wise=True, to_logits=True),
    Op("Transpose", kind="pass", to_logits=True),
    Op("Cast", kind="pass", row_wise=True, to_logits=True),
    Op("Reshape", kind="pass", to_logits=True),
    Op("Squeeze", kind="pass", to_logits=True),
    Op("Unsqueeze", kind="pass"),
    Op("DequantizeLinear", aux=_slots(1, 2), kind="pass", row_wise=True, quant=QuantSlots({0: (1, 2)}, layout="affine")),
    Op("QuantizeLinear", aux=_slots(1, 2), kind="pass", row_wise=True),
    Op("DynamicQuantizeLinear", kind="quantize", row_wise=True),
]
BY_NAME: dict[str, Op] = {op.name: op for op in OPS}


def op(name: str) -> Op | None:
    return BY_NAME.get(name)


def _named(test) -> frozenset[str]:
    return frozenset(o.name for o in OPS if test(o))


# the lists the rest of the inspector reads, each derived from the table
PASS_THROUGH = _named(lambda o: o.kind == "pass")  # crossed on the way from a stored tensor to its use
PARAM_SLOTS: dict[str, frozenset[int] | None] = {o.name: o.params for o in OPS
                                                  if o.params is ANY or o.params}  # compute ops and their slots
QUANT_AUX_SLOTS: dict[str, frozenset[int]] = {o.name: o.aux for o in OPS if o.aux or o.kind == "quantize"}
BIAS_SLOTS: dict[str, frozenset[int]] = {o.name: o.bias for o in OPS if o.bias}
QUANTIZING = {o.name: o.quant for o in OPS if o.quant is not None}
MATMUL_OPS = _named(lambda o: o.kind == "matmul")  # a parameter of 3+ dims there is a weight, not a mask
HEAD_OPS = _named(lambda o: o.head)  # can compute the logits from the final norm's output
LOOKUP_OPS = _named(lambda o: o.kind == "lookup")  # read rows by token id
NORM_OPS = _named(lambda o: o.kind in ("norm", "skip_norm"))
SKIP_NORMS = _named(lambda o: o.kind == "skip_norm")  # add the residual themselves (their sum is output 3)
FUSED_ATTENTION = _named(lambda o: o.kind == "attention")
MOE_OPS = _named(lambda o: o.kind == "moe")
ROW_WISE = _named(lambda o: o.row_wise)  # the lens may clone them (lens_graph.py)
TO_LOGITS = _named(lambda o: o.to_logits)  # between the head's product and the logits output
BIAS_ADDING = _named(lambda o: o.kind == "elementwise" and (o.bias or o.name == "Add"))  # a 1-D input is a bias


def is_aux(op_type: str, slot: int) -> bool:
    """Does this input of this op hold a quantization scale or zero point?"""
    spec = BY_NAME.get(op_type)
    return spec is not None and slot in spec.aux


def is_bias(op_type: str, slot: int) -> bool:
    spec = BY_NAME.get(op_type)
    return spec is not None and slot in spec.bias


def slot_role(op_type: str, slot: int) -> str | None:
    """The role an input of a fused op implies (an expert's projection, an attention sink), or None."""
    spec = BY_NAME.get(op_type)
    return spec.slot_roles.get(slot) if spec is not None else None
