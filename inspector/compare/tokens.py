"""Token by token: A's greedy continuation, read by both models at once (teacher forced), and at each position
the KL divergence KL(P_A ‖ P_B) in nats, whether the top tokens agree, and the probability each model gives A's
token — the measures llama.cpp's `perplexity --kl-divergence` reports for a quantized model against its base
(distribution.py has their summary figures)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.generator import GenerationConfig, Generator
from ..errors import GenerationError
from ..messages import sentence
from .distribution import kl_from_logprobs, log_softmax, read_positions, scores

VOCABULARIES_DIFFER = sentence("the models' vocabularies differ ({0} and {1} tokens): their distributions cannot be "
                               "compared")


@dataclass
class Speed:
    tokens_per_s: float | None
    ttft_ms: float | None
    peak_rss_mb: float | None

    def as_dict(self) -> dict:
        return {"tokens_per_s": self.tokens_per_s, "ttft_ms": self.ttft_ms, "peak_rss_mb": self.peak_rss_mb}


@dataclass
class TokenComparison:
    prompt_ids: list[int]
    ids: list[int]  # A's greedy continuation
    kl: list[float]  # per position, nats
    top1_agree: list[bool]
    prob_b: list[float]  # the probability B gives A's token
    b_ids: list[int]  # B's own top token at each position (teacher forced)
    speed_a: Speed | None = None
    speed_b: Speed | None = None
    texts: dict[int, str] = field(default_factory=dict)
    prob_a: list[float] = field(default_factory=list)  # the probability A gives its own token

    @property
    def delta_p(self) -> list[float]:
        """B's probability of A's token minus A's, per position."""
        return [b - a for a, b in zip(self.prob_a, self.prob_b)] if self.prob_a else []

    @property
    def scores(self) -> dict:
        """llama.cpp's figures: KL mean, median, p99, p99.9, max; top-1 agreement and its interval; RMS Δp."""
        return scores(self.kl, self.top1_agree, self.delta_p)

    @property
    def kl_mean(self) -> float | None:
        return self.scores["kl_mean"]

    @property
    def kl_p99(self) -> float | None:
        return self.scores["kl_p99"]

    @property
    def top1_agreement(self) -> float | None:
        return self.scores["top1_agreement"]

    @property
    def first_divergence(self) -> int | None:
        """The first position where B's own greedy choice would differ from A's token."""
        return next((i for i, (a, b) in enumerate(zip(self.ids, self.b_ids)) if a != b), None)

    def as_dict(self) -> dict:
        return {"prompt_ids": self.prompt_ids, "ids": self.ids, "kl": self.kl, "top1_agree": self.top1_agree,
                "prob_a": self.prob_a, "prob_b": self.prob_b, "b_ids": self.b_ids, **self.scores,
                "first_divergence": self.first_divergence,
                "speed_a": self.speed_a.as_dict() if self.speed_a else None,
                "speed_b": self.speed_b.as_dict() if self.speed_b else None,
                "token_text": {str(i): t for i, t in self.texts.items()}}


def kl_rows(logits_a: np.ndarray, logits_b: np.ndarray) -> np.ndarray:
    """KL(P_A ‖ P_B) per row, nats."""
    return kl_from_logprobs(log_softmax(logits_a), log_softmax(logits_b))


def _speed(result) -> Speed:
    m = result.metrics.summary()
    return Speed(m["tokens_per_s"], m["ttft_ms"], m["peak_rss_mb"])


def continuation(gen: Generator, prompt, n: int) -> tuple[list[int], list[int], Speed]:
    """(prompt ids, the greedy continuation of n tokens, the run's speed); it runs on past end-of-text."""
    result = gen.generate(prompt, GenerationConfig(max_new_tokens=n, stop_at_eos=False))
    return result.prompt_ids, result.new_ids, _speed(result)


def predicting(prompt_ids: list[int], ids: list[int]) -> slice:
    """The positions of prompt + continuation whose logits predict the continuation's tokens."""
    return slice(len(prompt_ids) - 1, len(prompt_ids) + len(ids) - 1)


def check_vocabularies(a: int | None, b: int | None) -> None:
    if a and b and a != b:
        raise GenerationError(VOCABULARIES_DIFFER(a, b))


def read_tokens(prompt_ids: list[int], ids: list[int], logits_a: np.ndarray, logits_b: np.ndarray,
                speed_a: Speed | None, speed_b: Speed | None, token_text) -> TokenComparison:
    """The comparison from both models' logits at the positions that predict the continuation."""
    got = read_positions(logits_a, logits_b, ids)
    b_ids = got["b_ids"].tolist()
    texts = {i: token_text(i) for i in sorted(set(prompt_ids) | set(ids) | set(b_ids))}
    return TokenComparison(prompt_ids, ids, got["kl"].tolist(), got["agree"].tolist(),
                           np.exp(got["logp_b"]).tolist(), b_ids, speed_a, speed_b, texts,
                           np.exp(got["logp_a"]).tolist())


def compare_tokens(gen_a: Generator, gen_b: Generator, prompt, n: int, timed_b: bool = True) -> TokenComparison:
    """`prompt`: text (A's tokenizer) or ids.  `timed_b`: also time a greedy run of B, for its speed.
    Both generators' plain sessions read the continuation (compare.run reads it with the probed copies)."""
    check_vocabularies(gen_a.io.vocab_size, gen_b.io.vocab_size)
    prompt_ids, ids, speed_a = continuation(gen_a, prompt, n)
    speed_b = continuation(gen_b, prompt_ids, n)[2] if timed_b else None
    seq, at = prompt_ids + ids, predicting(prompt_ids, ids)
    return read_tokens(prompt_ids, ids, gen_a.logits_for(seq)[at], gen_b.logits_for(seq)[at], speed_a, speed_b,
                       gen_a.token_text)
