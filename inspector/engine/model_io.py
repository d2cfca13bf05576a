"""What the graph takes and returns, read from the session itself, never from the file name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import onnxruntime as ort

from ..errors import GenerationError
from ..messages import sentence

PAST_RE = re.compile(r"^past_key_values\.(\d+)\.(key|value)$")
PRESENT_RE = re.compile(r"^present\.(\d+)\.(key|value)$")
ORT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
             "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(bool)": np.bool_}


@dataclass
class ModelIO:
    input_ids: str
    logits: str
    ids_dtype: type
    attention_mask: str | None = None
    mask_dtype: type = np.int64
    position_ids: str | None = None
    use_cache_branch: str | None = None
    past: list[tuple[str, str]] = field(default_factory=list)  # per layer (key, value) input names
    present: list[tuple[str, str]] = field(default_factory=list)
    kv_dtype: type = np.float32
    n_kv_head: int | None = None
    head_dim: int | None = None
    vocab_size: int | None = None
    head_dims: dict[str, int] = field(default_factory=dict)  # past input -> its last dim where it differs (MLA's values)
    # onnxruntime-genai's shared buffers (genai_config.json's past_present_share_buffer): each past input is a
    # preallocated cache of this many positions that the step writes into (max_length, or a sliding layer's window)
    capacity: dict[str, int] = field(default_factory=dict)

    @property
    def cached(self) -> bool:
        return bool(self.past) and len(self.past) == len(self.present)

    @property
    def shared(self) -> bool:
        """Past and present are one preallocated buffer per layer (onnxruntime-genai builds)."""
        return bool(self.capacity)

    def empty_past(self, batch: int = 1) -> dict[str, np.ndarray]:
        """The cache before the prompt: empty, or each preallocated buffer zeroed."""
        return {n: np.zeros((batch, self.n_kv_head or 1, self.capacity.get(n, 0), self.head_dims.get(n, self.head_dim or 1)),
                            self.kv_dtype) for kv in self.past for n in kv}

    def present_of(self) -> dict[str, str]:
        """Each past input's present output (the same layer and kind)."""
        return {p: q for kv_p, kv_q in zip(self.past, self.present) for p, q in zip(kv_p, kv_q)}


NOT_CAUSAL_LM = sentence("this model is not a causal LM: it has no input_ids input or no logits output")
CACHE_SHAPE_UNKNOWN = sentence("the KV cache's shape cannot be told from this model: its key/value heads or head "
                               "size are neither in its inputs nor in its graph or configs")
UNKNOWN_INPUTS = sentence("this model needs inputs the engine cannot supply: {0}")


def _static(dim) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


def shared_capacities(genai: dict | None, past: list[tuple[str, str]], context: int | None) -> dict[str, int]:
    """Past input -> positions of its preallocated buffer, when genai_config.json says past and present share one
    (as onnxruntime-genai allocates them: max_length, or window_size + cache_slack for a sliding layer); {} else."""
    search = (genai or {}).get("search") or {}
    if not search.get("past_present_share_buffer"):
        return {}
    decoder = ((genai or {}).get("model") or {}).get("decoder") or {}
    max_length = search.get("max_length") or (genai.get("model") or {}).get("context_length") or context
    if not isinstance(max_length, int) or max_length <= 0:
        return {}
    window = decoder.get("sliding_window") if isinstance(decoder.get("sliding_window"), dict) else {}
    size = window.get("window_size")
    sliding = set(window.get("layers") or []) if isinstance(size, int) and size > 0 else set()
    slack = window.get("cache_slack") or 0
    out = {}
    for layer, names in enumerate(past):
        n = min(max_length, size + slack) if layer in sliding else max_length
        out.update({name: n for name in names})
    return out


def read_io(session: ort.InferenceSession, architecture=None, genai: dict | None = None) -> ModelIO:
    """The session's inputs and outputs; `architecture` (a census's) fills cache dimensions left symbolic,
    as onnxruntime-genai builds leave the head size of their GroupQueryAttention cache; `genai` (its
    genai_config.json) says whether past and present share preallocated buffers."""
    ins = {i.name: i for i in session.get_inputs()}
    outs = {o.name: o for o in session.get_outputs()}
    if "input_ids" not in ins or "logits" not in outs:
        raise GenerationError(NOT_CAUSAL_LM)
    io = ModelIO("input_ids", "logits", ORT_TYPES.get(ins["input_ids"].type, np.int64))
    if "attention_mask" in ins:
        io.attention_mask = "attention_mask"
        io.mask_dtype = ORT_TYPES.get(ins["attention_mask"].type, np.int64)
    if "position_ids" in ins:
        io.position_ids = "position_ids"
    if "use_cache_branch" in ins:
        io.use_cache_branch = "use_cache_branch"
    past = {(int(m.group(1)), m.group(2)): n for n in ins if (m := PAST_RE.match(n))}
    present = {(int(m.group(1)), m.group(2)): n for n in outs if (m := PRESENT_RE.match(n))}
    layers = sorted({k[0] for k in past})
    io.past = [(past[(i, "key")], past[(i, "value")]) for i in layers if (i, "key") in past and (i, "value") in past]
    io.present = [(present[(i, "key")], present[(i, "value")]) for i in layers
                  if (i, "key") in present and (i, "value") in present]
    if io.past:
        first = ins[io.past[0][0]]
        io.kv_dtype = ORT_TYPES.get(first.type, np.float32)
        shape = first.shape
        if len(shape) == 4:
            io.n_kv_head, io.head_dim = _static(shape[1]), _static(shape[3])
        if architecture is not None:
            io.n_kv_head = io.n_kv_head or architecture.n_kv_head
            io.head_dim = io.head_dim or architecture.head_dim
        for name in (n for kv in io.past for n in kv):  # a value head may differ from a key head (MLA)
            dims = ins[name].shape
            if len(dims) == 4 and _static(dims[3]) and _static(dims[3]) != io.head_dim:
                io.head_dims[name] = dims[3]
        io.capacity = shared_capacities(genai, io.past, architecture.context_length if architecture else None)
        if io.n_kv_head is None or io.head_dim is None:
            raise GenerationError(CACHE_SHAPE_UNKNOWN)
    shape = outs["logits"].shape
    io.vocab_size = _static(shape[-1]) if shape else None
    known = {io.input_ids, io.attention_mask, io.position_ids, io.use_cache_branch} | {n for kv in io.past for n in kv}
    unknown = [n for n in ins if n not in known]
    if unknown:
        raise GenerationError(UNKNOWN_INPUTS(", ".join(unknown[:4])))
    return io
