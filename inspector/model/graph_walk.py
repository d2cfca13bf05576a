"""Walk the graph from each stored tensor to the nodes that really consume it.

Exporters put pass-through nodes between a parameter and its use (`Identity` aliases that
carry the original names, `Transpose` for a tied head, `Cast`, `DequantizeLinear`).  This
module follows them and reports, for each logical name, the compute nodes it reaches.
Nodes inside subgraphs count as consumers too: a merged decoder's weights sit in the outer
graph and are read from the branches of its `If`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import onnx

from .ops import PASS_THROUGH, TO_LOGITS


@dataclass
class Use:
    """A compute node reached from a tensor, with the pass-through ops crossed on the way."""

    node: onnx.NodeProto
    slot: int
    via: tuple[str, ...] = ()
    path: tuple[onnx.NodeProto, ...] = ()  # the pass-through nodes themselves, in order

    @property
    def op(self) -> str:
        return self.node.op_type

    @property
    def transposed(self) -> bool:
        return self.via.count("Transpose") % 2 == 1


@dataclass
class GraphIndex:
    """Consumers, producers and Identity aliases of every value in a graph."""

    graph: onnx.GraphProto
    nodes: list[onnx.NodeProto] = field(default_factory=list)  # subgraph nodes included
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = field(default_factory=dict)
    producer: dict[str, onnx.NodeProto] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)  # stored name -> Identity outputs
    outputs: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, graph: onnx.GraphProto, stored: set[str], nodes: list[onnx.NodeProto] | None = None) -> "GraphIndex":
        nodes = list(graph.node) if nodes is None else nodes
        idx = cls(graph, nodes, outputs={o.name for o in graph.output})
        for node in nodes:
            for slot, name in enumerate(node.input):
                if name:
                    idx.consumers.setdefault(name, []).append((node, slot))
            for out in node.output:
                idx.producer.setdefault(out, node)
            for attr in node.attribute:  # a branch's outputs are the graph's outputs under the same names
                for sub in ([attr.g] if attr.type == onnx.AttributeProto.GRAPH else list(attr.graphs)):
                    idx.outputs.update(o.name for o in sub.output)
        roots: dict[str, str] = {}  # each chain walked once: linear however long the chains
        for node in nodes:  # Identity chains whose root is a stored tensor
            if node.op_type == "Identity" and node.input and node.output:
                root = idx.root(node.input[0], roots)
                if root in stored:
                    idx.aliases.setdefault(root, []).append(node.output[0])
        return idx

    def root(self, name: str, memo: dict[str, str] | None = None) -> str:
        """The value an Identity chain starts from; `memo` remembers every value on the chains walked."""
        memo = {} if memo is None else memo
        path, on_path = [], set()
        while name not in memo and name in self.producer and self.producer[name].op_type == "Identity" \
                and self.producer[name].input:
            path.append(name)
            on_path.add(name)
            name = self.producer[name].input[0]
            if name in on_path:  # a cycle (a malformed graph): stop where it closes
                break
        root = memo.get(name, name)
        for value in path:
            memo[value] = root
        return root

    def uses(self, name: str, max_depth: int = 6) -> list[Use]:
        """Compute nodes reached from `name`, crossing pass-through ops (not Identity aliases)."""
        found: list[Use] = []
        stack = [(name, ())]
        seen = set()
        while stack:
            value, path = stack.pop()
            via = tuple(n.op_type for n in path)
            for node, slot in self.consumers.get(value, []):
                key = (id(node), slot)
                if key in seen:
                    continue
                seen.add(key)
                if node.op_type == "Identity" and not via:
                    continue  # an alias: the caller treats it as its own logical name
                if node.op_type in PASS_THROUGH and slot == 0 and len(via) < max_depth:
                    for out in node.output:
                        stack.append((out, path + (node,)))
                    continue
                found.append(Use(node, slot, via, path))
        return found

    def feeds_logits(self, node: onnx.NodeProto, depth: int = 4) -> bool:
        """Does this node's output reach the `logits` output through at most a few reshapes?"""
        frontier = list(node.output)
        for _ in range(depth):
            if any(o in self.outputs and "logit" in o.lower() for o in frontier):
                return True
            nxt = []
            for value in frontier:
                for consumer, _slot in self.consumers.get(value, []):
                    if consumer.op_type in TO_LOGITS:
                        nxt.extend(consumer.output)
            frontier = nxt
        return any(o in self.outputs and "logit" in o.lower() for o in frontier)

    def reads_graph_input(self, node: onnx.NodeProto, slot: int, names: tuple[str, ...]) -> bool:
        """Does `node`'s input `slot` come (through casts/reshapes) from a graph input named like `names`?"""
        if slot >= len(node.input):
            return False
        value, hops = node.input[slot], 0
        while hops < 4:
            if any(n in value for n in names):
                return True
            prod = self.producer.get(value)
            if prod is None or not prod.input:
                return False
            value, hops = prod.input[0], hops + 1
        return False
