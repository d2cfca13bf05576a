"""How a stored tensor is quantized, read from the ops that consume it.

Every scheme the hubs ship is recognised by its structure, never by file or tensor names:
- MatMulNBits (q4, q4f16, onnxruntime-genai int4): packed n-bit blocks, scales, optional zero points;
- GatherBlockQuantized (genai's quantized embedding tables): the same blocks, read row by row;
- MatMulBnb4 (bnb4): NF4 or FP4 codes with one absmax per block;
- MatMulInteger (dynamic int8/uint8): 8-bit weights, zero point, and a scale multiplied in after;
- an integer table read by Gather whose rows are dequantized after the lookup (dynamic int8 embeddings);
- DequantizeLinear on an integer initializer (QDQ from static quantization, dynamic int8 heads).
A `Quantization` says what the stored integers stand for: the logical shape, the scheme, and
which stored tensors are its scales and zero points (stored bytes, never parameters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import proto as onnx  # the messages alone: importing onnx itself costs 0.5 s (proto.py)

if TYPE_CHECKING:
    from .graph_walk import GraphIndex, Use
    from .loader import LoadedModel
    from .tensors import TensorRef

BNB4_TYPES = {0: "fp4", 1: "nf4"}
INT_TYPES = {onnx.TensorProto.INT8: ("int8", 8, True), onnx.TensorProto.UINT8: ("uint8", 8, False),
             onnx.TensorProto.INT4: ("int4", 4, True), onnx.TensorProto.UINT4: ("uint4", 4, False),
             onnx.TensorProto.INT16: ("int16", 16, True), onnx.TensorProto.UINT16: ("uint16", 16, False),
             onnx.TensorProto.INT32: ("int32", 32, True)}


@dataclass
class Quantization:
    """What a quantized tensor's stored integers stand for."""

    op: str  # the op that dequantizes it: MatMulNBits, GatherBlockQuantized, MatMulBnb4, MatMulInteger,
    #          DequantizeLinear (QDQ / a quantized head), GatherDequantize (a table dequantized after the lookup)
    scheme: str  # "int4 block-wise", "bnb4 nf4", "int8 dynamic", "QDQ int8" …
    bits: int  # bits of each stored code
    logical_shape: tuple[int, ...]  # as a float export would store it (MatMul weights [in, out])
    node: onnx.NodeProto = field(repr=False)  # the node holding the attributes and the scale inputs
    block_size: int | None = None
    axis: int | None = None  # the axis a per-channel or block-wise scale runs along
    scale: str | None = None  # the stored tensors beside the codes
    zero_point: str | None = None
    extra_aux: tuple[str, ...] = ()
    aux_bytes: int = 0

    @property
    def count(self) -> int:
        return math.prod(self.logical_shape)

    @property
    def aux(self) -> tuple[str, ...]:
        return tuple(n for n in (self.scale, self.zero_point, *self.extra_aux) if n)

    @property
    def label(self) -> str:
        """The scheme as a person reads it: 'int4, block 32', 'int8 dynamic, per channel'."""
        if self.block_size:
            return f"{self.scheme.replace(' block-wise', '')}, block {self.block_size}"
        if self.axis is not None:
            return f"{self.scheme}, per channel"
        return self.scheme


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.attribute_value(a) for a in node.attribute}


def _input(node: onnx.NodeProto, slot: int) -> str | None:
    return node.input[slot] if len(node.input) > slot and node.input[slot] else None


def _is_dynamic(idx: "GraphIndex") -> bool:
    return any(n.op_type == "DynamicQuantizeLinear" for n in idx.nodes)


def _int_name(ref: "TensorRef") -> tuple[str, int, bool]:
    return INT_TYPES.get(ref.data_type, (ref.dtype, ref.bits or 8, True))


def detect(model: "LoadedModel", ref: "TensorRef", uses: list["Use"], idx: "GraphIndex") -> Quantization | None:
    """The quantization of a stored tensor, from the first use that dequantizes it; None for a float tensor."""
    for use in uses:
        q = _from_use(model, ref, use, idx)
        if q is not None:
            q.aux_bytes = sum(model.tensors[n].stored_nbytes for n in q.aux if n in model.tensors)
            return q
    return None


