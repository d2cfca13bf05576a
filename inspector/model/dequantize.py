"""The values quantized tensors stand for, computed a slice at a time.

A `Values` reader gives a stored parameter's logical values as float32, whatever its storage:
`chunks()` streams all of them (for statistics: memory stays flat, each slice's mapped pages
are given back once read), `take(indices, axis)` reads a few rows or columns of the logical
matrix (for comparing a head with an embedding).  Logical matrices are oriented as a float
export stores them (a MatMul weight is [in, out]).

The layouts are onnxruntime's contrib ops: MatMulNBits packs each output row's K values in
blocks (low nibble first, zero point 2^(bits-1) unless given); GatherBlockQuantized packs its
table rows the same way along `quantize_axis`; MatMulBnb4 codes the transposed [N, K] weight,
row-major, two codes a byte (high nibble first), each a NormalFloat-4 or FP4 level times its
block's absmax.
"""

from __future__ import annotations

import functools
import math
from typing import Callable, Iterator

import numpy as np
from onnx import TensorProto, numpy_helper

from ..errors import ModelError, safe_text
from ..messages import sentence
from .quantization import Quantization
from .tensors import CHUNK, TensorRef, to_float, unpack_int4

# bitsandbytes' 4-bit levels: NormalFloat-4 (QLoRA) and FP4 (1 sign, 2 exponent, 1 mantissa bits), as in
# onnxruntime's blockwise_quant_block_bnb4.h
NF4_LEVELS = np.array([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                       0.7229568362236023, 1.0], np.float32)
FP4_LEVELS = np.array([0.0, 0.005208333333, 0.6666666667, 1.0, 0.3333333333, 0.5, 0.1666666667, 0.25,
                       -0.0, -0.005208333333, -0.6666666667, -1.0, -0.3333333333, -0.5, -0.1666666667, -0.25],
                      np.float32)


def small_array(model, name: str | None) -> np.ndarray | None:
    """A scale or zero point as a flat array (an initializer or a Constant's value)."""
    if not name:
        return None
    if name in model.tensors:
        ref = model.tensors[name]
        return np.concatenate(list(ref.chunks()) or [np.zeros(0, np.float32)]) if ref.is_float else ref.raw().copy()
    if name in model.constants:
        return numpy_helper.to_array(model.constants[name]).ravel()
    return None


class Values:
    """A float tensor's values (the base: quantized readers override `_rows`)."""

    def __init__(self, ref: TensorRef, shape: tuple[int, ...] | None = None):
        self.ref = ref
        self.shape = tuple(shape or ref.shape)

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    def slices(self) -> Iterator[Callable[[], np.ndarray]]:
        """Readers of the values a slice at a time (TensorRef.slices): run anywhere, pages given back."""
        yield from self.ref.slices()

    def chunks(self) -> Iterator[np.ndarray]:
        for read in self.slices():
            yield read()

    def take(self, indices: np.ndarray, axis: int) -> np.ndarray:
        """np.take(logical, indices, axis) as float32, reading only what it needs where the layout allows."""
        raw = self.ref.raw()
        if self.ref.bits == 4:
            return np.take(self.full(), indices, axis)
        return to_float(np.take(raw.reshape(self.shape), indices, axis), self.ref.data_type).astype(np.float32)

    def full(self) -> np.ndarray:
        return np.concatenate(list(self.chunks()) or [np.zeros(0, np.float32)]).reshape(self.shape)


