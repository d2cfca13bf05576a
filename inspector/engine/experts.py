"""Which experts each token used: the routers' logits read at every step, turned into choices as the model does.

The logits come from the graph as exported — the router's product in each MoE block (its bias added), or a
fused `MoE`/`QMoE` op's router input — made extra outputs of the session's model (a copy of the graph whose
weights point at the file, as the inside view's copy does).  Only models with experts get the copy, and its
extra outputs are one [tokens, experts] row block per MoE layer: plain decoding keeps its speed
(bench/generate_bench.py measures it).  The choice itself (softmax/top-k, gpt-oss's top-k/softmax, DeepSeek's
bias-corrected group choice) is model/routing.py's, with the model's own k and settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx

from ..model import load_model, routing
from ..model.census import ROUTER_CORRECTION
from ..model.moe import moe_of
from ..model.ops import MOE_OPS
from ..model.pruning import pruned
from ..model.routing import Routing
from .inside import point_at_file

ROUTER_INPUT = 1  # a fused MoE op's router_probs input


@dataclass
class RouterProbes:
    """Per MoE block: the value holding its router's logits, and how they become the experts chosen."""

    blocks: list[int]
    logits: list[str]  # value names, one per MoE block
    rules: list[Routing]  # one per block (DeepSeek's correction bias differs by block)
    experts: int
    warnings: list[dict] = field(default_factory=list)

    def choose(self, outputs: dict[str, np.ndarray]) -> list[list[tuple[int, float]]]:
        """The last position's [(expert, weight)] per MoE block, the heaviest first."""
        out = []
        for name, rule in zip(self.logits, self.rules):
            value = outputs.get(name)
            if value is None:
                out.append([])
                continue
            a = np.asarray(value, np.float32)
            out.append(rule.choose(a.reshape(-1, a.shape[-1])[-1]))
        return out

    def load(self, steps: list[list[list[tuple[int, float]]]]) -> np.ndarray:
        """How many times each expert was chosen over a run: [MoE blocks, experts]."""
        return routing.load(steps, self.experts)


def find_router_probes(census) -> RouterProbes | None:
    """The routers' logits in the census's graph, or None for a dense model (or one whose routers are not found)."""
    moe = moe_of(census)
    if moe is None or moe.routing is None:
        return None
    model = census.model
    producer = {o: n for n in model.graph.node for o in n.output if o}
    blocks, logits, rules = [], [], []
    for layer in moe.layers:
        value = _fused_router_input(model, layer.block) or _router_output(census, layer.block, producer)
        if value is None:
            continue
        blocks.append(layer.block)
        logits.append(value)
        rules.append(_with_bias(moe.routing, census, layer.block))
    if not blocks:
        return None
    return RouterProbes(blocks, logits, rules, moe.experts, moe.warnings)


def _fused_router_input(model, block: int) -> str | None:
    from ..model import roles

    for node in model.graph.node:
        if node.op_type in MOE_OPS and len(node.input) > ROUTER_INPUT:
            if roles.block_index(roles.owner_path(node.name)) == block:
                return node.input[ROUTER_INPUT]
    return None


def _router_output(census, block: int, producer: dict) -> str | None:
    """The router's logits: the output of its product, or of the Add that puts its bias on."""
    router = [t for t in census.tensors if t.index == block and t.role == "moe.router"]
    weight = next((t for t in router if t.kind == "weight"), None)
    bias = next((t for t in router if t.kind == "bias"), None)
    by_name = {n.name: n for n in census.model.graph.node}
    for t in (bias, weight):  # the bias's node comes after the product: its output is the logits
        if t is None:
            continue
        node = next((by_name[n] for n in t.nodes if n in by_name), None)
        if node is not None and node.output:
            return node.output[0]
    return None


def _with_bias(rule: Routing, census, block: int) -> Routing:
    """DeepSeek's choice adds a per-block correction (a buffer, not a parameter, however the exporter named it):
    read from the file where the block's router adds it."""
    if rule.rule != "sigmoid_groups":
        return rule
    from ..model import roles

    model = census.model
    corrections = {n for n, why in census.excluded if why == ROUTER_CORRECTION}
    for node in model.graph.node:
        if node.op_type != "Add" or roles.block_index(roles.owner_path(node.name)) != block:
            continue
        name = next((v for v in node.input if v in corrections), None)
        if name is not None:
            bias = [float(x) for x in model.tensors[name].array().ravel()]
            return Routing(rule.rule, rule.k, rule.normalize, rule.groups, rule.topk_groups, rule.scale, tuple(bias))
    return rule


def add_outputs(model_bytes: bytes, names: list[str]) -> bytes:
    """A serialized graph with `names` added as (untyped) outputs."""
    proto = onnx.ModelProto()
    proto.ParseFromString(model_bytes)
    known = {o.name for o in proto.graph.output}
    for name in names:
        if name not in known:
            proto.graph.output.append(onnx.ValueInfoProto(name=name))
    return proto.SerializeToString()


def routed_copy(path, names: list[str]) -> tuple[bytes, str | None]:
    """The model's graph with the routers' logits as outputs, its weights read in place from the file (the
    inside view's copy, without its probes); (the copy's bytes, the folder its external data lies in)."""
    model = load_model(path, lazy=True)
    try:
        proto = onnx.ModelProto()
        proto.CopyFrom(pruned(model.proto) or model.proto)
        point_at_file(proto.graph, model)
        known = {o.name for o in proto.graph.output}
        proto.graph.output.extend(onnx.ValueInfoProto(name=n) for n in names if n not in known)
        return proto.SerializeToString(), str(model.folder)
    finally:
        model.close()
