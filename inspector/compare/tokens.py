"""Token by token: A's greedy continuation, read by both models at once (teacher forced), and at each position
the KL divergence KL(P_A ‖ P_B) in nats, whether the top tokens agree, and the probability B gives A's token
(the measures llama.cpp's `perplexity --kl-divergence` reports for a quantized model against its base)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.generator import GenerationConfig, Generator
from ..errors import GenerationError
from ..messages import sentence

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

    @property
    def kl_mean(self) -> float | None:
        return float(np.mean(self.kl)) if self.kl else None

    @property
    def kl_p99(self) -> float | None:
        return float(np.percentile(self.kl, 99)) if self.kl else None

    @property
    def top1_agreement(self) -> float | None:
        return float(np.mean(self.top1_agree)) if self.top1_agree else None

    @property
    def first_divergence(self) -> int | None:
        """The first position where B's own greedy choice would differ from A's token."""
        return next((i for i, (a, b) in enumerate(zip(self.ids, self.b_ids)) if a != b), None)

    def as_dict(self) -> dict:
        return {"prompt_ids": self.prompt_ids, "ids": self.ids, "kl": self.kl, "top1_agree": self.top1_agree,
                "prob_b": self.prob_b, "b_ids": self.b_ids, "kl_mean": self.kl_mean, "kl_p99": self.kl_p99,
                "top1_agreement": self.top1_agreement, "first_divergence": self.first_divergence,
                "speed_a": self.speed_a.as_dict() if self.speed_a else None,
                "speed_b": self.speed_b.as_dict() if self.speed_b else None,
                "token_text": {str(i): t for i, t in self.texts.items()}}


def log_softmax(logits: np.ndarray) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def kl_rows(logits_a: np.ndarray, logits_b: np.ndarray) -> np.ndarray:
    """KL(P_A ‖ P_B) per row, nats."""
    la, lb = log_softmax(logits_a), log_softmax(logits_b)
    return np.maximum((np.exp(la) * (la - lb)).sum(axis=-1), 0.0)


def _speed(result) -> Speed:
    m = result.metrics.summary()
    return Speed(m["tokens_per_s"], m["ttft_ms"], m["peak_rss_mb"])


def continuation(gen: Generator, prompt, n: int) -> tuple[list[int], list[int], Speed]:
    """(prompt ids, the greedy continuation of n tokens, the run's speed); it runs on past end-of-text."""
    result = gen.generate(prompt, GenerationConfig(max_new_tokens=n, stop_at_eos=False))
    return result.prompt_ids, result.new_ids, _speed(result)


def compare_tokens(gen_a: Generator, gen_b: Generator, prompt, n: int, timed_b: bool = True) -> TokenComparison:
    """`prompt`: text (A's tokenizer) or ids.  `timed_b`: also time a greedy run of B, for its speed."""
    if gen_a.io.vocab_size and gen_b.io.vocab_size and gen_a.io.vocab_size != gen_b.io.vocab_size:
        raise GenerationError(VOCABULARIES_DIFFER(gen_a.io.vocab_size, gen_b.io.vocab_size))
    prompt_ids, ids, speed_a = continuation(gen_a, prompt, n)
    speed_b = continuation(gen_b, prompt_ids, n)[2] if timed_b else None
    seq = prompt_ids + ids
    at = slice(len(prompt_ids) - 1, len(seq) - 1)  # the positions that predict A's tokens
    la, lb = gen_a.logits_for(seq)[at], gen_b.logits_for(seq)[at]
    kl = kl_rows(la, lb)
    lpb = log_softmax(lb)
    b_ids = lb.argmax(-1)
    texts = {i: gen_a.token_text(i) for i in sorted(set(seq) | set(b_ids.tolist()))}
    return TokenComparison(prompt_ids, ids, kl.tolist(), (la.argmax(-1) == b_ids).tolist(),
                           np.exp(lpb[np.arange(len(ids)), ids]).tolist(), b_ids.tolist(), speed_a, speed_b, texts)
