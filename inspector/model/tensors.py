"""Safe, lazy access to the initializers of an ONNX graph.

A `TensorRef` knows where a tensor's bytes are (inside the protobuf or in an external
file) and checks the declared shape against the bytes actually present *before* anything
is allocated.  `chunks()` yields float arrays a slice at a time so a 100M-element matrix
never has to be materialised for statistics.
"""

from __future__ import annotations

import functools
import math
import mmap
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from onnx import TensorProto

from ..errors import ModelError, safe_text
from ..messages import sentence
from .wire import Span

# onnx data type -> (name, numpy dtype used to view the stored bytes, bits per element)
DTYPES: dict[int, tuple[str, np.dtype | None, int]] = {
    TensorProto.FLOAT: ("float32", np.dtype("<f4"), 32),
    TensorProto.FLOAT16: ("float16", np.dtype("<f2"), 16),
    TensorProto.BFLOAT16: ("bfloat16", np.dtype("<u2"), 16),
    TensorProto.DOUBLE: ("float64", np.dtype("<f8"), 64),
    TensorProto.INT8: ("int8", np.dtype("i1"), 8),
    TensorProto.UINT8: ("uint8", np.dtype("u1"), 8),
    TensorProto.INT4: ("int4", np.dtype("u1"), 4),
    TensorProto.UINT4: ("uint4", np.dtype("u1"), 4),
    TensorProto.INT16: ("int16", np.dtype("<i2"), 16),
    TensorProto.INT32: ("int32", np.dtype("<i4"), 32),
    TensorProto.INT64: ("int64", np.dtype("<i8"), 64),
    TensorProto.BOOL: ("bool", np.dtype("u1"), 8),
}
FLOAT_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.DOUBLE}
TYPED_FIELDS = {  # where small tensors keep values when raw_data is not used
    TensorProto.FLOAT: "float_data", TensorProto.DOUBLE: "double_data",
    TensorProto.INT64: "int64_data", TensorProto.FLOAT16: "int32_data",
    TensorProto.BFLOAT16: "int32_data", TensorProto.INT32: "int32_data",
    TensorProto.INT8: "int32_data", TensorProto.UINT8: "int32_data",
    TensorProto.INT16: "int32_data", TensorProto.BOOL: "int32_data",
    TensorProto.INT4: "int32_data", TensorProto.UINT4: "int32_data",
}
CHUNK = 1 << 20  # elements per chunk: 4 MB of float32, ~40 MB of temporaries

# what is wrong with a tensor's bytes (ModelError's one line)
PAST_THE_END = sentence("a tensor's bytes lie past the end of the file")
LEAVES_FOLDER = sentence("external data location {0} leaves the model's folder")
EXTERNAL_MISSING = sentence("external data file {0} is missing")
NOT_REGULAR = sentence("external data {0} is not a regular file")
WANTS_BYTES = sentence("external data for a tensor wants bytes {0}..{1} of {2}, which has {3}")
KEY_TWICE = sentence("tensor {0} gives its external-data {1} twice")
BAD_OFFSET = sentence("tensor {0} has a malformed external-data offset")
BAD_DTYPE = sentence("tensor {0} has unsupported data type {1}")
NO_FOLDER = sentence("tensor {0} has external data but no folder")
SHAPE_VS_VALUES = sentence("tensor {0} declares shape {1} ({2} elements) but carries {3} values")
SHAPE_VS_BYTES = sentence("tensor {0} declares shape {1} ({2} bytes) but carries {3} bytes")


def dtype_name(data_type: int) -> str:
    return DTYPES.get(data_type, (f"onnx-type-{data_type}", None, 0))[0]


