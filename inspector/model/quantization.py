"""How a stored tensor is quantized, read from the ops that consume it.

Every scheme the hubs ship is recognised by its structure, never by file or tensor names. The ops whose
inputs are codes say where their scales and zero points are and how the logical shape is read (ops.py):
- MatMulNBits (q4, q4f16, onnxruntime-genai int4): packed n-bit blocks, scales, optional zero points;
- GatherBlockQuantized (genai's quantized embedding tables): the same blocks, read row by row;
- MatMulBnb4 (bnb4): NF4 or FP4 codes with one absmax per block;
- QMoE (genai's quantized experts): each expert's rows of int4/int8 codes, per channel or in blocks; MXFP4;
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

import onnx

from . import ops

if TYPE_CHECKING:
    from .graph_walk import GraphIndex, Use
    from .loader import LoadedModel
    from .tensors import TensorRef

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
    layout: str = "affine"  # how the codes are laid out: the reader dequantize.py uses (ops.QuantSlots.layout)

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
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _input(node: onnx.NodeProto, slot: int | None) -> str | None:
    return node.input[slot] if slot is not None and len(node.input) > slot and node.input[slot] else None


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
    spec = ops.QUANTIZING.get(op)
    if spec is not None and spec.describe is not None and use.slot in spec.codes:
        codes = spec.describe(_attrs(node), ref, use.slot)
        scale, zero_point = spec.codes[use.slot]
        return Quantization(op, codes.scheme, codes.bits, codes.shape, node, block_size=codes.block_size,
                            axis=codes.axis, scale=_input(node, scale), zero_point=_input(node, zero_point),
                            extra_aux=tuple(x for s in [*sorted(spec.extra), spec.global_scales.get(use.slot)]
                                            if (x := _input(node, s))),
                            layout=spec.layout)
    if ref.is_float:
        return None
    name, bits, _signed = _int_name(ref)
    if op == "MatMulInteger" and use.slot == 1:
        scale = _matmul_integer_scale(model, node, idx)
        per_channel = scale is not None and scale in model.tensors and model.tensors[scale].size > 1
        return Quantization("MatMulInteger", f"{name} dynamic", bits, ref.shape, node,
                            axis=(len(ref.shape) - 1) if per_channel else None, scale=scale,
                            zero_point=_input(node, ops.QUANTIZING[op].codes[1][1]), layout="affine")
    dq = next((n for n in use.path if n.op_type == "DequantizeLinear"), None)
    if dq is not None:
        return _from_dequantize(model, ref, dq, idx, name, bits)
    if op in ops.LOOKUP_OPS and use.slot == 0:  # the table is looked up, then the rows dequantized
        for consumer, slot in idx.consumers.get(node.output[0], []):
            if consumer.op_type == "DequantizeLinear" and slot == 0:
                q = _from_dequantize(model, ref, consumer, idx, name, bits)
                q.op = "GatherDequantize"
                return q
    return None


def _from_dequantize(model, ref, dq, idx, name: str, bits: int) -> Quantization:
    a = _attrs(dq)
    scale = _input(dq, ops.QUANTIZING["DequantizeLinear"].codes[0][0])
    size = model.tensors[scale].size if scale in model.tensors else 1
    axis = block = None
    if size > 1:
        axis = int(a.get("axis", 1))
        axis = axis + len(ref.shape) if axis < 0 else axis
        block = int(a["block_size"]) if a.get("block_size") else None
    scheme = f"{name} dynamic" if _is_dynamic(idx) else f"QDQ {name}"
    scale_slot, zero_slot = ops.QUANTIZING["DequantizeLinear"].codes[0]
    return Quantization("DequantizeLinear", scheme, bits, ref.shape, dq, block_size=block, axis=axis,
                        scale=_input(dq, scale_slot), zero_point=_input(dq, zero_slot), layout="affine")


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
