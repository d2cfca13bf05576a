"""The inside of a step: where the chosen position looked (attention) and what each layer would have said
(the logit lens), read from an in-memory copy of the model whose probes (model/probes.py) are extra outputs.

The copy is made only when asked for, so plain generation keeps its speed; the user's file is never
written, and external data is still read in place.  The lens puts the residual stream after each block
through the model's final norm and LM head, computed here from the weights the census reads; the last
layer's lens is the model's own distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx

from ..errors import GenerationError
from ..messages import Message, sentence
from ..model import load_model, take_census
from ..model.dequantize import values
from ..model.ablation import Hooks, add_ablation
from ..model.lens_graph import FLOAT_TYPES, LENS_OUTPUT, add_lens
from ..model.merged import with_past_branch
from ..model.probes import Probes, find_probes
from ..model.pruning import pruned
from .sampling import Distribution

FUSED_NOTE = sentence("attention is one fused {0} node in this model: its attention weights cannot be read, "
                      "only the logit lens is shown")
NO_SOFTMAX_NOTE = sentence("no attention probabilities were found in this graph: only the logit lens is shown")
NO_RESIDUAL = sentence("the residual stream between blocks was not found in this graph: no inside view")
NO_HEAD = sentence("no LM head or token embedding found: no logit lens")
HEAD_SHAPE = sentence("the LM head's shape {0} does not fit d_model {1} and vocabulary {2}")


def inside_note(fused: str | None, has_attention: bool) -> Message | None:
    """Why a run's inside view has no attention, or None when it has."""
    if fused:
        return FUSED_NOTE(fused)
    if not has_attention:
        return NO_SOFTMAX_NOTE()
    return None


