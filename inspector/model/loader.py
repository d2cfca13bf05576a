"""Open an ONNX export (a `.onnx` file or an export folder) without reading its weights.

The graph is parsed with external data left on disk; every initializer becomes a
`TensorRef` whose bytes are checked for presence and size up front, so a truncated file
or a location that leaves the folder is refused before any statistics run.  Initializers
and nodes inside subgraphs (the `If` branches of a merged decoder) are indexed with the rest.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import mmap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import onnx
from google.protobuf.message import DecodeError
from onnx import ModelProto, TensorProto

from ..errors import ModelError, safe_text
from ..messages import sentence
from .sources import ModelSource, open_source
from .tensors import ExternalFiles, TensorRef
from .wire import WireError, parse_lazily

log = logging.getLogger(__name__)
PROTOBUF_LIMIT = 2**31 - 1
LAZY_FROM = 32 << 20  # files this large are parsed without copying their weights (wire.py)


@dataclass
class LoadedModel:
    """A parsed graph plus lazy handles on its stored tensors."""

    path: Path  # the .onnx file
    proto: ModelProto = field(repr=False)
    tensors: dict[str, TensorRef] = field(repr=False)
    constants: dict[str, TensorProto] = field(repr=False)  # outputs of Constant nodes
    source: ModelSource | None = field(default=None, repr=False)
    files: ExternalFiles | None = field(default=None, repr=False)
    repaired_names: int = 0  # names that were not valid UTF-8, now shown with \x escapes

    @functools.cached_property
    def config(self) -> dict | None:
        """config.json (beside the model or one folder up); it only cross-checks the graph."""
        return self.source.side_json("config.json") if self.source else None

    @functools.cached_property
    def genai_config(self) -> dict | None:
        """onnxruntime-genai's genai_config.json: heads, head size and context of a builder model."""
        return self.source.side_json("genai_config.json") if self.source else None

    @functools.cached_property
    def nodes(self) -> list[onnx.NodeProto]:
        """Every node, those inside subgraphs (If/Loop/Scan bodies) included."""
        return list(iter_nodes(self.proto.graph))

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def graph(self) -> onnx.GraphProto:
        return self.proto.graph

    @property
    def file_size(self) -> int:
        return self.path.stat().st_size

    @property
    def producer(self) -> str:
        return f"{self.proto.producer_name} {self.proto.producer_version}".strip()

    @property
    def opset(self) -> int | None:
        versions = [o.version for o in self.proto.opset_import if o.domain in ("", "ai.onnx")]
        return versions[0] if versions else None

    @property
    def external_bytes(self) -> int:
        return sum(t.stored_nbytes for t in self.tensors.values() if t.is_external)

    @property
    def external_files(self) -> list[Path]:
        """The external data files the model names (inside its folder: checked at load)."""
        names = {e.value for t in self.tensors.values() if t.is_external for e in t.proto.external_data
                 if e.key == "location"}
        return sorted(self.folder / n for n in names)

    def input_names(self) -> list[str]:
        return [i.name for i in self.graph.input if i.name not in self.tensors]

    def sha256(self, progress: Callable[[float], None] | None = None) -> str:
        h = hashlib.sha256()
        size = max(1, self.file_size)
        done = 0
        with open(self.path, "rb") as fh:
            while block := fh.read(1 << 22):
                h.update(block)
                done += len(block)
                if progress:
                    progress(done / size)
        return h.hexdigest()

    def close(self) -> None:
        if self.files:
            self.files.close()


def iter_nodes(graph: onnx.GraphProto):
    """The nodes of a graph and, depth first, of every subgraph its nodes hold."""
    for node in graph.node:
        yield node
        for sub in subgraphs(node):
            yield from iter_nodes(sub)


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    out = []
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH:
            out.append(attr.g)
        elif attr.type == onnx.AttributeProto.GRAPHS:
            out.extend(attr.graphs)
    return out


def _text(value) -> str | None:
    """protobuf hands back a string field that is not valid UTF-8 as bytes; None when it is text already."""
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else None


def _repair_repeated(field) -> int:
    n = 0
    for i, value in enumerate(field):
        if (text := _text(value)) is not None:
            field[i] = text
            n += 1
    return n


