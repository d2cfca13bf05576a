"""Parse a large inline ONNX file without copying its weights.

protobuf's Python parser copies every `raw_data` field into memory, so a 500 MB model
costs 1 GB to open.  This reads the protobuf wire format just deep enough (ModelProto →
GraphProto → initializer TensorProto), records where each large `raw_data` lies in the
memory-mapped file, and hands protobuf a copy of the model with those fields left out.
Everything else — nodes, names, shapes, small tensors — is parsed by protobuf as usual.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

from .proto import ModelProto

MODEL_GRAPH, GRAPH_INITIALIZER, TENSOR_RAW_DATA = 7, 5, 9
LARGE = 4096  # raw_data at least this long stays in the file


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


@dataclass(frozen=True)
class Span:
    offset: int
    length: int


def _varint(buf, pos: int, end: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        if pos >= end:
            raise WireError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint too long")


def _encode_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _fields(buf, start: int, end: int):
    """(field number, wire type, field start, payload start, payload end) for each field in [start, end)."""
    pos = start
    while pos < end:
        field_start = pos
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        if wire == 0:
            _, pos2 = _varint(buf, pos, end)
        elif wire == 1:
            pos2 = pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos, end)
            pos2 = pos + length
        elif wire == 5:
            pos2 = pos + 4
        else:
            raise WireError(f"unsupported wire type {wire}")
        if pos2 > end:
            raise WireError("the file is truncated (a field runs past its end)")
        yield number, wire, field_start, pos, pos2
        pos = pos2


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _tensor_without_raw(buf, start: int, end: int) -> tuple[bytes, Span | None]:
    kept = bytearray()
    span = None
    for number, wire, fstart, pstart, pend in _fields(buf, start, end):
        if number == TENSOR_RAW_DATA and wire == 2 and pend - pstart >= LARGE:
            span = Span(pstart, pend - pstart)
            continue
        kept += buf[fstart:pend]
    return bytes(kept), span


def parse_lazily(buf: mmap.mmap | bytes) -> tuple[ModelProto, list[Span | None]]:
    """The model without its large raw_data, and for each initializer (in order) where its bytes lie."""
    end = len(buf)
    model_bytes = bytearray()
    spans: list[Span | None] = []
    for number, wire, fstart, pstart, pend in _fields(buf, 0, end):
        if number != MODEL_GRAPH or wire != 2:
            model_bytes += buf[fstart:pend]
            continue
        graph = bytearray()
        for gnum, gwire, gfstart, gpstart, gpend in _fields(buf, pstart, pend):
            if gnum == GRAPH_INITIALIZER and gwire == 2:
                tensor, span = _tensor_without_raw(buf, gpstart, gpend)
                graph += _length_delimited(GRAPH_INITIALIZER, tensor)
                spans.append(span)
            else:
                graph += buf[gfstart:gpend]
        model_bytes += _length_delimited(MODEL_GRAPH, bytes(graph))
    model = ModelProto()
    model.ParseFromString(bytes(model_bytes))
    return model, spans