@dataclass
class Inside:
    """Everything a probed session needs, read once."""

    probes: Probes
    norm_weight: np.ndarray | None
    norm_bias: np.ndarray | None
    lens_blocks: list[int]  # the blocks whose lens the copy computes (LENS_OUTPUT's rows), the last one aside
    in_graph: bool = True  # the copy computes the lens (lens_graph.py); else numpy does, with `head`
    head: np.ndarray | None = None  # [d_model, vocab] (only where the copy could not take the head)
    hooks: Hooks | None = None  # what the copy can switch off (model/ablation.py)

    @property
    def outputs(self) -> list[str]:
        """The copy's outputs a step asks for besides the logits and the cache."""
        attention = [a for a in self.probes.attention if a]
        if self.in_graph:
            return attention + ([LENS_OUTPUT] if self.lens_blocks else [])
        return attention + [self.probes.residual[b] for b in self.lens_blocks]

    @property
    def note(self) -> Message | None:
        return inside_note(self.probes.fused, self.probes.has_attention)

    # ------------------------------------------------------------------ per step
    def attention(self, outputs: dict[str, np.ndarray]) -> list | None:
        """Per layer, per head: the weights over every position so far, for the position that chose the token."""
        if not self.probes.has_attention:
            return None
        out = []
        for name in self.probes.attention:
            a = outputs.get(name) if name else None
            out.append(None if a is None else np.asarray(a, np.float32)[0, :, -1, :])
        return out

    def lens(self, outputs: dict[str, np.ndarray], logits: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Per layer (0 = after the first block): the top-k tokens the residual stream would give now."""
        out: list = [None] * self.probes.n_layer
        if self.lens_blocks:
            if self.in_graph:
                rows = np.asarray(outputs[LENS_OUTPUT], np.float32).reshape(len(self.lens_blocks), -1)
            else:
                hidden = []
                for b in self.lens_blocks:
                    h = np.asarray(outputs[self.probes.residual[b]], np.float32)
                    hidden.append(h.reshape(-1, h.shape[-1])[-1])  # the last position (OPT: [batch·seq, d])
                rows = self._norm(np.stack(hidden)) @ self.head
            for b, row in zip(self.lens_blocks, rows):
                out[b] = Distribution(row).top(k)
        out[-1] = Distribution(logits).top(k)  # the last block's lens is the model's own distribution
        return out

    def _norm(self, h: np.ndarray) -> np.ndarray:
        eps = self.probes.eps
        if self.probes.norm == "rms":
            h = h / np.sqrt(np.mean(h.astype(np.float64) ** 2, axis=-1, keepdims=True) + eps)
        else:
            mean = h.mean(axis=-1, keepdims=True, dtype=np.float64)
            var = ((h - mean) ** 2).mean(axis=-1, keepdims=True)
            h = (h - mean) / np.sqrt(var + eps)
        if self.norm_weight is not None:
            h = h * self.norm_weight
        if self.norm_bias is not None:
            h = h + self.norm_bias
        return h.astype(np.float32)


# ---------------------------------------------------------------------- reading a step's inside
def first_layer(lens: list | None, token: int, top1: bool = False) -> int | None:
    """The first layer whose lens has `token` among its candidates (`top1`: as the most probable one)."""
    for layer, row in enumerate(lens or []):
        if row and (row[0][0] == token if top1 else any(i == token for i, _p in row)):
            return layer
    return None


def mean_attention(attention: list | None, layer: int, head: int | None = None) -> np.ndarray | None:
    """One layer's weights over the positions: one head's, or the mean of its heads (head None)."""
    if not attention or not 0 <= layer < len(attention) or attention[layer] is None:
        return None
    a = np.asarray(attention[layer], np.float32)
    return a.mean(axis=0) if head is None else a[head]


def prepare(path) -> tuple[Inside, bytes, str | None]:
    """Read the probes, the head and the final norm, and make the probed copy (a census of its own).
    Returns the Inside, the copy's bytes for onnxruntime, and the folder its external data lies in."""
    model = load_model(path, lazy=True)  # weights inside the file stay there: the copy points at them
    try:
        census = take_census(model)
        proto = onnx.ModelProto()
        proto.CopyFrom(with_past_branch(model.proto) or pruned(model.proto) or model.proto)
        _point_at_file(proto.graph, model)
        probes = find_probes(census, proto.graph)
        if not census.architecture.n_layer or not any(probes.residual[:-1]) and probes.n_layer > 1:
            raise GenerationError(NO_RESIDUAL, str(path))
        final = census.layer("final_norm")
        weight = bias = None
        dtype = onnx.TensorProto.FLOAT
        for t in (final.tensors if final else []):
            v = values(model, model.tensors[t.stored], t.quant).full().astype(np.float32).ravel()
            if t.kind == "bias":
                bias = v
            else:
                weight = v
                dtype = model.tensors[t.stored].data_type  # a norm's weight has its input's type
        blocks = [b for b, r in enumerate(probes.residual[:-1]) if r]
        final_nodes = {n.name for n in census.node_layers.get("final_norm", []) if n.name}
        in_graph = add_lens(proto.graph, final_nodes, [probes.residual[b] for b in blocks], probes.norm,
                            probes.eps, weight, bias, dtype if dtype in FLOAT_TYPES else onnx.TensorProto.FLOAT)
        inside = Inside(probes, weight, bias, blocks, in_graph, None if in_graph else _head(census))
        inside.hooks = add_ablation(proto.graph, census, dtype if dtype in FLOAT_TYPES else onnx.TensorProto.FLOAT)
        known = {o.name for o in proto.graph.output}
        for name in inside.outputs:
            if name not in known:  # untyped: onnxruntime takes the type the value has (fp16 in an fp16 model)
                proto.graph.output.append(onnx.ValueInfoProto(name=name))
        return inside, proto.SerializeToString(), str(model.folder)
    finally:
        model.close()


def _point_at_file(graph: onnx.GraphProto, model) -> None:
    """Each weight the lazy parse left in the .onnx file becomes external data at its place in that file, so
    onnxruntime reads it from there: the copy is the graph alone, however large the model."""
    for init in graph.initializer:
        ref = model.tensors.get(init.name)
        if ref is None or ref.span is None or init.data_location == onnx.TensorProto.EXTERNAL:
            continue
        init.data_location = onnx.TensorProto.EXTERNAL
        del init.external_data[:]
        for key, value in (("location", model.path.name), ("offset", str(ref.span.offset)),
                           ("length", str(ref.span.length))):
            init.external_data.add(key=key, value=value)


def _head(census) -> np.ndarray:
    """The LM head as [d_model, vocab] floats: its own matrix, or the embedding it is tied to."""
    model, arch = census.model, census.architecture
    head = next((t for t in census.tensors if t.role == "lm_head" and t.kind == "weight"), None)
    source = head
    if head is None or not head.counted:
        source = next((t for t in census.tensors if t.role == "embed.token" and t.kind == "weight"), None)
    if source is None:
        raise GenerationError(NO_HEAD, str(model.path))
    m = values(model, model.tensors[source.stored], source.quant).full().astype(np.float32)
    if source.transposed:
        m = m.T
    m = m.reshape(-1, m.shape[-1]) if m.ndim != 2 else m
    d, vocab = arch.d_model, arch.vocab_size
    if m.shape == (d, vocab):
        return np.ascontiguousarray(m)
    if m.shape == (vocab, d):
        return np.ascontiguousarray(m.T)
    raise GenerationError(HEAD_SHAPE(str(list(m.shape)), d, vocab), str(model.path))


point_at_file = _point_at_file  # for other copies of a model that must read its weights in place (experts.py)
