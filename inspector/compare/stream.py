"""Where each block's residual stream can be read: what enters the block, what it holds after each residual
add inside it (the attention's, then the MLP's), and what it hands on.

The probes (model/probes.py) name the value each block hands on.  From it this walks back through the
residual sums — an `Add` of two computed values, or the sum a fused `Skip(Simplified)LayerNormalization`
hands on as its fourth output (onnxruntime-genai's builder) — to the value the previous block handed on,
passing through the shape-only ops exporters put on the stream (a norm's `Cast`, OPT's `Reshape`).  Each sum
is labelled by what its other input was computed from: attention projections, MLP projections, or both (a
parallel block, GPT-NeoX's, adds them at once: there the two cannot be told apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import onnx

from ..model import roles
from ..model.probes import SKIP_NORMS, SUM_OUTPUT, Probes, _block_of

PASS_THROUGH = {"Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze"}  # the stream, reshaped or recast
MAX_SUMS = 4  # residual sums walked back within one block
PREFIX = "inspector.drift/"
ATTENTION, MLP, BOTH, OTHER = "attention", "mlp", "attention+mlp", "other"


@dataclass
class Step:
    kind: str  # what this sum adds to the stream: ATTENTION, MLP, BOTH or OTHER
    value: str  # the stream after it


@dataclass
class BlockStream:
    block: int
    input: str | None  # the stream entering the block (None: block 0's was not found)
    output: str  # the stream it hands on (the probe's value)
    steps: list[Step] = field(default_factory=list)  # its residual sums, in order; empty: none was found

    @property
    def attention(self) -> str | None:
        """The stream after the attention's sum, where the MLP is added by a later sum of its own."""
        kinds = [s.kind for s in self.steps]
        if ATTENTION in kinds and MLP in kinds[kinds.index(ATTENTION) + 1:]:
            return self.steps[kinds.index(ATTENTION)].value
        return None

    @property
    def values(self) -> list[str]:
        return [self.output] + ([self.attention] if self.attention else [])


class _Graph:
    def __init__(self, graph: onnx.GraphProto):
        self.nodes = list(graph.node)
        self.producer = {o: n for n in self.nodes for o in n.output if o}
        self.constant = {i.name for i in graph.initializer} | {
            o for n in self.nodes if n.op_type == "Constant" for o in n.output}
        self.block = {id(n): _block_of(n) for n in self.nodes}

    def skip(self, value: str) -> str:
        """The value before the shape-only ops that lead to it."""
        seen = set()
        while value in self.producer and self.producer[value].op_type in PASS_THROUGH and value not in seen:
            seen.add(value)
            value = self.producer[value].input[0]
        return value

    def sum_inputs(self, value: str) -> list[tuple[str, str]] | None:
        """(stream side, added side) candidates when `value` is a residual sum, else None."""
        n = self.producer.get(value)
        if n is None:
            return None
        if n.op_type == "Add" and len(n.input) == 2 and not any(self.skip(i) in self.constant for i in n.input):
            return [(n.input[0], n.input[1]), (n.input[1], n.input[0])]
        if n.op_type in SKIP_NORMS and len(n.output) > SUM_OUTPUT and n.output[SUM_OUTPUT] == value:
            return [(n.input[0], n.input[1]), (n.input[1], n.input[0])]  # input + skip
        return None

    def kind(self, added: str, block: int, stop: set[str]) -> str:
        """What the added value was computed from, read from the roles of the block's nodes behind it."""
        seen, stack, found = set(), [added], set()
        while stack:
            v = stack.pop()
            if v in seen or v in stop:
                continue
            seen.add(v)
            n = self.producer.get(v)
            if n is None or self.block[id(n)] != block or any(o in stop for o in n.output):
                continue  # outside the block, or a node that sums the stream (a fused norm's other outputs)
            if n.name:
                role = roles.classify(roles.owner_path(n.name), n.op_type)[2]
                if role.startswith("attn."):
                    found.add(ATTENTION)
                elif role.startswith("mlp."):
                    found.add(MLP)
            stack.extend(i for i in n.input if i)
        return BOTH if len(found) == 2 else found.pop() if found else OTHER


def _walk(g: _Graph, value: str, block: int, stop: str | None, depth: int = 0):
    """(the block's input, its sums in order as (added side, stream after)) walking back from `value`, or None."""
    here = g.skip(value)
    if stop is not None and here == stop:
        return here, []
    n = g.producer.get(here)
    outside = n is None or g.block[id(n)] != block
    pairs = g.sum_inputs(here)
    if pairs and depth < MAX_SUMS and (not outside or depth == 0):  # the next block's fused norm sums this one's
        found = [(r, added) for stream, added in pairs if (r := _walk(g, stream, block, stop, depth + 1))]
        if len(found) > 1:  # both sides lead back (block 0, unnamed nodes): the longer walk is the stream
            found.sort(key=lambda f: -len(f[0][1]))
            if len(found[0][0][1]) == len(found[1][0][1]):
                return None
        if found:
            (start, sums), added = found[0]
            return start, sums + [(added, here)]
    if stop is None and outside:  # block 0: the stream enters from the embeddings
        return here, []
    return None


def expose_final_sum(graph: onnx.GraphProto, probes: Probes, final_nodes: set[str]) -> None:
    """Where the last block's output is only summed inside the fused final norm (genai builds), give that
    norm its optional sum output, so the last block has a value to read too."""
    if not probes.residual or probes.residual[-1] is not None:
        return
    for n in graph.node:
        if n.name in final_nodes and n.op_type in SKIP_NORMS:
            while len(n.output) <= SUM_OUTPUT:
                n.output.append("")
            if not n.output[SUM_OUTPUT]:
                n.output[SUM_OUTPUT] = PREFIX + "final_sum"
            probes.residual[-1] = n.output[SUM_OUTPUT]
            return


def find_stream(graph: onnx.GraphProto, probes: Probes) -> list[BlockStream | None]:
    """Per block, where its stream can be read; None for a block whose output the probes did not find."""
    g = _Graph(graph)
    out: list[BlockStream | None] = []
    for b, value in enumerate(probes.residual):
        if value is None:
            out.append(None)
            continue
        prev = probes.residual[b - 1] if b > 0 else None
        walked = _walk(g, value, b, g.skip(prev) if prev else None)
        if walked is None:
            out.append(BlockStream(b, prev, value))
            continue
        start, sums = walked
        stream = BlockStream(b, prev or start, value)
        stop = {start}
        for added, after in sums:
            stream.steps.append(Step(g.kind(added, b, stop), after))
            stop.add(after)
        out.append(stream)
    return out