def repair_names(graph: onnx.GraphProto) -> int:
    """Give every name that is not valid UTF-8 (ONNX requires it) an escaped text form, the same bytes always
    the same text, so references still match; returns how many were repaired."""
    n = 0
    for holder in [graph, *graph.input, *graph.output, *graph.value_info, *graph.initializer]:
        if (text := _text(holder.name)) is not None:
            holder.name = text
            n += 1
    for init in graph.initializer:
        for entry in init.external_data:
            for attr in ("key", "value"):
                if (text := _text(getattr(entry, attr))) is not None:
                    setattr(entry, attr, text)
                    n += 1
    for node in graph.node:
        for attr in ("name", "op_type", "domain"):
            if (text := _text(getattr(node, attr))) is not None:
                setattr(node, attr, text)
                n += 1
        n += _repair_repeated(node.input) + _repair_repeated(node.output)
        for a in node.attribute:
            if (text := _text(a.name)) is not None:
                a.name = text
                n += 1
        for sub in subgraphs(node):
            n += repair_names(sub)
    return n


def _inner_initializers(graph: onnx.GraphProto):
    """Initializers of subgraphs, in a stable order (a merged decoder keeps small ones in its branches)."""
    for node in graph.node:
        for sub in subgraphs(node):
            yield from sub.initializer
            yield from _inner_initializers(sub)


# why a file is not a usable model (ModelError's one line)
UNREADABLE_DETAIL = sentence("not a readable ONNX model ({0})")
UNREADABLE = sentence("not a readable ONNX model (its contents do not parse as one)")
OVER_2GIB = sentence("file is over 2 GiB; large ONNX models keep weights in external data")
EMPTY = sentence("file is empty")
PICTURE = sentence("this is a picture or archive, not an ONNX model")
NO_GRAPH = sentence("not an ONNX model (no graph found)")
IMPOSSIBLE_SHAPE = sentence("tensor {0} declares an impossible shape {1}")


def _parse(model_path: Path, lazy: bool) -> tuple[ModelProto, list]:
    """The ModelProto, and where each initializer's raw bytes lie when parsed lazily."""
    where = str(model_path)
    if lazy:
        with open(model_path, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return parse_lazily(buf)
        except (WireError, DecodeError, ValueError, RuntimeError) as exc:
            raise ModelError(UNREADABLE_DETAIL(str(exc)), where) from None
        finally:
            buf.close()
    if model_path.stat().st_size > PROTOBUF_LIMIT:
        raise ModelError(OVER_2GIB, where)
    try:
        return onnx.load_model(str(model_path), load_external_data=False), []
    except Exception:  # protobuf raises a zoo of types on garbage; all mean the same here
        raise ModelError(UNREADABLE, where) from None


def load_model(path: str | Path, lazy: bool | None = None, variant: str | None = None) -> LoadedModel:
    """Parse the graph and index its tensors; raises ModelError with one clear line.

    `path` is a `.onnx` file or a folder (see sources.py); `variant` names another file of it.
    `lazy` (default: for files over 32 MB) leaves large weights in the file, memory-mapped.
    """
    source = open_source(path, variant)
    model_path = source.path
    where = str(model_path)
    size = model_path.stat().st_size
    if size == 0:
        raise ModelError(EMPTY, where)
    with open(model_path, "rb") as fh:
        head = fh.read(16)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04")):
        raise ModelError(PICTURE, where)
    proto, spans = _parse(model_path, size >= LAZY_FROM if lazy is None else lazy)
    if proto.ir_version <= 0 or not proto.HasField("graph") or len(proto.graph.node) == 0:
        raise ModelError(NO_GRAPH, where)
    repaired = repair_names(proto.graph)

    files = ExternalFiles(model_path.parent, model_path)
    tensors: dict[str, TensorRef] = {}
    inner = list(_inner_initializers(proto.graph))
    try:
        for k, init in enumerate(list(proto.graph.initializer) + inner):
            if init.name in tensors:  # the same name in two branches: one tensor
                continue
            dims = tuple(int(d) for d in init.dims)
            if any(d < 0 for d in dims) or math.prod(dims) > 1 << 48:
                raise ModelError(IMPOSSIBLE_SHAPE(repr(safe_text(init.name)), str(list(dims))), where)
            span = spans[k] if k < len(spans) and k < len(proto.graph.initializer) else None
            ref = TensorRef(init.name, init.data_type, dims, init,
                            files if init.data_location == TensorProto.EXTERNAL or span else None, span)
            try:
                ref.check()
            except ModelError as exc:
                raise ModelError(exc.message, where) from None
            tensors[init.name] = ref
    except ModelError:
        files.close()
        raise
    constants = {}
    for node in iter_nodes(proto.graph):
        if node.op_type == "Constant" and node.output:
            for attr in node.attribute:
                if attr.name == "value" and attr.HasField("t"):
                    constants.setdefault(node.output[0], attr.t)
    return LoadedModel(model_path, proto, tensors, constants, source, files, repaired)
