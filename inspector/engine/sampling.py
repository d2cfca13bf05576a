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


class Distribution:
    """softmax(logits) from one exp pass over the vocabulary; candidates, entropy and the full
    vector are read off it without another pass (this runs once per token: it must be cheap)."""

    def __init__(self, logits: np.ndarray):
        self.logits = np.asarray(logits, dtype=np.float32)
        shifted = self.logits - self.logits.max()
        self._e = np.exp(shifted)
        self._z = float(self._e.sum(dtype=np.float64))
        # sum of e·(l - max): gives the entropy; a token masked to -inf adds 0, not 0·(-inf)
        self._s = float(np.dot(self._e, np.where(self._e > 0, shifted, 0.0)))

    def prob(self, token: int) -> float:
        return float(self._e[token]) / self._z

    def top(self, k: int) -> list[tuple[int, float]]:
        """The k most probable tokens with their probabilities, most probable first (ties: lower id)."""
        ids = ranked(self.logits, k)
        return [(int(i), float(self._e[i]) / self._z) for i in ids]

    @property
    def entropy(self) -> float:
        """In bits: H = ln Z - E[l - max], from the sums already taken."""
        return (np.log(self._z) - self._s / self._z) / np.log(2.0)

    def probs(self) -> np.ndarray:
        return self._e.astype(np.float64) / self._z


class Sampler:
    """Holds the random stream: the same seed gives the same tokens."""

    def __init__(self, config: SamplingConfig):
        config.validate()
        self.config = config
        self.rng = np.random.default_rng(config.seed)

    def distribution(self, logits: np.ndarray) -> Distribution:
        """The model's distribution at this temperature (what candidates and entropy report)."""
        t = 1.0 if self.config.greedy else self.config.temperature
        return Distribution(logits / t if t != 1.0 else logits)

    def choose(self, dist: Distribution) -> int:
        if self.config.greedy:
            return int(np.argmax(dist.logits))  # the first maximum: ties go to the lower id, as in ranked()
        probs = dist.probs()
        kept = filter_probs(probs, self.config.top_k, self.config.top_p)
        return int(self.rng.choice(probs.size, p=kept))
