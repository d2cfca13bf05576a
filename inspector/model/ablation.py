"""Switching parts of a model off in the probed copy: a head, a block's whole attention output, its MLP output.

Where, in the graph as the exporter left it:
- a head's output is its slice of the attention out-projection's input: the heads lie there side by side, head
  after head, in every export (after the head-merging Transpose/Reshape) and in a fused attention op's output
  alike, so zeroing that slice is zeroing the head's output before the out-projection, as a PyTorch hook on the
  input of `o_proj`/`c_proj` does, GroupQueryAttention included;
- a block's attention (MLP) output is the out-projection's (down-projection's) result with its bias, where it
  leaves the projection for the residual add (or a fused Skip…LayerNormalization); a mixture of experts' output
  is its fused MoE op's result, or, exported expert by expert, the one value its module (the router's parent)
  hands out.

Each place gets a Mul by a keep factor read from one extra input of the copy, `inspector.ablate/keep`
([n_layer, n_head + 2]: a column per head, then the attention and the MLP; 1 keeps, 0 switches off).  The input is
also an initializer of ones, so a run that does not feed it runs the intact model, and one session serves every
choice of parts, step by step.  Blocks and heads are numbered from 0, as the Inside view shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .. import ablation_text as say
from ..errors import GenerationError
from ..messages import Message, joined
from . import roles
from .census import Census
from .ops import MATMUL_OPS, MOE_OPS

KEEP_INPUT = "inspector.ablate/keep"
PREFIX = "inspector.ablate/"
KINDS = ("head", "attn", "mlp")
# what may follow a projection inside it before its result leaves: its bias, a reshape back to the sequence,
# a quantized product's cast and scale, a static QDQ pair
RESULT_CHAIN = {"Add", "Mul", "Cast", "Reshape", "Identity", "QuantizeLinear", "DequantizeLinear"}
PART_RE = re.compile(r"^(\d+)\.(\d+|attn|mlp)$")


class AblationError(GenerationError):
    """A part that cannot be switched off as asked (a bad --ablate, a block or head the model lacks)."""


@dataclass(frozen=True, order=True)
class Part:
    """One part to switch off: head `head` of block `block`, or the block's whole attention or MLP output."""

    block: int
    kind: str  # one of KINDS
    head: int | None = None

    @property
    def spec(self) -> str:
        """As --ablate writes it: '0.3', '1.attn', '2.mlp'."""
        return f"{self.block}.{self.head if self.kind == 'head' else self.kind}"

    @property
    def label(self) -> Message:
        """As people read it: 'head 3 of block 0'."""
        if self.kind == "head":
            return say.HEAD_PART(self.block, self.head)
        return (say.ATTN_PART if self.kind == "attn" else say.MLP_PART)(self.block)


@dataclass(frozen=True)
class Ablation:
    """Parts switched off together, for a whole run (`steps` None) or at some steps only (0 = the token the
    prefill chooses).  An Ablation without parts is the intact model run on the probed copy."""

    parts: tuple[Part, ...] = ()
    steps: frozenset[int] | None = None

    @property
    def spec(self) -> str:
        return ",".join(p.spec for p in self.parts)

    @property
    def label(self) -> Message | str:
        return joined([p.label for p in self.parts], say.PARTS)

    def active(self, step: int | None) -> bool:
        """Whether the parts are off for the forward pass of `step` (None: a pass outside a run, always)."""
        return bool(self.parts) and (self.steps is None or step is None or step in self.steps)

    def keep(self, n_layer: int, n_head: int, step: int | None = None) -> np.ndarray:
        """The copy's keep input for the pass of `step`: ones, with a 0 for each part that is off then."""
        keep = np.ones((n_layer, n_head + 2), np.float32)
        if self.active(step):
            for p in self.parts:
                keep[p.block, p.head if p.kind == "head" else n_head + KINDS.index(p.kind) - 1] = 0.0
        return keep