class BlockRows(Values):
    """A weight stored as rows of blocks (MatMulNBits, GatherBlockQuantized, MatMulBnb4).

    `rows(r0, r1)` dequantizes stored rows; `row_axis` says which logical axis the stored rows are."""

    row_axis = 1  # MatMul weights [K, N] are stored as N rows of K

    @property
    def n_rows(self) -> int:
        return self.shape[self.row_axis]

    def rows(self, which: np.ndarray) -> np.ndarray:  # [len(which), row length]
        raise NotImplementedError

    def slices(self) -> Iterator[Callable[[], np.ndarray]]:
        per = max(1, CHUNK // max(1, self.count // max(1, self.n_rows)))

        def read(r0: int) -> np.ndarray:
            which = np.arange(r0, min(self.n_rows, r0 + per))
            values = self.rows(which).ravel()
            self._release(which)
            return values

        for r0 in range(0, self.n_rows, per):
            yield functools.partial(read, r0)

    def _release(self, which: np.ndarray) -> None:
        if self.ref.files is not None and which.size:
            per_row = self.ref.stored_nbytes // max(1, self.n_rows)
            self.ref.release(int(which[0]) * per_row, which.size * per_row)

    def take(self, indices: np.ndarray, axis: int) -> np.ndarray:
        indices = np.asarray(indices)
        if axis == self.row_axis:
            rows = self.rows(indices)
            return rows if self.row_axis == 0 else rows.T
        return np.take(self.full(), indices, axis)

    def full(self) -> np.ndarray:
        rows = np.concatenate([self.rows(np.arange(r0, min(self.n_rows, r0 + 4096)))
                               for r0 in range(0, self.n_rows, 4096)] or [np.zeros((0, 0), np.float32)])
        return rows if self.row_axis == 0 else rows.T


# what a quantized tensor lacks (ModelError's one line; the op's and the tensor's names are names)
BITS_UNSUPPORTED = sentence("{0}-bit weights are not supported yet")
NODE_UNSUPPORTED = sentence("{0} node {1} has unsupported bits, K or N")
NOT_K_N = sentence("{0} weight {1} does not match K={2}, N={3}")
NO_AUX = sentence("{0} weight {1} has no {2} of the right size")
NO_SCALE = sentence("quantized tensor {0} has no scale")
SCALE_SHAPE = sentence("quantized tensor {0} has a scale of unexpected shape")
NOT_E_N_K = sentence("{0} weight {1} is not [experts, N, K]")
CANNOT_READ = sentence("{0} weights cannot be read yet")


def _codes(packed: np.ndarray, bits: int, signed: bool = False) -> np.ndarray:
    """Unpack 4-bit codes (low nibble first) or widen 8-bit ones, as float32."""
    if bits == 4:
        return unpack_int4(packed.ravel(), signed)
    if bits == 8:
        return packed.ravel().astype(np.int8 if signed else np.uint8).astype(np.float32)
    raise ModelError(BITS_UNSUPPORTED(bits))


class NBits(BlockRows):
    """MatMulNBits: N rows of ceil(K / block) blocks, a scale (and zero point) per block."""

    def __init__(self, model, ref: TensorRef, q: Quantization):
        super().__init__(ref, q.logical_shape)
        K, N = q.logical_shape
        self.bits, self.block = q.bits, q.block_size or 32
        if self.bits not in (4, 8) or K <= 0 or N <= 0 or self.block <= 0:
            raise ModelError(NODE_UNSUPPORTED("MatMulNBits", repr(safe_text(q.node.name))))
        self.K, self.N = K, N
        self.n_blocks = (K + self.block - 1) // self.block
        self.blob = self.block * self.bits // 8
        packed = ref.raw()
        if packed.size != N * self.n_blocks * self.blob:
            raise ModelError(NOT_K_N("MatMulNBits", repr(safe_text(ref.name)), K, N))
        self.packed = packed.reshape(N, self.n_blocks * self.blob)
        scales = small_array(model, q.scale)
        if scales is None or scales.size != N * self.n_blocks:
            raise ModelError(NO_AUX("MatMulNBits", repr(safe_text(ref.name)), "scales"))
        self.scales = scales.astype(np.float32).reshape(N, self.n_blocks)
        self.zp = self._zero_points(small_array(model, q.zero_point))

    def _zero_points(self, zp: np.ndarray | None) -> np.ndarray:
        N, nb = self.N, self.n_blocks
        if zp is None:
            return np.full((N, nb), 2.0 ** (self.bits - 1), np.float32)
        if zp.dtype.kind == "f":
            return zp.astype(np.float32).reshape(N, nb)
        if self.bits == 4:
            per_row = (nb + 1) // 2
            return unpack_int4(zp.reshape(N, per_row).ravel(), signed=False).reshape(N, per_row * 2)[:, :nb]
        return zp.astype(np.float32).reshape(N, nb)

    def rows(self, which: np.ndarray) -> np.ndarray:
        q = _codes(self.packed[which], self.bits).reshape(len(which), self.n_blocks, self.block)
        values = (q - self.zp[which, :, None]) * self.scales[which, :, None]
        return values.reshape(len(which), self.n_blocks * self.block)[:, :self.K]


class Bnb4(BlockRows):
    """MatMulBnb4: the transposed [N, K] weight's codes in blocks, each level times its block's absmax."""

    def __init__(self, model, ref: TensorRef, q: Quantization):
        super().__init__(ref, q.logical_shape)
        self.K, self.N = q.logical_shape
        self.block = q.block_size or 64
        self.levels = FP4_LEVELS if q.scheme.endswith("fp4") else NF4_LEVELS
        self.packed = ref.raw()
        numel = self.K * self.N
        if self.packed.size != (numel + 1) // 2:
            raise ModelError(NOT_K_N("MatMulBnb4", repr(safe_text(ref.name)), self.K, self.N))
        absmax = small_array(model, q.scale)
        if absmax is None or absmax.size != (numel + self.block - 1) // self.block:
            raise ModelError(NO_AUX("MatMulBnb4", repr(safe_text(ref.name)), "absmax"))
        self.absmax = absmax.astype(np.float32)

    def rows(self, which: np.ndarray) -> np.ndarray:
        flat = (which[:, None] * self.K + np.arange(self.K)[None, :]).ravel()  # element indices in [N, K]
        byte = self.packed[flat // 2]
        code = np.where(flat % 2 == 0, byte >> 4, byte & 0x0F)
        return (self.levels[code] * self.absmax[flat // self.block]).reshape(len(which), self.K)

    def _release(self, which: np.ndarray) -> None:
        if self.ref.files is not None and which.size:
            start = int(which[0]) * self.K // 2
            self.ref.release(start, which.size * self.K // 2 + 1)


class GatherBlocks(BlockRows):
    """GatherBlockQuantized: table rows of blocks along the last axis, a scale (and zero point) per block."""

    row_axis = 0

    def __init__(self, model, ref: TensorRef, q: Quantization):
        super().__init__(ref, q.logical_shape)
        self.R, self.C = q.logical_shape
        self.bits, self.block = q.bits, q.block_size or 128
        self.signed = ref.data_type == TensorProto.INT4
        self.typed4 = ref.data_type in (TensorProto.INT4, TensorProto.UINT4)
        self.packed = ref.raw().reshape(self.R, -1)
        self.n_blocks = (self.C + self.block - 1) // self.block
        scales = small_array(model, q.scale)
        if scales is None or scales.size != self.R * self.n_blocks:
            raise ModelError(NO_AUX("GatherBlockQuantized", repr(safe_text(ref.name)), "scales"))
        self.scales = scales.astype(np.float32).reshape(self.R, self.n_blocks)
        zp = small_array(model, q.zero_point)
        default = 0.0 if self.signed or self.bits == 8 else 2.0 ** (self.bits - 1)
        if zp is None:
            self.zp = np.full((self.R, self.n_blocks), default, np.float32)
        elif zp.dtype.kind == "f":
            self.zp = zp.astype(np.float32).reshape(self.R, self.n_blocks)
        else:
            per_row = zp.size // self.R
            unpacked = _codes(zp.reshape(self.R, per_row), self.bits if not self.typed4 else 4, self.signed)
            self.zp = unpacked.reshape(self.R, -1)[:, :self.n_blocks]

    def rows(self, which: np.ndarray) -> np.ndarray:
        codes = _codes(self.packed[which], self.bits, self.signed).reshape(len(which), -1)[:, :self.C]
        pad = self.n_blocks * self.block - self.C
        if pad:
            codes = np.pad(codes, ((0, 0), (0, pad)))
        codes = codes.reshape(len(which), self.n_blocks, self.block)
        values = (codes - self.zp[which, :, None]) * self.scales[which, :, None]
        return values.reshape(len(which), -1)[:, :self.C]


E2M1_LEVELS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0],
                       np.float32)  # MXFP4's 4-bit floats (1 sign, 2 exponent, 1 mantissa bits)


class ExpertRows(BlockRows):
    """QMoE: each expert's N rows of K codes (low nibble first), a scale per row or per block along K, the zero
    point 2^(bits-1) unless given; MXFP4: E2M1 codes times 2^(e - 127) per block of 32 (times a global scale per
    expert where there is one).  Logical shape [experts, N, K], read as experts·N rows."""

    row_axis = 0

    def __init__(self, model, ref: TensorRef, q: Quantization):
        super().__init__(ref, q.logical_shape)
        if len(self.shape) != 3:
            raise ModelError(NOT_E_N_K("QMoE", repr(safe_text(ref.name))))
        E, N, K = self.shape
        self.E, self.N, self.K, self.bits = E, N, K, q.bits
        self.mx = q.scheme == "mxfp4"
        self.block = q.block_size or K
        self.n_blocks = (K + self.block - 1) // self.block
        self.packed = ref.raw().reshape(E * N, -1)
        scales = small_array(model, q.scale)
        if scales is None or scales.size != E * N * self.n_blocks:
            raise ModelError(NO_AUX("QMoE", repr(safe_text(ref.name)), "scales"))
        if self.mx:  # e8m0: a power of two per block
            scales = np.ldexp(1.0, scales.astype(np.int32) - 127).astype(np.float32)
            glob = small_array(model, q.extra_aux[-1]) if q.extra_aux else None
            if glob is not None and glob.size == E:
                scales = scales.reshape(E, -1) * glob.astype(np.float32)[:, None]
        self.scales = scales.astype(np.float32).reshape(E * N, self.n_blocks)
        self.zp = None if self.mx else self._zero_points(small_array(model, q.zero_point))

    def _zero_points(self, zp: np.ndarray | None) -> np.ndarray:
        rows, nb = self.E * self.N, self.n_blocks
        if zp is None:
            return np.full((rows, nb), 2.0 ** (self.bits - 1), np.float32)
        if zp.dtype.kind == "f":
            return zp.astype(np.float32).reshape(rows, nb)
        per = (nb if self.block != self.K else self.N)  # codes per packed zero-point row
        unpacked = _codes(zp, self.bits) if self.bits in (4, 8) else zp.astype(np.float32)
        if self.block == self.K:  # per channel: [E, ceil(N·bits/8)] -> one per row
            return unpacked.reshape(self.E, -1)[:, :self.N].reshape(rows, 1)
        return unpacked.reshape(rows, -1)[:, :per]

    @property
    def n_rows(self) -> int:
        return self.E * self.N

    def rows(self, which: np.ndarray) -> np.ndarray:
        if self.mx:
            packed = self.packed[which].ravel()
            codes = np.empty(packed.size * 2, np.uint8)
            codes[0::2], codes[1::2] = packed & 0x0F, packed >> 4
            values = E2M1_LEVELS[codes].reshape(len(which), self.n_blocks, self.block)
            return (values * self.scales[which, :, None]).reshape(len(which), -1)[:, :self.K]
        q = _codes(self.packed[which], self.bits).reshape(len(which), self.n_blocks, self.block)
        values = (q - self.zp[which, :, None]) * self.scales[which, :, None]
        return values.reshape(len(which), -1)[:, :self.K]

    def full(self) -> np.ndarray:
        return super().full().reshape(self.shape)

    def take(self, indices: np.ndarray, axis: int) -> np.ndarray:
        return np.take(self.full(), indices, axis)


class Affine(Values):
    """value = (code - zero point) × scale, per tensor, per channel along `axis`, or per block along it
    (DequantizeLinear, MatMulInteger, a table dequantized after its lookup)."""

    def __init__(self, model, ref: TensorRef, q: Quantization):
        super().__init__(ref, ref.shape)
        self.scale = small_array(model, q.scale)
        if self.scale is None:
            raise ModelError(NO_SCALE(repr(safe_text(ref.name))))
        self.scale = self.scale.astype(np.float32)
        zp = small_array(model, q.zero_point)
        self.zp = np.zeros(1, np.float32) if zp is None else _as_float_codes(zp, model.tensors.get(q.zero_point))
        self.axis, self.block = q.axis, q.block_size
        if self.scale.size > 1 and (self.axis is None or self.axis >= max(1, len(self.shape))
                                    or (self.block and len(self.shape) != 2)):
            raise ModelError(SCALE_SHAPE(repr(safe_text(ref.name))))

    def _dequantize(self, codes: np.ndarray, index: dict[int, np.ndarray]) -> np.ndarray:
        """codes: a slab of the logical tensor; index[axis] = the logical positions it covers on that axis."""
        if self.scale.size == 1:
            return (codes - self.zp.ravel()[0]) * self.scale.ravel()[0]
        if self.block:  # block-wise along `axis` (2-D): scales shaped like the tensor with that axis divided
            rows, cols = index[0], index[1]
            blocked = self._blocked_shape()
            r, c = (rows // self.block, cols) if self.axis == 0 else (rows, cols // self.block)
            at = np.ix_(r, c)
            scale = self.scale.reshape(blocked)[at]
            zp = self.zp.reshape(blocked)[at] if self.zp.size > 1 else self.zp.ravel()[0]
            return (codes - zp) * scale
        pos = index[self.axis]
        shape = [1] * codes.ndim
        shape[self.axis] = len(pos)
        zp = self.zp[pos].reshape(shape) if self.zp.size > 1 else self.zp.ravel()[0]
        return (codes - zp) * self.scale[pos].reshape(shape)

    def _blocked_shape(self) -> list[int]:
        shape = list(self.shape)
        shape[self.axis] = (shape[self.axis] + self.block - 1) // self.block
        return shape

    def _all_codes(self) -> np.ndarray:
        if self.ref.bits == 4:
            return np.concatenate(list(self.ref.chunks())).reshape(self.shape)
        return self.ref.raw().reshape(self.shape)

    def slices(self) -> Iterator[Callable[[], np.ndarray]]:
        every = {a: np.arange(n) for a, n in enumerate(self.shape)}
        if len(self.shape) < 2 or self.ref.bits == 4:
            yield lambda: self._dequantize(self._all_codes().astype(np.float32), every).ravel()
            return
        codes = self._all_codes()
        per = max(1, CHUNK // max(1, self.count // self.shape[0]))
        row_bytes = codes.itemsize * (self.count // self.shape[0])

        def read(r0: int) -> np.ndarray:
            r1 = min(self.shape[0], r0 + per)
            values = self._dequantize(codes[r0:r1].astype(np.float32), {**every, 0: np.arange(r0, r1)}).ravel()
            if self.ref.files is not None:
                self.ref.release(r0 * row_bytes, (r1 - r0) * row_bytes)
            return values

        for r0 in range(0, self.shape[0], per):
            yield functools.partial(read, r0)

    def take(self, indices: np.ndarray, axis: int) -> np.ndarray:
        codes = np.take(self._all_codes(), indices, axis).astype(np.float32)
        index = {a: np.arange(n) for a, n in enumerate(self.shape)}
        index[axis] = np.asarray(indices)
        return self._dequantize(codes, index)


def _as_float_codes(zp: np.ndarray, ref: TensorRef | None) -> np.ndarray:
    if ref is not None and ref.bits == 4:
        return np.concatenate(list(ref.chunks())).astype(np.float32)
    return zp.astype(np.float32)


READERS = {"nbits": NBits, "bnb4": Bnb4, "gather_blocks": GatherBlocks, "affine": Affine, "moe_blocks": ExpertRows}  # ops.QuantSlots.layout


def values(model, ref: TensorRef, quant: Quantization | None) -> Values:
    """The reader for a stored parameter's logical values."""
    if quant is None:
        return Values(ref)
    reader = READERS.get(quant.layout)
    if reader is None:
        raise ModelError(CANNOT_READ(quant.label))
    return reader(model, ref, quant)
