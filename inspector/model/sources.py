"""Which `.onnx` file a path means, the other variants beside it, and the side files that go with it.

Folders come as the hubs ship them: an optimum export (`model.onnx` and its configs), a
transformers.js / onnx-community folder (configs on top, `onnx/model.onnx`, `onnx/model_fp16.onnx`,
`onnx/model_q4.onnx` …), an optimum 1.x folder (`decoder_model_merged.onnx` beside the two
decoders it merges), an onnxruntime-genai build (`genai_config.json` names its model file).
Side files are looked up beside the model and then in its parent folder: those names, one
level up, never further.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError, safe_text
from ..messages import sentence

log = logging.getLogger(__name__)

MODEL_SUBFOLDER = "onnx"  # where transformers.js folders keep their models
SIDE_FILES = ("config.json", "generation_config.json", "genai_config.json", "tokenizer.json",
              "tokenizer_config.json")
# transformers.js's file-name suffix for each dtype (its loader picks files by these names)
DTYPE_SUFFIXES = (("_q4f16", "int4 (fp16)"), ("_bnb4", "bnb4"), ("_q4", "int4"), ("_fp16", "fp16"),
                  ("_int8", "int8"), ("_uint8", "uint8"), ("_quantized", "int8"), ("_q8", "int8"),
                  ("_bf16", "bf16"))
# legacy optimum 1.x names, best first: the merged decoder does both prefill and decode
DECODER_ORDER = ("decoder_model_merged", "decoder_with_past_model", "decoder_model")
PRECISION_ORDER = ("fp32", "fp16", "bf16", "int8", "uint8", "int4", "int4 (fp16)", "bnb4")
JSON_LIMIT = 8 << 20  # a side file larger than this is not a config


@dataclass(frozen=True)
class Variant:
    """One model file of a folder."""

    path: Path
    name: str  # relative to the folder that was opened, e.g. "onnx/model_fp16.onnx"
    dtype: str  # by transformers.js's naming convention ("fp32" for a bare name)
    nbytes: int  # the file plus the external data files named after it

    def as_dict(self) -> dict:
        return {"file": self.name, "dtype": self.dtype, "bytes": self.nbytes}


@dataclass
class ModelSource:
    """The model file chosen for a path, its siblings, and its side files."""

    path: Path  # the .onnx file
    root: Path  # the folder the user opened (or the model's own folder when a file was opened)
    variants: list[Variant] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def variant(self) -> Variant | None:
        return next((v for v in self.variants if v.path == self.path), None)

    def side_file(self, name: str) -> Path | None:
        """`name` beside the model, else in its parent folder; one level, never further."""
        if name not in SIDE_FILES:
            raise ValueError(f"not a side file: {name}")
        for folder in (self.folder, self.folder.parent):
            p = folder / name
            if p.is_file():
                return p
        return None

    def side_json(self, name: str) -> dict | None:
        """A side file's JSON object, or None when it is missing or malformed (it only informs)."""
        p = self.side_file(name)
        if p is None:
            return None
        try:
            if p.stat().st_size > JSON_LIMIT:
                raise ValueError("too large")
            with open(p, encoding="utf-8") as fh:
                data = json.load(fh)
            return data if isinstance(data, dict) else None
        except (OSError, ValueError, RecursionError):
            log.warning("ignoring unreadable %s", safe_text(p))
            return None

    def side_files(self) -> dict[str, str]:
        """The side files found, by name: what the inspector read besides the model."""
        return {n: str(p) for n in SIDE_FILES if (p := self.side_file(n)) is not None}


def dtype_of(file_name: str) -> str:
    stem = file_name[:-5] if file_name.endswith(".onnx") else file_name
    for suffix, dtype in DTYPE_SUFFIXES:
        if stem.endswith(suffix):
            return dtype
    return "fp32"


def _data_bytes(path: Path) -> int:
    """The model file and the external data files conventionally named after it."""
    total = path.stat().st_size
    for sibling in path.parent.iterdir():
        n = sibling.name
        if n != path.name and n.startswith(path.name) and re.fullmatch(r"[._]data(_\d+)?", n[len(path.name):]) \
                and sibling.is_file():
            total += sibling.stat().st_size
    return total


def list_variants(root: Path) -> list[Variant]:
    """Every `.onnx` file in `root` and in `root/onnx`, best first."""
    found = []
    for folder in (root, root / MODEL_SUBFOLDER):
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*.onnx")):
            if p.is_file():
                name = p.relative_to(root).as_posix()
                found.append(Variant(p, name, dtype_of(p.name), _data_bytes(p)))
    genai = _genai_model_name(root)
    return sorted(found, key=lambda v: _rank(v, genai))


def _genai_model_name(root: Path) -> str | None:
    p = root / "genai_config.json"
    if not p.is_file():
        return None
    try:
        name = json.loads(p.read_text(encoding="utf-8"))["model"]["decoder"]["filename"]
        return name if isinstance(name, str) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _rank(v: Variant, genai: str | None) -> tuple:
    """model.onnx first, then the merged decoder, then the genai model; float before quantized."""
    stem = v.path.stem
    base = 0 if stem == "model" else 1 if stem in DECODER_ORDER else 2 if v.path.name == genai else 3
    decoder = next((i for i, d in enumerate(DECODER_ORDER) if stem.startswith(d)), len(DECODER_ORDER))
    precision = PRECISION_ORDER.index(v.dtype) if v.dtype in PRECISION_ORDER else len(PRECISION_ORDER)
    return (precision, base, decoder, v.name.count("/"), v.name)


NO_SUCH_FILE = sentence("no such file or folder")
NO_MODEL_IN_FOLDER = sentence("folder holds no .onnx model (looked in it and in its onnx/ folder)")
NOT_A_FILE = sentence("not a regular file")
NO_VARIANT = sentence("no variant {0} here; this folder holds: {1}")


def open_source(path: str | Path, variant: str | None = None) -> ModelSource:
    """The model a path means; `variant` picks another file of the folder by its name."""
    p = Path(path)
    if not p.exists():
        raise ModelError(NO_SUCH_FILE, safe_text(p))
    if p.is_dir():
        root = p
        variants = list_variants(root)
        if not variants:
            raise ModelError(NO_MODEL_IN_FOLDER, safe_text(p))
        chosen = variants[0].path
    elif p.is_file():
        root = p.parent
        variants = list_variants(root)
        chosen = p
    else:
        raise ModelError(NOT_A_FILE, safe_text(p))
    if variant:
        chosen = _pick(root, variants, variant)
    if not any(v.path == chosen for v in variants):  # a file with another extension, opened by name
        variants.insert(0, Variant(chosen, chosen.name, dtype_of(chosen.name), chosen.stat().st_size))
    return ModelSource(chosen, root, variants)


def _pick(root: Path, variants: list[Variant], wanted: str) -> Path:
    """A variant by its name: 'model_fp16.onnx', 'onnx/model_fp16.onnx' or 'model_fp16'."""
    w = wanted.replace("\\", "/").strip("/")
    for v in variants:
        if w in (v.name, v.path.name, v.path.stem, v.name[:-5]):
            return v.path
    names = ", ".join(v.name for v in variants) or "none"
    raise ModelError(NO_VARIANT(repr(safe_text(wanted)), safe_text(names, 400)), safe_text(root))