def parse_spec(text: str) -> tuple[Part, ...]:
    """'0.3,1.attn,2.mlp' as parts, in order, each once; a bad spec raises AblationError with one line."""
    items = [s.strip() for s in str(text).split(",") if s.strip()]
    if not items:
        raise AblationError(say.SPEC_EMPTY())
    parts: list[Part] = []
    for item in items:
        m = PART_RE.match(item.lower())
        if m is None:
            raise AblationError(say.SPEC_BAD(item[:40]))
        block, what = int(m.group(1)), m.group(2)
        part = Part(block, "head", int(what)) if what.isdigit() else Part(block, what)
        if part not in parts:
            parts.append(part)
    return tuple(parts)


@dataclass
class Hooks:
    """What the copy can switch off, per block; `why` says, per kind, why a block's part cannot be."""

    n_layer: int
    n_head: int
    head: list[bool] = field(default_factory=list)
    attn: list[bool] = field(default_factory=list)
    mlp: list[bool] = field(default_factory=list)
    why: dict[str, Message] = field(default_factory=dict)  # kind -> the first reason a block's part cannot be taken
    fused: str | None = None  # the fused attention op, if any

    def takes(self, part: Part) -> bool:
        return 0 <= part.block < self.n_layer and getattr(self, part.kind)[part.block]

    def check(self, ablation: Ablation) -> None:
        """Raise AblationError (one line) for the first part this model does not have or cannot switch off."""
        for p in ablation.parts:
            if not 0 <= p.block < self.n_layer:
                raise AblationError(say.NO_BLOCK(p.block, self.n_layer - 1))
            if p.kind == "head" and not 0 <= p.head < self.n_head:
                raise AblationError(say.NO_HEAD(p.block, p.head, self.n_head - 1))
            if not self.takes(p):
                raise AblationError(say.CANNOT(p.label, self.why.get(p.kind) or say.NO_BLOCKS()))

    @property
    def cannot(self) -> dict[str, Message]:
        """Per kind that some block cannot take: why (the app greys those menu entries out)."""
        return {k: self.why.get(k) or say.NO_BLOCKS() for k in KINDS if not all(getattr(self, k)) or not self.n_layer}

    @property
    def note(self) -> Message | None:
        """What a fused attention op means for switching parts off, or None."""
        return say.FUSED_TAKES_ALL(self.fused) if self.fused and not self.cannot else None


# ---------------------------------------------------------------------------- finding the places
def _module(name: str) -> str:
    """The module a node belongs to: its owner path without the parts a quantizer adds after the op's name
    ('…/o_proj/MatMul_quant' belongs to 'o_proj'; module names are lower case, op names capitalised)."""
    parts = roles.owner_path(name).split(".")
    while len(parts) > 1 and parts[-1][:1].isupper():
        parts.pop()
    return ".".join(parts)


def _owned_by(name: str, owner: str) -> bool:
    path = roles.owner_path(name)
    return path == owner or path.startswith(owner + ".")


