"""Dequantise packed weights chunk by chunk, so a 4-bit matrix is measured as the values it stands for."""

from __future__ import annotations

from typing import Iterator

import numpy as np
from onnx import numpy_helper

from ..errors import ModelError, safe_text
from ..model.tensors import unpack_int4


def _node(model, name: str):
    return next((n for n in model.nodes if n.name == name), None)


def _small(model, value: str) -> np.ndarray | None:
    if not value:
        return None
    if value in model.tensors:
        return model.tensors[value].raw().copy() if not model.tensors[value].is_float else \
            np.concatenate(list(model.tensors[value].chunks()))
    if value in model.constants:
        return numpy_helper.to_array(model.constants[value]).ravel()
    return None


def dequantized_chunks(model, p, ref, rows_per_chunk: int = 4096) -> Iterator[np.ndarray]:
    node = next((n for n in (_node(model, name) for name in p.nodes) if n is not None), None)
    if node is not None and node.op_type == "MatMulNBits":
        yield from _matmul_nbits(model, node, ref, rows_per_chunk)
        return
    # int8 with DequantizeLinear, or anything else: per-tensor scale when there is one
    dq = next((n for n in model.nodes if n.op_type == "DequantizeLinear" and n.input[0] == ref.name), None)
    scale = _small(model, dq.input[1]) if dq is not None and len(dq.input) > 1 else None
    zp = _small(model, dq.input[2]) if dq is not None and len(dq.input) > 2 else None
    for chunk in ref.chunks():
        if scale is not None and scale.size == 1:
            chunk = (chunk - (float(zp.ravel()[0]) if zp is not None and zp.size == 1 else 0.0)) * float(scale[0])
        yield chunk


def _matmul_nbits(model, node, ref, rows_per_chunk: int) -> Iterator[np.ndarray]:
    attrs = {a.name: a.i for a in node.attribute}
    K, N, bits, block = attrs.get("K", 0), attrs.get("N", 0), attrs.get("bits", 4), attrs.get("block_size", 32)
    if bits not in (4, 8) or K <= 0 or N <= 0 or block <= 0:
        raise ModelError(f"MatMulNBits node {safe_text(node.name)!r} has unsupported bits/K/N")
    n_blocks = (K + block - 1) // block
    blob = block * bits // 8
    packed = ref.raw()
    if packed.size != N * n_blocks * blob:
        raise ModelError(f"MatMulNBits weight {safe_text(ref.name)!r} does not match K={K}, N={N}")
    packed = packed.reshape(N, n_blocks * blob)
    scales = _small(model, node.input[2]).astype(np.float32).reshape(N, n_blocks)
    zp_raw = _small(model, node.input[3]) if len(node.input) > 3 else None
    default_zp = float(2 ** (bits - 1))
    row_bytes = n_blocks * blob
    for r0 in range(0, N, rows_per_chunk):
        r1 = min(N, r0 + rows_per_chunk)
        rows = packed[r0:r1]
        q = unpack_int4(rows.ravel(), signed=False).reshape(r1 - r0, n_blocks, block) if bits == 4 else \
            rows.astype(np.float32).reshape(r1 - r0, n_blocks, block)
        if zp_raw is None:
            zp = np.full((r1 - r0, n_blocks, 1), default_zp, np.float32)
        elif zp_raw.dtype.kind == "f":
            zp = zp_raw.reshape(N, n_blocks)[r0:r1, :, None].astype(np.float32)
        elif bits == 4:
            per_row = (n_blocks + 1) // 2
            zp = unpack_int4(zp_raw.reshape(N, per_row)[r0:r1].ravel(), signed=False)
            zp = zp.reshape(r1 - r0, per_row * 2)[:, :n_blocks, None]
        else:
            zp = zp_raw.reshape(N, n_blocks)[r0:r1, :, None].astype(np.float32)
        values = (q - zp) * scales[r0:r1, :, None]
        yield values.reshape(r1 - r0, n_blocks * block)[:, :K].ravel()
        ref.release(r0 * row_bytes, (r1 - r0) * row_bytes)  # like TensorRef.chunks: these rows are read
