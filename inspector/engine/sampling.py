"""From logits to a token, as plainly as nanoGPT's generate(): temperature, top-k, top-p, seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SamplingConfig:
    greedy: bool = True
    temperature: float = 1.0
    top_k: int | None = None  # None or 0: no top-k filter
    top_p: float | None = None  # None or 1.0: no nucleus filter
    seed: int | None = None

    def validate(self) -> None:
        if not self.greedy and not self.temperature > 0:
            raise ValueError("temperature must be > 0")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError("top-p must be in (0, 1]")
        if self.top_k is not None and self.top_k < 0:
            raise ValueError("top-k must be >= 0")


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64) - np.max(logits)
    e = np.exp(z)
    return e / e.sum()


def ranked(probs: np.ndarray, k: int) -> np.ndarray:
    """Ids of the k most probable tokens, most probable first (ties: lower id first)."""
    k = min(k, probs.size)
    part = np.argpartition(-probs, k - 1)[:k] if k < probs.size else np.arange(probs.size)
    return part[np.lexsort((part, -probs[part]))]


def filter_probs(probs: np.ndarray, top_k: int | None, top_p: float | None) -> np.ndarray:
    """Zero every token top-k / top-p rule out, renormalise the rest.

    top-k keeps the k most probable; top-p keeps the smallest most-probable set whose mass
    reaches p (the token that crosses p is kept), as Hugging Face's warpers do.
    """
    keep = np.ones(probs.size, bool)
    if top_k and top_k < probs.size:
        keep[:] = False
        keep[ranked(probs, top_k)] = True
    if top_p is not None and top_p < 1.0:
        order = ranked(np.where(keep, probs, -1.0), int(keep.sum()))
        mass = np.cumsum(probs[order])
        cut = int(np.searchsorted(mass, top_p - 1e-12)) + 1  # first index where mass >= p, inclusive
        nucleus = np.zeros(probs.size, bool)
        nucleus[order[:cut]] = True
        keep &= nucleus
    out = np.where(keep, probs, 0.0)
    return out / out.sum()


def entropy_bits(probs: np.ndarray) -> float:
    p = probs[probs > 0]
    return float(-(p * np.log2(p)).sum())


class Sampler:
    """Holds the random stream: the same seed gives the same tokens."""

    def __init__(self, config: SamplingConfig):
        config.validate()
        self.config = config
        self.rng = np.random.default_rng(config.seed)

    def distribution(self, logits: np.ndarray) -> np.ndarray:
        """The model's distribution at this temperature (what candidates and entropy report)."""
        t = 1.0 if self.config.greedy else self.config.temperature
        return softmax(logits / t if t != 1.0 else logits)

    def choose(self, probs: np.ndarray) -> int:
        if self.config.greedy:
            return int(ranked(probs, 1)[0])
        kept = filter_probs(probs, self.config.top_k, self.config.top_p)
        return int(self.rng.choice(probs.size, p=kept))