class _Graph:
    """The copy's main graph, indexed once: who produces and who reads each value."""

    def __init__(self, graph: onnx.GraphProto):
        self.graph = graph
        self.by_name = {}
        self.producer, self.readers = {}, {}
        for n in graph.node:
            if n.name and n.name not in self.by_name:
                self.by_name[n.name] = n
            for o in n.output:
                if o:
                    self.producer[o] = n
            for v in n.input:
                self.readers.setdefault(v, []).append(n)
        self.outputs = {o.name for o in graph.output}
        self.initializers = {t.name for t in graph.initializer}

    def projection(self, census: Census, block: int, role: str) -> onnx.NodeProto | None:
        for t in census.tensors:
            if t.index == block and t.role == role and t.kind == "weight":
                for name in t.nodes:
                    node = self.by_name.get(name)
                    if node is not None and node.op_type in MATMUL_OPS:
                        return node
        return None

    def experts_output(self, census: Census, block: int) -> str | None:
        """A mixture of experts' output: its fused MoE op's result, or, exported expert by expert, the one value
        (not a shared constant) that its module — the router's parent — hands to a node outside it."""
        nodes = [self.by_name.get(n) for t in census.tensors if t.index == block and t.role.startswith("moe.")
                 for n in t.nodes]
        fused = next((n for n in nodes if n is not None and n.op_type in MOE_OPS), None)
        if fused is not None:
            return self.result(fused)
        router = next((t.nodes[0] for t in census.tensors if t.index == block and t.role == "moe.router"
                       and t.nodes), None)
        if router is None:
            return None
        module = _module(router).rpartition(".")[0]
        leaving = {o for n in self.graph.node if n.op_type != "Constant" and _owned_by(n.name, module)
                   for o in n.output if any(not _owned_by(r.name, module) for r in self.readers.get(o, ()))}
        return leaving.pop() if len(leaving) == 1 and module else None

    def activation(self, proj: onnx.NodeProto) -> tuple[onnx.NodeProto, int] | None:
        """(node, input slot) where the projection's float input enters: its first input, or, for an int8
        product, the input of the DynamicQuantizeLinear that quantizes it."""
        node, slot = proj, 0
        if proj.op_type == "MatMulInteger":
            q = self.producer.get(proj.input[0])
            if q is None or q.op_type != "DynamicQuantizeLinear":
                return None
            node = q
        if not node.input or node.input[slot] in self.initializers:
            return None
        return node, slot

    def result(self, proj: onnx.NodeProto) -> str | None:
        """The projection's result where it leaves it: followed through its bias, reshape, scale or QDQ pair."""
        owner = _module(proj.name)
        value = proj.output[0]
        while value not in self.outputs:
            readers = self.readers.get(value, [])
            if len(readers) != 1 or readers[0].op_type not in RESULT_CHAIN or not _owned_by(readers[0].name, owner):
                break
            value = readers[0].output[0]
        return None if value in self.outputs or not self.readers.get(value) else value


class _Builder:
    """New nodes and constants, each placed where ONNX's topological order wants it."""

    def __init__(self, g: _Graph, dtype: int):
        self.g, self.dtype = g, dtype
        self.first: list = []  # nodes reading only constants and the keep input: before everything
        self.after: dict[int, list] = {}  # id of a node -> nodes to put right after it
        self.inits: list = []
        self.rows: dict[int, str] = {}  # block -> its row of the keep input

    def const(self, name: str, arr: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(arr, PREFIX + name))
        return PREFIX + name

    def op(self, kind: str, inputs: list[str], name: str, **attrs) -> str:
        self.first.append(helper.make_node(kind, inputs, [PREFIX + name], name=PREFIX + name, **attrs))
        return PREFIX + name

    def factor(self, block: int, start: int, stop: int, name: str, repeat: int = 1) -> str:
        """keep[block, start:stop], each value repeated `repeat` times, in the model's float type."""
        if block not in self.rows:
            self.rows[block] = self.op("Gather", [KEEP_INPUT, self.const(f"block_{block}", np.array(block, np.int64))],
                                       f"row_{block}", axis=0)
        row = self.rows[block]
        cols = self.op("Slice", [row, self.const(f"{name}_start", np.array([start], np.int64)),
                                 self.const(f"{name}_stop", np.array([stop], np.int64))], f"{name}_cols")
        if repeat > 1:  # [heads] -> [heads, head_dim] -> [heads·head_dim]: each head's slice of the input
            cols = self.op("Reshape", [cols, self.const(f"{name}_column_shape", np.array([-1, 1], np.int64))],
                           f"{name}_column")
            cols = self.op("Expand", [cols, self.const(f"{name}_wide_shape", np.array([stop - start, repeat], np.int64))],
                           f"{name}_wide")
            cols = self.op("Reshape", [cols, self.const(f"{name}_flat_shape", np.array([-1], np.int64))], f"{name}_flat")
        return self.op("Cast", [cols], f"{name}_factor", to=self.dtype) if self.dtype != TensorProto.FLOAT else cols

    def scale(self, value: str, factor: str, name: str, readers: list[tuple[onnx.NodeProto, int]]) -> None:
        """`value` × `factor` in place of `value` for each (reader, input slot)."""
        out = PREFIX + name
        mul = helper.make_node("Mul", [value, factor], [out], name=out)
        producer = self.g.producer.get(value)
        if producer is None:
            self.first.append(mul)
        else:
            self.after.setdefault(id(producer), []).append(mul)
        for node, slot in readers:
            node.input[slot] = out

    def commit(self, n_layer: int, n_head: int) -> None:
        graph = self.g.graph
        nodes = list(self.first)
        for n in graph.node:
            nodes.append(n)
            nodes.extend(self.after.get(id(n), []))
        del graph.node[:]
        graph.node.extend(nodes)
        keep = numpy_helper.from_array(np.ones((n_layer, n_head + 2), np.float32), KEEP_INPUT)
        graph.initializer.extend(self.inits + [keep])
        graph.input.append(helper.make_tensor_value_info(KEEP_INPUT, TensorProto.FLOAT, [n_layer, n_head + 2]))


