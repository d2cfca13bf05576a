"""A merged decoder (optimum's `decoder_model_merged.onnx`) with its with-past branch as the main graph.

The merged file runs one of two subgraphs under an `If` on `use_cache_branch`; values inside a branch
cannot be graph outputs, so the inside view probes a copy whose main graph is the with-past branch.
That branch also serves the prefill, with a cache of length 0.
"""

from __future__ import annotations

import onnx

from .loader import subgraphs


def _reads_past(graph: onnx.GraphProto, past: set[str]) -> bool:
    return any(x in past for node in graph.node for x in node.input) or any(
        _reads_past(sub, past) for node in graph.node for sub in subgraphs(node))


def with_past_branch(proto: onnx.ModelProto) -> onnx.ModelProto | None:
    """The copy with the top-level `If`'s with-past branch inlined, or None when the model is not merged."""
    graph = proto.graph
    past = {i.name for i in graph.input if i.name.startswith("past_key_values")}
    ifs = [i for i, n in enumerate(graph.node) if n.op_type == "If"]
    if not past or len(ifs) != 1:
        return None
    node = graph.node[ifs[0]]
    branches = {a.name: a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH}
    chosen = next((g for g in branches.values() if _reads_past(g, past)), None)
    if chosen is None or len(chosen.output) != len(node.output):
        return None
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    g = copy.graph
    inlined = list(chosen.node)
    for inner, outer in zip(chosen.output, node.output):  # the branch's results under the If's names
        if inner.name != outer:
            inlined.append(onnx.helper.make_node("Identity", [inner.name], [outer], name=f"inlined/{outer}"))
    nodes = list(g.node[:ifs[0]]) + inlined + list(g.node[ifs[0] + 1:])
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(chosen.initializer)
    g.value_info.extend(chosen.value_info)
    return copy