def _from_use(model, ref, use, idx) -> Quantization | None:
    node, op = use.node, use.op
    a = _attrs(node)
    if op == "MatMulNBits" and use.slot == 1:
        bits = int(a.get("bits", 4))
        return Quantization("MatMulNBits", f"int{bits} block-wise", bits, (int(a.get("K", 0)), int(a.get("N", 0))),
                            node, block_size=int(a.get("block_size", 32)), scale=_input(node, 2),
                            zero_point=_input(node, 3), extra_aux=tuple(x for x in [_input(node, 4)] if x))
    if op == "MatMulBnb4" and use.slot == 1:
        kind = BNB4_TYPES.get(int(a.get("quant_type", 1)), "nf4")
        return Quantization("MatMulBnb4", f"bnb4 {kind}", 4, (int(a.get("K", 0)), int(a.get("N", 0))), node,
                            block_size=int(a.get("block_size", 64)), scale=_input(node, 2))
    if op == "GatherBlockQuantized" and use.slot == 0:
        bits = int(a.get("bits", 4))
        packed = ref.data_type == onnx.TensorProto.UINT8 and bits < 8
        count = ref.size * (8 // bits) if packed else ref.size
        rows = ref.shape[0] if ref.shape else 1
        return Quantization("GatherBlockQuantized", f"int{bits} block-wise", bits, (rows, count // max(rows, 1)),
                            node, block_size=int(a.get("block_size", 128)), axis=int(a.get("quantize_axis", 1)),
                            scale=_input(node, 2), zero_point=_input(node, 3))
    if ref.is_float:
        return None
    name, bits, _signed = _int_name(ref)
    if op == "MatMulInteger" and use.slot == 1:
        scale = _matmul_integer_scale(model, node, idx)
        per_channel = scale is not None and scale in model.tensors and model.tensors[scale].size > 1
        return Quantization("MatMulInteger", f"{name} dynamic", bits, ref.shape, node,
                            axis=(len(ref.shape) - 1) if per_channel else None, scale=scale,
                            zero_point=_input(node, 3))
    dq = next((n for n in use.path if n.op_type == "DequantizeLinear"), None)
    if dq is not None:
        return _from_dequantize(model, ref, dq, idx, name, bits)
    if op == "Gather" and use.slot == 0:  # the table is looked up, then the rows dequantized
        for consumer, slot in idx.consumers.get(node.output[0], []):
            if consumer.op_type == "DequantizeLinear" and slot == 0:
                q = _from_dequantize(model, ref, consumer, idx, name, bits)
                q.op = "GatherDequantize"
                return q
    return None


def _from_dequantize(model, ref, dq, idx, name: str, bits: int) -> Quantization:
    a = _attrs(dq)
    scale = _input(dq, 1)
    size = model.tensors[scale].size if scale in model.tensors else 1
    axis = block = None
    if size > 1:
        axis = int(a.get("axis", 1))
        axis = axis + len(ref.shape) if axis < 0 else axis
        block = int(a["block_size"]) if a.get("block_size") else None
    scheme = f"{name} dynamic" if _is_dynamic(idx) else f"QDQ {name}"
    return Quantization("DequantizeLinear", scheme, bits, ref.shape, dq, block_size=block, axis=axis, scale=scale,
                        zero_point=_input(dq, 2))


def _matmul_integer_scale(model, node, idx) -> str | None:
    """The weight's scale: the stored factor of the Mul that rescales MatMulInteger's (cast) output."""
    frontier = [node.output[0]]
    for _hop in range(3):
        nxt = []
        for value in frontier:
            for consumer, _slot in idx.consumers.get(value, []):
                if consumer.op_type == "Cast":
                    nxt.extend(consumer.output)
                elif consumer.op_type == "Mul":
                    factor = next((i for i in consumer.input if i != value), None)
                    found = _stored_factor(model, idx, factor)
                    if found:
                        return found
        frontier = nxt
    weight = node.input[1]
    guess = weight[: -len("_quantized")] + "_scale" if weight.endswith("_quantized") else None
    return guess if guess in model.tensors else None


def _stored_factor(model, idx, value: str | None, depth: int = 2) -> str | None:
    """An initializer among the factors of `value` (activation scale × weight scale)."""
    if not value:
        return None
    if value in model.tensors:
        return value
    prod = idx.producer.get(value)
    if prod is None or depth == 0 or prod.op_type != "Mul":
        return None
    stored = [i for i in prod.input if i in model.tensors]
    if stored:
        return stored[0]
    return next((f for i in prod.input if (f := _stored_factor(model, idx, i, depth - 1))), None)


def float_scheme(dtype: str) -> str:
    """The scheme of an unquantized tensor: its storage type."""
    return {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "float64": "fp64"}.get(dtype, dtype)