def add_ablation(graph: onnx.GraphProto, census: Census, dtype: int = TensorProto.FLOAT) -> Hooks:
    """Add the keep input and its Muls to `graph` (the copy's main graph); `dtype`: the model's activations'
    float type.  Returns what can be switched off; a part whose place is not found is simply not hooked."""
    arch = census.architecture
    # a head's slice of the out-projection's input is its value head: latent attention's v_head_dim is narrower
    # than its query/key heads (nope + rope)
    n_layer, n_head, head_dim = arch.n_layer or 0, arch.n_head or 0, arch.v_head_dim or arch.head_dim or 0
    hooks = Hooks(n_layer, n_head, [False] * n_layer, [False] * n_layer, [False] * n_layer, fused=arch.fused_attention)
    if not n_layer:
        hooks.why = {k: say.NO_BLOCKS() for k in KINDS}
        return hooks
    g = _Graph(graph)
    build = _Builder(g, dtype)

    def cannot(kind: str, why: Message) -> None:
        hooks.why.setdefault(kind, why)

    for b in range(n_layer):
        out_proj = g.projection(census, b, "attn.out")
        down = g.projection(census, b, "mlp.down")
        if out_proj is None:
            cannot("head", say.NO_OUT_PROJECTION(b))
            cannot("attn", say.NO_OUT_PROJECTION(b))
        else:
            entry = g.activation(out_proj)
            width = n_head * head_dim
            shape = next((t.shape for t in census.tensors if t.index == b and t.role == "attn.out"
                          and t.kind == "weight"), ())
            if entry is None:
                cannot("head", say.NO_FLOAT_INPUT(b))
            elif not width or width not in shape:
                cannot("head", say.NO_HEAD_WIDTH(b, n_head, head_dim))
            else:
                node, slot = entry
                factor = build.factor(b, 0, n_head, f"heads_{b}", repeat=head_dim)
                build.scale(node.input[slot], factor, f"heads_{b}/x", [(node, slot)])
                hooks.head[b] = True
            _hook_result(g, build, hooks, g.result(out_proj), b, "attn", n_head, cannot)
        if down is not None:
            _hook_result(g, build, hooks, g.result(down), b, "mlp", n_head, cannot)
        elif any(t.index == b and t.role.startswith("moe.experts.") for t in census.tensors):
            value = g.experts_output(census, b)
            if value is None:
                cannot("mlp", say.NO_EXPERTS_OUTPUT(b))
            else:
                _hook_result(g, build, hooks, value, b, "mlp", n_head, cannot)
        else:
            cannot("mlp", say.NO_DOWN_PROJECTION(b))
    build.commit(n_layer, n_head)
    return hooks


def _hook_result(g: _Graph, build: _Builder, hooks: Hooks, value: str | None, block: int, kind: str,
                 n_head: int, cannot) -> None:
    """`value` (where the block's attention or MLP output leaves it) × its keep factor, for every reader."""
    if value is None:
        cannot(kind, say.NO_SINGLE_OUTPUT(Part(block, kind).label))
        return
    column = n_head + KINDS.index(kind) - 1
    factor = build.factor(block, column, column + 1, f"{kind}_{block}")
    readers = [(n, i) for n in g.readers[value] for i, v in enumerate(n.input) if v == value]
    build.scale(value, factor, f"{kind}_{block}/x", readers)
    getattr(hooks, kind)[block] = True
