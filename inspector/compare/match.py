"""Which tensor of B stands for which tensor of A.

Exporters rename (`onnx::MatMul_733`), re-pack (MatMulNBits stores [N, K] blocks) and re-orient (a tied head as
a transposed copy), so tensors are matched by what the census says they are — layer, role, kind, and their
order among tensors of that role — never by name alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..messages import sentence
from ..model.param import ParamTensor

SHAPES_DIFFER = sentence("shapes differ: {0} and {1}")  # why a tensor has no counterpart
ONLY_IN = sentence("only in {0}")


@dataclass
class Pair:
    layer: str
    role: str
    kind: str
    a: ParamTensor
    b: ParamTensor

    @property
    def key(self) -> str:
        return f"{self.layer} / {self.role} {self.kind}"


def _torch_shape(t: ParamTensor) -> tuple[int, ...]:
    return tuple(reversed(t.shape)) if t.transposed else tuple(t.shape)


def _groups(census) -> dict[tuple[str, str, str], list[ParamTensor]]:
    groups: dict[tuple[str, str, str], list[ParamTensor]] = defaultdict(list)
    for t in census.tensors:
        if t.counted:  # a tied head's copy is the embedding again
            groups[(t.layer, t.role, t.kind)].append(t)
    return groups


def match(a, b) -> tuple[list[Pair], list[dict]]:
    """Pairs of matched tensors (in A's order) and the unmatched ones: [{side, name, layer, role, kind, shape, why}]."""
    ga, gb = _groups(a), _groups(b)
    pairs, unmatched = [], []
    for key in list(ga) + [k for k in gb if k not in ga]:
        ta, tb = ga.get(key, []), gb.get(key, [])
        for i in range(max(len(ta), len(tb))):
            x = ta[i] if i < len(ta) else None
            y = tb[i] if i < len(tb) else None
            if x is not None and y is not None:
                sx, sy = _torch_shape(x), _torch_shape(y)
                if sx == sy or (len(sx) == 2 and sx == sy[::-1]) or x.count == y.count and len(sx) == 1:
                    pairs.append(Pair(key[0], key[1], key[2], x, y))
                    continue
                why = SHAPES_DIFFER(str(list(sx)), str(list(sy)))
            else:
                why = ONLY_IN("A" if y is None else "B")
            for side, t in (("A", x), ("B", y)):
                if t is not None:
                    unmatched.append({"side": side, "name": t.name, "layer": t.layer, "role": t.role,
                                      "kind": t.kind, "shape": list(_torch_shape(t)), "why": why})
    return pairs, unmatched
