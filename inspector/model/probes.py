"""Where to look inside a forward pass: each block's attention probabilities and the residual stream after it.

Found in the graph as exporters leave it, never by re-exporting: the Softmax inside a block's attention
(its output is [batch, heads, query, key]), and the value a block hands on — the residual Add whose output
is read outside the block, or, where a fused Skip(Simplified)LayerNormalization adds the residual itself
(onnxruntime-genai's builder), that op's sum output in the next block.  Where attention is one fused op
there are no probabilities to read: `attention` is None for every block and `fused` names the op.
The final norm's kind and epsilon are read here too, for the logit lens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper

from . import roles
from .census import Census
from .ops import SKIP_NORMS

HANDED_ON = {"Add", "Reshape", "Cast", "Identity"}  # the residual sum, or the sum put back into shape (OPT)
SUM_OUTPUT = 3  # Skip*LayerNormalization's input + skip (+ bias) sum: the residual stream
DEFAULT_EPS = 1e-5


@dataclass
class Probes:
    n_layer: int
    attention: list[str | None] = field(default_factory=list)  # per block: the Softmax's output
    residual: list[str | None] = field(default_factory=list)  # per block: the residual stream after it
    fused: str | None = None  # the fused attention op, when attention probabilities cannot be read
    norm: str = "layer"  # the final norm: "layer" (LayerNorm) or "rms" (RMSNorm)
    eps: float = DEFAULT_EPS

    @property
    def outputs(self) -> list[str]:
        """The values to add as outputs of the model's copy."""
        return [v for v in self.attention + self.residual if v]

    @property
    def has_attention(self) -> bool:
        return any(self.attention)


def _block_of(node: onnx.NodeProto) -> int | None:
    if not node.name:
        return None
    layer, index, _role = roles.classify(roles.owner_path(node.name), node.op_type)
    return index if layer.startswith("block ") else None


def find_probes(census: Census, graph: onnx.GraphProto | None = None) -> Probes:
    """`graph`: the main graph of the copy that will be run (a merged decoder's with-past branch inlined);
    by default the model's own."""
    graph = graph if graph is not None else census.model.graph
    nodes = list(graph.node)  # the main graph: extra outputs can only be taken from it
    n_layer = census.architecture.n_layer or 0
    probes = Probes(n_layer, [None] * n_layer, [None] * n_layer, census.architecture.fused_attention)
    block = {id(n): _block_of(n) for n in nodes}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in nodes:
        for v in n.input:
            consumers.setdefault(v, []).append(n)
    outputs = {o.name for o in graph.output}
    for n in nodes:
        b = block[id(n)]
        if b is None or not 0 <= b < n_layer:
            continue
        if n.op_type == "Softmax" and probes.attention[b] is None and not probes.fused \
                and any(k in roles.owner_path(n.name) for k in ("attn", "attention")):
            probes.attention[b] = n.output[0]
        if n.op_type in HANDED_ON and n.output and n.output[0] not in outputs:
            readers = consumers.get(n.output[0], [])
            if any(block[id(c)] != b for c in readers):  # handed on: to the next block or the final norm
                probes.residual[b] = n.output[0]  # the last such value in the block's order
        if n.op_type in SKIP_NORMS and b >= 1 and len(n.output) > SUM_OUTPUT and n.output[SUM_OUTPUT] \
                and probes.residual[b - 1] is None:
            probes.residual[b - 1] = n.output[SUM_OUTPUT]
    probes.norm, probes.eps = _final_norm(census, consumers)
    return probes


def _final_norm(census: Census, consumers) -> tuple[str, float]:
    final = census.layer("final_norm")
    if final is None:
        return "layer", DEFAULT_EPS
    kind = "layer" if any(t.kind == "bias" for t in final.tensors) else "rms"
    for t in final.tensors:
        for name in t.nodes:
            node = next((n for n in census.model.nodes if n.name == name), None)
            if node is None:
                continue
            eps = next((a.f for a in node.attribute if a.name == "epsilon"), None)
            if eps is not None:
                return ("rms" if "Simplified" in node.op_type or node.op_type == "RMSNormalization" else "layer"
                        if node.op_type in ("LayerNormalization", "SkipLayerNormalization") else kind), float(eps)
    # a norm spelled out in primitive ops: its epsilon is the scalar added before the square root; a LayerNorm
    # without a bias (Cohere's, MPT's) still subtracts the mean
    prefix = next((roles.owner_path(n) for t in final.tensors for n in t.nodes), None)
    if prefix and any(n.op_type == "Sub" and roles.owner_path(n.name).startswith(prefix) for n in census.model.nodes):
        kind = "layer"
    for node in census.model.nodes:
        if node.op_type == "Add" and prefix and roles.owner_path(node.name).startswith(prefix):
            for v in node.input:
                eps = _scalar(census, v)
                if eps is not None and 0 < eps < 1e-2:
                    return kind, eps
    return kind, DEFAULT_EPS


def _scalar(census: Census, value: str) -> float | None:
    model = census.model
    tensor = model.constants.get(value)
    if tensor is None and value in model.tensors and model.tensors[value].size == 1:
        tensor = model.tensors[value].proto
    if tensor is None:
        return None
    try:
        arr = numpy_helper.to_array(tensor)
    except Exception:  # noqa: BLE001
        return None
    return float(np.ravel(arr)[0]) if arr.size == 1 and arr.dtype.kind == "f" else None
