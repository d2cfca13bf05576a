"""Nodes no output depends on, and a copy of the graph without them.

onnxruntime removes dead nodes and unused initializers itself, but in time quadratic in their number:
a file with 100,000 unused Constants takes it 23 s to open, one with 100,000 unused initializers
longer than ten minutes.  Handing it a pruned copy keeps any file's session start linear.
"""

from __future__ import annotations

import onnx

from .loader import subgraphs

PRUNE_FROM = 1000  # fewer dead nodes and unused initializers than this: onnxruntime's own pass is quick


def _consumed_inside(graph: onnx.GraphProto, out: set[str]) -> None:
    """Every value a subgraph reads (its own and, implicitly, the enclosing graphs')."""
    for node in graph.node:
        out.update(x for x in node.input if x)
        for sub in subgraphs(node):
            _consumed_inside(sub, out)
    out.update(o.name for o in graph.output)


def live_nodes(graph: onnx.GraphProto) -> set[int]:
    """Indices of the top-level nodes some graph output depends on."""
    producer = {out: i for i, node in enumerate(graph.node) for out in node.output if out}
    live: set[int] = set()
    stack = [o.name for o in graph.output]
    while stack:
        i = producer.get(stack.pop())
        if i is None or i in live:
            continue
        live.add(i)
        node = graph.node[i]
        stack.extend(x for x in node.input if x)
        reads: set[str] = set()
        for sub in subgraphs(node):
            _consumed_inside(sub, reads)
        stack.extend(reads)
    return live


def pruned(proto: onnx.ModelProto) -> onnx.ModelProto | None:
    """A copy without dead top-level nodes and unused initializers, or None when there are few of them."""
    graph = proto.graph
    live = live_nodes(graph)
    used: set[str] = {o.name for o in graph.output}
    for i in live:
        node = graph.node[i]
        used.update(x for x in node.input if x)
        for sub in subgraphs(node):
            _consumed_inside(sub, used)
    dead = len(graph.node) - len(live)
    unused = sum(1 for t in graph.initializer if t.name not in used)
    if dead + unused < PRUNE_FROM:
        return None
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    g = copy.graph
    keep_nodes = [g.node[i] for i in sorted(live)]
    keep_inits = [t for t in g.initializer if t.name in used]
    keep_inputs = [i for i in g.input if i.name in used]  # an input only dead nodes read need not be fed
    del g.node[:]
    g.node.extend(keep_nodes)
    del g.initializer[:]
    g.initializer.extend(keep_inits)
    del g.input[:]
    g.input.extend(keep_inputs)
    return copy
