"""Open an ONNX export (a `.onnx` file or an export folder) without reading its weights.

The graph is parsed with external data left on disk; every initializer becomes a
`TensorRef` whose bytes are checked for presence and size up front, so a truncated file
or a location that leaves the folder is refused before any statistics run.
"""

from __future__ import annotations

import hashlib
import json
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
    config: dict | None = None
    files: ExternalFiles | None = field(default=None, repr=False)

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
    def tokenizer_path(self) -> Path | None:
        p = self.folder / "tokenizer.json"
        return p if p.is_file() else None

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


def resolve_model_path(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        candidates = [p / "model.onnx"] + sorted(p.glob("*.onnx"))
        for c in candidates:
            if c.is_file():
                return c
        raise ModelError("folder holds no model.onnx", str(p))
    if not p.exists():
        raise ModelError("no such file", str(p))
    if not p.is_file():
        raise ModelError("not a regular file", str(p))
    return p


def _parse(model_path: Path, lazy: bool) -> tuple[ModelProto, list]:
    """The ModelProto, and where each initializer's raw bytes lie when parsed lazily."""
    where = str(model_path)
    if lazy:
        with open(model_path, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return parse_lazily(buf)
        except (WireError, DecodeError, ValueError, RuntimeError) as exc:
            raise ModelError(f"not a readable ONNX model ({exc})", where) from None
        finally:
            buf.close()
    if model_path.stat().st_size > PROTOBUF_LIMIT:
        raise ModelError("file is over 2 GiB; large ONNX models keep weights in external data", where)
    try:
        return onnx.load_model(str(model_path), load_external_data=False), []
    except Exception as exc:  # protobuf raises a zoo of types on garbage; all mean the same here
        raise ModelError(f"not a readable ONNX model ({type(exc).__name__})", where) from None


def load_model(path: str | Path, lazy: bool | None = None) -> LoadedModel:
    """Parse the graph and index its tensors; raises ModelError with one clear line.

    `lazy` (default: for files over 32 MB) leaves large weights in the file, memory-mapped.
    """
    model_path = resolve_model_path(path)
    where = str(model_path)
    size = model_path.stat().st_size
    if size == 0:
        raise ModelError("file is empty", where)
    with open(model_path, "rb") as fh:
        head = fh.read(16)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04")):
        raise ModelError("this is a picture or archive, not an ONNX model", where)
    proto, spans = _parse(model_path, size >= LAZY_FROM if lazy is None else lazy)
    if proto.ir_version <= 0 or not proto.HasField("graph") or len(proto.graph.node) == 0:
        raise ModelError("not an ONNX model (no graph found)", where)

    files = ExternalFiles(model_path.parent, model_path)
    tensors: dict[str, TensorRef] = {}
    try:
        for k, init in enumerate(proto.graph.initializer):
            dims = tuple(int(d) for d in init.dims)
            if any(d < 0 for d in dims) or math.prod(dims) > 1 << 48:
                raise ModelError(f"tensor {safe_text(init.name)!r} declares an impossible shape {list(dims)}", where)
            span = spans[k] if k < len(spans) else None
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
    for node in proto.graph.node:
        if node.op_type == "Constant" and node.output:
            for attr in node.attribute:
                if attr.name == "value" and attr.HasField("t"):
                    constants[node.output[0]] = attr.t
    return LoadedModel(model_path, proto, tensors, constants, read_config(model_path.parent), files)


def read_config(folder: Path) -> dict | None:
    """config.json beside the model, if any and well-formed; it only cross-checks the graph."""
    p = folder / "config.json"
    if not p.is_file():
        return None
    try:
        with open(p, encoding="utf-8") as fh:
            cfg = json.load(fh)
        return cfg if isinstance(cfg, dict) else None
    except (OSError, ValueError):
        log.warning("ignoring unreadable %s", p)
        return None
