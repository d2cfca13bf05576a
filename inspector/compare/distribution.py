"""The figures llama.cpp's `perplexity --kl-divergence` reports for a quantization against its base, from
per-position arrays, so a comparison here lines up with the GGUF world: KL(P_A ‖ P_B) in nats — mean, median,
99th and 99.9th percentile (numpy's default, linear, definition), maximum —, how often the top tokens agree
with its 95 % Wilson score interval, and the RMS of Δp, B's probability of the reference token minus A's.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval
ROWS = 128  # positions turned into float64 log-probabilities at a time


def log_softmax(logits: np.ndarray) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def kl_from_logprobs(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """KL(P_A ‖ P_B) per row, nats, from log-probabilities."""
    return np.maximum((np.exp(la) * (la - lb)).sum(axis=-1), 0.0)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (it stays inside [0, 1] and is sound at 0 % or 100 %)."""
    if n <= 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (0.0 if successes == 0 else max(0.0, centre - half)), (1.0 if successes == n else min(1.0, centre + half))


def _stat(values, fn):
    return float(fn(np.asarray(values, np.float64))) if len(values) else None


SCORE_KEYS = ("kl_mean", "kl_median", "kl_p99", "kl_p999", "kl_max", "top1_agreement", "top1_ci95", "delta_p_rms")


def scores(kl, agree, delta_p) -> dict:
    """The llama.cpp figures of one set of positions, as the JSON names them."""
    agree = np.asarray(agree, bool)
    ci = wilson(int(agree.sum()), len(agree))
    return {"kl_mean": _stat(kl, np.mean), "kl_median": _stat(kl, np.median),
            "kl_p99": _stat(kl, lambda x: np.percentile(x, 99)), "kl_p999": _stat(kl, lambda x: np.percentile(x, 99.9)),
            "kl_max": _stat(kl, np.max), "top1_agreement": _stat(agree, np.mean),
            "top1_ci95": list(ci) if ci else None, "delta_p_rms": _stat(delta_p, lambda x: np.sqrt(np.mean(x * x)))}


def read_positions(logits_a: np.ndarray, logits_b: np.ndarray, targets) -> dict[str, np.ndarray]:
    """Per position: KL, whether the top tokens agree, each model's probability of the target token (A's
    greedy choice, or the text's next token) and its log-probability."""
    t = np.asarray(targets, np.int64)
    parts = []
    for i in range(0, len(t), ROWS):  # float64 copies of a few rows at a time, however large the vocabulary
        la, lb = log_softmax(logits_a[i:i + ROWS]), log_softmax(logits_b[i:i + ROWS])
        rows, ti = np.arange(len(la)), t[i:i + ROWS]
        parts.append({"kl": kl_from_logprobs(la, lb), "agree": la.argmax(-1) == lb.argmax(-1),
                      "b_ids": lb.argmax(-1), "logp_a": la[rows, ti], "logp_b": lb[rows, ti]})
    keys = ("kl", "agree", "b_ids", "logp_a", "logp_b")
    if not parts:
        return {k: np.zeros(0) for k in keys}
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}
