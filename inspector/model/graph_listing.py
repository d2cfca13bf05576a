"""The nodes the census walked, as rows a view or report can list and search."""

from __future__ import annotations

from dataclasses import dataclass

from .roles import layer_sort_key


@dataclass(frozen=True)
class NodeRow:
    layer: str
    name: str
    op: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    shapes: str  # known shapes of the inputs, e.g. "[768, 2304]"
    parameters: tuple[str, ...]  # logical parameter names this node consumes

    def matches(self, needle: str) -> bool:
        needle = needle.lower()
        return any(needle in s.lower() for s in (self.name, self.op, self.shapes, *self.inputs, *self.outputs,
                                                  *self.parameters))


def _shapes(graph, tensors) -> dict[str, str]:
    out = {name: str(list(t.shape)) for name, t in tensors.items()}
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        dims = vi.type.tensor_type.shape.dim
        out[vi.name] = "[" + ", ".join(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
                                       for d in dims) + "]"
    return out


def node_rows(census) -> list[NodeRow]:
    """Every node, grouped by the layer the census gave it, in layer order."""
    shapes = _shapes(census.model.graph, census.model.tensors)
    by_node: dict[str, list[str]] = {}
    for t in census.tensors:
        for n in t.nodes:
            by_node.setdefault(n, []).append(t.name)
    rows = []
    for layer in sorted(census.node_layers, key=layer_sort_key):
        for node in census.node_layers[layer]:
            rows.append(NodeRow(layer, node.name or "(unnamed)", node.op_type, tuple(node.input), tuple(node.output),
                                " × ".join(shapes[i] for i in node.input if i in shapes),
                                tuple(by_node.get(node.name, ()))))
    return rows
