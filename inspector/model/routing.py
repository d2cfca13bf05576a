"""How a mixture of experts' router turns its logits into the experts a token uses and their weights.

Each family routes its own way, and the rule is part of what the model is:
- "softmax_topk": softmax over every expert, the k most probable, their probabilities (renormalised to sum to 1
  where the model says so) — Mixtral, Qwen-MoE, onnxruntime's `MoE`/`QMoE` ops;
- "topk_softmax": the k largest logits, then a softmax over those k — gpt-oss (equal to softmax_topk
  renormalised);
- "sigmoid_groups": DeepSeek-V3's: a sigmoid per expert, a correction bias added for the choice only, the
  experts split into groups of which the best `topk_group` (by their two best scores) are eligible, the k best
  of those; the weights are the uncorrected sigmoids, renormalised where the model says so, times a scaling
  factor.
The router's logits are read from the graph (the router's product, or a fused MoE op's router input).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Routing:
    rule: str  # "softmax_topk", "topk_softmax", "sigmoid_groups"
    k: int  # experts a token uses
    normalize: bool = False  # the k weights renormalised to sum to 1
    groups: int = 1  # sigmoid_groups: the experts' groups
    topk_groups: int = 1  # sigmoid_groups: groups a token may choose from
    scale: float = 1.0  # the weights' scaling factor (DeepSeek's routed_scaling_factor)
    bias: tuple[float, ...] | None = None  # sigmoid_groups: the correction added for the choice (a buffer)

    def choose(self, logits: np.ndarray) -> list[tuple[int, float]]:
        """One token's router logits [experts] -> [(expert, weight)], the heaviest first."""
        x = np.asarray(logits, np.float64).ravel()
        if self.rule == "sigmoid_groups":
            return self._groups(x)
        k = min(self.k, x.size)
        if self.rule == "topk_softmax":
            top = _top(x, k)
            w = np.exp(x[top] - x[top].max())
            w = w / w.sum()
        else:
            p = np.exp(x - x.max())
            p = p / p.sum()
            top = _top(p, k)
            w = p[top]
            if self.normalize:
                w = w / w.sum()
        return _pairs(top, w * self.scale)

    def _groups(self, x: np.ndarray) -> list[tuple[int, float]]:
        scores = 1.0 / (1.0 + np.exp(-x))
        choice = scores + (np.asarray(self.bias, np.float64) if self.bias is not None else 0.0)
        groups = max(1, self.groups)
        per = choice.reshape(groups, -1)
        group_scores = np.sort(per, axis=1)[:, -2:].sum(axis=1)
        keep = _top(group_scores, min(self.topk_groups, groups))
        masked = np.full_like(per, -np.inf)
        masked[keep] = per[keep]
        top = _top(masked.ravel(), min(self.k, x.size))
        w = scores[top]
        if self.normalize:
            w = w / (w.sum() + 1e-20)
        return _pairs(top, w * self.scale)


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values, largest first (ties: the lower index, as torch.topk on CPU)."""
    order = np.argsort(-values, kind="stable")
    return order[:k]


def _pairs(indices: np.ndarray, weights: np.ndarray) -> list[tuple[int, float]]:
    pairs = [(int(i), float(w)) for i, w in zip(indices, weights)]
    return sorted(pairs, key=lambda p: -p[1])


def load(choices: list[list[list[tuple[int, float]]]], experts: int) -> np.ndarray:
    """How often each expert was chosen over a run: [MoE layers, experts] counts from per-step choices
    (steps × layers × [(expert, weight)])."""
    layers = max((len(step) for step in choices), default=0)
    counts = np.zeros((layers, experts), np.int64)
    for step in choices:
        for layer, pairs in enumerate(step):
            for expert, _w in pairs or []:
                if 0 <= expert < experts:
                    counts[layer, expert] += 1
    return counts
