"""The logit lens as nodes of the probed copy: each block's residual stream, at the last position, through a
final norm and then through the model's own head nodes, cloned.

Computing it in onnxruntime keeps it on the session's threads (numpy's BLAS threads beside onnxruntime's
spinning ones cost more than the product itself) and reuses the head exactly as the model stores it —
quantized, tied through a Transpose, fp16 — without a float copy of the head in memory.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .ops import ROW_WISE

LENS_OUTPUT = "inspector.lens/logits"
PREFIX = "inspector.lens/"
# the head is cloned only where every op between the final norm and the logits works row by row (ops.ROW_WISE),
# so they take the lens's rows as they take the sequence's; a Reshape to the sequence length is not cloned
FLOAT_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16}
SHAPE_ONLY = {"Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"}  # between the norm and the head: skipped


def _head_section(graph: onnx.GraphProto, final_nodes: set[str], logits: str) -> tuple[str, list] | None:
    """(the final norm's output, the nodes from it to the logits in graph order), or None."""
    nodes = list(graph.node)
    mine = [n for n in nodes if n.name in final_nodes]
    produced = {o for n in mine for o in n.output if o}
    readers: dict[str, list] = {}
    for n in nodes:
        for v in n.input:
            readers.setdefault(v, []).append(n)
    handed = [v for v in produced if any(r.name not in final_nodes for r in readers.get(v, []))]
    if len(handed) != 1:
        return None
    start = handed[0]
    # backwards from the logits: the nodes they need
    producer = {o: n for n in nodes for o in n.output if o}
    needed, stack = set(), [logits]
    while stack:
        n = producer.get(stack.pop())
        if n is None or id(n) in needed:
            continue
        needed.add(id(n))
        stack.extend(v for v in n.input if v)
    while True:  # the norm's output put into the sequence's shape (GPT-2): the lens's rows have theirs already
        after = [r for r in readers.get(start, []) if id(r) in needed]
        if len(after) != 1 or after[0].op_type not in SHAPE_ONLY or after[0].input[0] != start:
            break
        start = after[0].output[0]
    reach, section = {start}, []
    for n in nodes:  # graph order is topological
        if n.name not in final_nodes and any(v == start or v in reach for v in n.input) and id(n) in needed \
                and start not in n.output:
            section.append(n)
            reach.update(o for o in n.output if o)
    if not section or logits not in reach or any(n.op_type not in ROW_WISE for n in section):
        return None
    return start, section


def add_lens(graph: onnx.GraphProto, final_nodes: set[str], residuals: list[str], norm: str, eps: float,
             weight: np.ndarray | None, bias: np.ndarray | None, dtype: int, logits: str = "logits") -> bool:
    """Add the lens to `graph` (output LENS_OUTPUT: [1, len(residuals), vocab]); False if the head could not be
    traced, and then nothing is added.  `dtype`: the element type the head's input has (the model's)."""
    found = _head_section(graph, final_nodes, logits)
    if found is None or not residuals:
        return False
    start, section = found
    d = len(weight) if weight is not None else None
    if d is None:
        return False
    nodes, inits = [], []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(arr, PREFIX + name))
        return PREFIX + name

    def op(kind: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(kind, inputs, [PREFIX + name], name=PREFIX + name, **attrs))
        return PREFIX + name

    starts, ends = const("starts", np.array([-1], np.int64)), const("ends", np.array([2 ** 62], np.int64))
    axes, shape = const("axes", np.array([-2], np.int64)), const("row", np.array([1, 1, -1], np.int64))
    rows = []
    for i, r in enumerate(residuals):  # the last position of each: [1, 1, d] (OPT hands on [batch·seq, d])
        last = op("Slice", [r, starts, ends, axes], f"last_{i}")
        rows.append(op("Cast", [op("Reshape", [last, shape], f"row_{i}")], f"float_{i}", to=TensorProto.FLOAT))
    x = op("Concat", rows, "rows", axis=1) if len(rows) > 1 else rows[0]
    mean_of = const("inv_d", np.full((d, 1), 1.0 / d, np.float32))  # a row's mean as a product: any opset
    e = const("eps", np.array(eps, np.float32))
    if norm == "rms":
        ms = op("MatMul", [op("Mul", [x, x], "sq"), mean_of], "ms")
        y = op("Div", [x, op("Sqrt", [op("Add", [ms, e], "ms_eps")], "rms")], "normed")
    else:
        centred = op("Sub", [x, op("MatMul", [x, mean_of], "mean")], "centred")
        var = op("MatMul", [op("Mul", [centred, centred], "sq"), mean_of], "var")
        y = op("Div", [centred, op("Sqrt", [op("Add", [var, e], "var_eps")], "std")], "normed")
    y = op("Mul", [y, const("weight", weight.astype(np.float32))], "scaled")
    if bias is not None:
        y = op("Add", [y, const("bias", bias.astype(np.float32))], "shifted")
    if dtype != TensorProto.FLOAT:
        y = op("Cast", [y], "as_model", to=dtype)
    renamed = {start: y}
    for n in section:  # the head, cloned: its weights and constants are shared, its activations are the lens's
        clone = onnx.NodeProto()
        clone.CopyFrom(n)
        clone.name = PREFIX + (n.name or n.output[0])
        del clone.input[:]
        clone.input.extend(renamed.get(v, v) for v in n.input)
        del clone.output[:]
        for o in n.output:
            renamed[o] = PREFIX + "head/" + o if o else ""
            clone.output.append(renamed[o])
        nodes.append(clone)
    nodes.append(helper.make_node("Identity", [renamed[logits]], [LENS_OUTPUT], name=LENS_OUTPUT))
    graph.node.extend(nodes)
    graph.initializer.extend(inits)
    graph.output.append(onnx.ValueInfoProto(name=LENS_OUTPUT))
    return True
