"""Both models on a text: each one's perplexity and their ratio, and the KL figures over the text, teacher
forced in windows of the model's context.

Windows of W tokens (the smaller context of the two, at most TEXT_WINDOW) move by W/2; each token is scored
once, by the first window that holds it past the previous window's end, so every token after the first window
is read with at least W/2 tokens before it (the first window's tokens with what precedes them).  The first
token of the text is context only.  This is the strided perplexity of Hugging Face's guide; llama.cpp scores only
the second half of non-overlapping windows instead: the same context per scored token as here after the first
window, for half the tokens.

The bundled sample (`texts/sample.txt`, prose written for this project, MIT like the rest of it) is read
when no file is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import Cancelled, GenerationError
from . import messages as say
from .distribution import read_positions, scores

TEXT_WINDOW = 1024  # tokens: a window's logits are [W, vocab], which a 150k vocabulary makes 600 MB
TEXT_TOKENS = 4096  # the text's first tokens that are read (0: all)
SAMPLE_NAME = "sample.txt"


def sample_text() -> str:
    return (resources.files("inspector.compare") / "texts" / SAMPLE_NAME).read_text(encoding="utf-8")


def read_text(path: str | Path | None) -> str:
    """The file's text (UTF-8, undecodable bytes replaced), or the bundled sample."""
    if path is None:
        return sample_text()
    p = Path(path)
    try:
        return p.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise GenerationError(say.TEXT_UNREADABLE(exc.strerror or str(exc)), str(p)) from None


def windows(n_tokens: int, window: int) -> list[tuple[int, int, int]]:
    """(start, end, first scored target) per window; targets first..end-1 are scored from that window."""
    window = max(2, window)
    stride = max(1, window // 2)
    out, scored, start = [], 1, 0
    while scored < n_tokens:
        end = min(start + window, n_tokens)
        if end > scored:
            out.append((start, end, scored))
            scored = end
        start += stride
    return out


@dataclass
class TextComparison:
    file: str | None  # None: the bundled sample
    window: int
    stride: int
    nll_a: list[float] = field(repr=False, default_factory=list)  # −log p(target), nats, per scored token
    nll_b: list[float] = field(repr=False, default_factory=list)
    kl: list[float] = field(repr=False, default_factory=list)
    agree: list[bool] = field(repr=False, default_factory=list)
    delta_p: list[float] = field(repr=False, default_factory=list)

    @property
    def tokens(self) -> int:
        """Tokens scored (the text's tokens but the first)."""
        return len(self.nll_a)

    @property
    def ppl_a(self) -> float | None:
        return math.exp(float(np.mean(self.nll_a))) if self.nll_a else None

    @property
    def ppl_b(self) -> float | None:
        return math.exp(float(np.mean(self.nll_b))) if self.nll_b else None

    @property
    def ppl_ratio(self) -> float | None:
        """PPL(B) / PPL(A): above 1 where B predicts the text worse."""
        return math.exp(float(np.mean(self.nll_b) - np.mean(self.nll_a))) if self.nll_a else None

    @property
    def scores(self) -> dict:
        return scores(self.kl, self.agree, self.delta_p)

    def as_dict(self) -> dict:
        return {"file": self.file, "tokens": self.tokens, "window": self.window, "stride": self.stride,
                "ppl_a": self.ppl_a, "ppl_b": self.ppl_b, "ppl_ratio": self.ppl_ratio, **self.scores}


Reader = Callable[[int, int, slice], np.ndarray]  # (start, end, rows) -> logits of those rows of ids[start:end]


def compare_text(ids: list[int], window: int, read_a: Reader, read_b: Reader, file: str | None = None,
                 cancelled: Callable[[], bool] | None = None) -> TextComparison:
    """Both models over `ids`, window by window; `read_a`/`read_b` run a window and return its scored rows."""
    if len(ids) < 2:
        raise GenerationError(say.TEXT_TOO_SHORT())
    spans = windows(len(ids), window)
    result = TextComparison(file, max(2, window), max(1, max(2, window) // 2))
    for start, end, first in spans:
        if cancelled and cancelled():
            raise Cancelled()
        rows = slice(first - 1 - start, end - 1 - start)  # row j predicts ids[start + j + 1]
        targets = ids[first:end]
        got = read_positions(read_a(start, end, rows), read_b(start, end, rows), targets)
        result.nll_a.extend((-got["logp_a"]).tolist())
        result.nll_b.extend((-got["logp_b"]).tolist())
        result.kl.extend(got["kl"].tolist())
        result.agree.extend(got["agree"].tolist())
        result.delta_p.extend((np.exp(got["logp_b"]) - np.exp(got["logp_a"])).tolist())
    return result