class ExternalFiles:
    """Memory maps of the external data files of one model, opened once each, inside its folder."""

    def __init__(self, folder: Path, model_path: Path):
        self.folder = folder.resolve()
        self.model_path = model_path
        self._maps: dict[Path, mmap.mmap | bytes] = {}

    def _map(self, path: Path) -> mmap.mmap | bytes:
        buf = self._maps.get(path)
        if buf is None:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            self._maps[path] = buf
        return buf

    def model_view(self, offset: int, length: int) -> memoryview:
        """Bytes of a raw_data field left in the model file itself (see wire.py)."""
        buf = self._map(self.model_path.resolve())
        if offset < 0 or offset + length > len(buf):
            raise ModelError(PAST_THE_END(), str(self.model_path))
        return memoryview(buf)[offset:offset + length]

    def release(self, path: Path | None, offset: int, length: int) -> None:
        """Let the kernel drop the pages of a tensor we are done with: RSS stays flat over a big model."""
        buf = self._maps.get((path or self.model_path).resolve())
        if not isinstance(buf, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or length <= 0:
            return
        start = offset - offset % mmap.PAGESIZE
        try:
            buf.madvise(mmap.MADV_DONTNEED, start, min(len(buf) - start, length + offset - start))
        except (OSError, ValueError):
            pass

    def resolve(self, location: str) -> Path:
        bad = ModelError(LEAVES_FOLDER(repr(safe_text(location))), str(self.model_path))
        if not location or os.path.isabs(location) or location.startswith(("/", "\\")) or ":" in location:
            raise bad
        target = (self.folder / location).resolve()  # follows links: a link out is caught here
        if os.path.commonpath([str(self.folder), str(target)]) != str(self.folder):
            raise bad
        if not target.exists():
            raise ModelError(EXTERNAL_MISSING(repr(safe_text(location))), str(self.model_path))
        if not target.is_file():  # a folder, a FIFO (opening it would block), a device
            raise ModelError(NOT_REGULAR(repr(safe_text(location))), str(self.model_path))
        return target

    def view(self, location: str, offset: int, length: int | None) -> memoryview:
        path = self.resolve(location)
        buf = self._map(path)
        size = len(buf)
        if length is None:
            length = size - offset
        if offset < 0 or length < 0 or offset + length > size:
            raise ModelError(WANTS_BYTES(offset, offset + length, repr(safe_text(location)), size),
                             str(self.model_path))
        return memoryview(buf)[offset:offset + length]

    def close(self) -> None:
        for buf in self._maps.values():
            if isinstance(buf, mmap.mmap):
                try:
                    buf.close()
                except BufferError:  # a numpy view still holds it; the GC will close it
                    pass
        self._maps.clear()


@dataclass
class TensorRef:
    """One stored initializer, read lazily."""

    name: str
    data_type: int
    shape: tuple[int, ...]
    proto: TensorProto = field(repr=False)
    files: ExternalFiles | None = field(default=None, repr=False)
    span: Span | None = None  # raw_data left in the model file by the lazy parser

    @property
    def dtype(self) -> str:
        return dtype_name(self.data_type)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def is_float(self) -> bool:
        return self.data_type in FLOAT_TYPES

    @property
    def bits(self) -> int:
        return DTYPES.get(self.data_type, ("", None, 0))[2]

    @property
    def expected_nbytes(self) -> int:
        return (self.size * self.bits + 7) // 8

    def quant_like(self) -> bool:
        """Integer storage of a float quantity (int8/int4 weights): not comparable byte for byte."""
        return not self.is_float

    @property
    def is_external(self) -> bool:
        return self.proto.data_location == TensorProto.EXTERNAL

    @property
    def stored_nbytes(self) -> int:
        """Bytes this tensor occupies in the file(s), as declared."""
        if self.is_external:
            info = {e.key: e.value for e in self.proto.external_data}
            if "length" in info:
                return int(info["length"])
            return self.expected_nbytes
        if self.span is not None:
            return self.span.length
        if self.proto.raw_data:
            return len(self.proto.raw_data)
        return self.expected_nbytes

    def _external_info(self) -> tuple[str, int, int | None]:
        keys = [e.key for e in self.proto.external_data]
        if len(keys) != len(set(keys)):  # onnxruntime refuses these; which entry would win is anyone's guess
            twice = next(k for k in keys if keys.count(k) > 1)
            raise ModelError(KEY_TWICE(repr(safe_text(self.name)), repr(safe_text(twice))))
        info = {e.key: e.value for e in self.proto.external_data}
        try:
            offset = int(info.get("offset", 0))
            length = int(info["length"]) if "length" in info else None
        except ValueError:
            raise ModelError(BAD_OFFSET(repr(safe_text(self.name)))) from None
        return info.get("location", ""), offset, length

    def release(self, start: int = 0, length: int | None = None) -> None:
        """Done with these bytes of the tensor (all by default): drop their mapped pages."""
        if self.files is None:
            return
        total = self.stored_nbytes
        length = total - start if length is None else min(length, total - start)
        if self.span is not None:
            self.files.release(None, self.span.offset + start, length)
        elif self.is_external:
            location, offset, _length = self._external_info()
            try:
                path = self.files.resolve(location)
            except ModelError:
                return
            self.files.release(path, offset + start, length)

    def _buffer(self) -> memoryview | np.ndarray:
        """The stored bytes, checked against the declared shape; no copy for raw or external data."""
        if self.data_type not in DTYPES:
            raise ModelError(BAD_DTYPE(repr(safe_text(self.name)), self.data_type))
        need = self.expected_nbytes
        if self.is_external:
            if self.files is None:
                raise ModelError(NO_FOLDER(repr(safe_text(self.name))))
            location, offset, length = self._external_info()
            buf = self.files.view(location, offset, length)
            have = len(buf)
        elif self.span is not None:
            buf = self.files.model_view(self.span.offset, self.span.length)
            have = len(buf)
        elif self.proto.HasField("raw_data") or self.proto.raw_data:
            buf = memoryview(self.proto.raw_data)
            have = len(buf)
        else:
            field_name = TYPED_FIELDS.get(self.data_type)
            values = getattr(self.proto, field_name) if field_name else []
            have_elems = len(values)
            expected_elems = (self.size + 1) // 2 if self.bits == 4 else self.size
            if have_elems != expected_elems:
                raise ModelError(SHAPE_VS_VALUES(repr(safe_text(self.name)), str(list(self.shape)), self.size,
                                                 have_elems))
            np_dtype = DTYPES[self.data_type][1]
            return np.asarray(values).astype(np_dtype)
        if have != need:
            raise ModelError(SHAPE_VS_BYTES(repr(safe_text(self.name)), str(list(self.shape)), need, have))
        return buf

    def check(self) -> None:
        """Raise ModelError when the declared shape does not match the bytes present."""
        self._buffer()

    def raw(self) -> np.ndarray:
        """The stored values as a flat array of the storage dtype (packed int4 stays packed)."""
        buf = self._buffer()
        if isinstance(buf, np.ndarray):
            return buf
        return np.frombuffer(buf, dtype=DTYPES[self.data_type][1])

    def slices(self, chunk: int = CHUNK) -> Iterator[Callable[[], np.ndarray]]:
        """One reader per `chunk` elements: each returns that slice's logical values as floats (a copy) and
        gives its mapped pages back, so readers can run on any thread, in any order, and memory stays flat."""
        flat = self.raw()
        mapped = self.files is not None

        def read(start: int, stop: int, unpack: bool) -> np.ndarray:
            part = flat[start:stop]
            values = unpack_int4(part, self.data_type == TensorProto.INT4)[: self.size - 2 * start] if unpack \
                else to_float(part, self.data_type)
            if mapped:
                self.release(start * flat.itemsize, (stop - start) * flat.itemsize)
            return values

        step = chunk // 2 if self.bits == 4 else chunk
        for start in range(0, flat.size, step):
            yield functools.partial(read, start, min(flat.size, start + step), self.bits == 4)

    def chunks(self, chunk: int = CHUNK) -> Iterator[np.ndarray]:
        """Flat float32/float64 slices of the logical values, `chunk` elements at a time."""
        for read in self.slices(chunk):
            yield read()

    def array(self) -> np.ndarray:
        """The whole tensor as floats in its shape; only for tensors known to be small."""
        return np.concatenate(list(self.chunks()) or [np.zeros(0, np.float32)]).reshape(self.shape)


def to_float(values: np.ndarray, data_type: int) -> np.ndarray:
    """float32 (float64 for double) values, always a copy: the stored bytes may be given back afterwards."""
    if data_type == TensorProto.BFLOAT16:
        return (values.astype(np.uint32) << 16).view(np.float32)
    if data_type == TensorProto.DOUBLE:
        return values.copy()
    return values.astype(np.float32)


def unpack_int4(packed: np.ndarray, signed: bool) -> np.ndarray:
    """Two 4-bit values per byte, low nibble first (ONNX's and MatMulNBits' order)."""
    low = (packed & 0x0F).astype(np.int8)
    high = (packed >> 4).astype(np.int8)
    out = np.empty(packed.size * 2, np.int8)
    out[0::2], out[1::2] = low, high
    if signed:
        out = np.where(out > 7, out - 16, out).astype(np.int8)
    return out.astype(np.float32)
