"""Running both models for a comparison: A's side read once and kept (the variants table reads every file
against it), each B read against it.

Each model is run twice, one session at a time: its plain session makes the greedy run (A's continuation, and
each model's decode speed, timed as `generate` would time it), then its probed copy (probed.py) reads the
continuation teacher forced — one pass giving the logits for the KL figures and the residual stream for the
drift — and the text, window by window.  A's probed copy stays open while B's is read; nothing else does, so
at most two models' weights are held at once, as before the drift was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..engine.generator import Generator
from ..engine.plan import plan_for
from ..errors import Cancelled, GenerationError
from . import messages as say
from .drift import Drift, block_drift
from .probed import ProbedModel
from .text import TEXT_TOKENS, TEXT_WINDOW, TextComparison, compare_text, read_text
from .tokens import Speed, TokenComparison, check_vocabularies, continuation, predicting, read_tokens

CACHE_BYTES = 256 << 20  # A's logits over the text are kept for the next B up to this size (else read again)


@dataclass
class Reading:
    tokens: TokenComparison
    drift: Drift | None
    text: TextComparison | None


@dataclass(frozen=True)
class TextChoice:
    """Which text both models read: a file, or the bundled sample (file None); `tokens`: its first tokens (0: all)."""

    file: str | Path | None = None
    tokens: int = TEXT_TOKENS


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled and cancelled():
        raise Cancelled()


class Reference:
    """A's greedy continuation of the prompt and A's probed copy, which has read it."""

    def __init__(self, census, prompt, n: int, provider: str = "auto", text: TextChoice | None = None,
                 cancelled: Callable[[], bool] | None = None):
        self.census, self.provider, self.n, self.cancelled = census, provider, n, cancelled
        gen = Generator(census.model.path, provider=provider, plan=plan_for(census), validate=False)
        self.codec = gen.codec
        self.vocab_size = gen.io.vocab_size
        self.text_ids, self.text_file = self._text_ids(text)  # a file that cannot be read says so before any run
        self.prompt_ids, self.ids, self.speed = continuation(gen, prompt, n)
        gen.session = None  # the plain session goes before the probed copy comes
        _check(cancelled)
        self.seq, self.at = self.prompt_ids + self.ids, predicting(self.prompt_ids, self.ids)
        self.probed = ProbedModel(census, provider)
        self.logits, self.hidden = self.probed.read(self.seq, self.at)
        self._cache: dict[tuple[int, int], np.ndarray] = {}
        self._cached = 0

    def _text_ids(self, text: TextChoice | None) -> tuple[list[int] | None, str | None]:
        if text is None:
            return None, None
        if self.codec is None:
            if text.file is not None:
                raise GenerationError(say.TEXT_NO_TOKENIZER(), str(text.file))
            return None, None  # the sample is read where it can be; a model without a tokenizer skips it
        ids = self.codec.encode(read_text(text.file))
        return (ids[:text.tokens] if text.tokens else ids), (str(text.file) if text.file is not None else None)

    def token_text(self, i: int) -> str:
        return self.codec.token_text(i) if self.codec else f"<{i}>"

    def _read_a(self, start: int, end: int, rows: slice) -> np.ndarray:
        key = (start, end)
        if key in self._cache:
            return self._cache[key]
        logits = self.probed.read(self.text_ids[start:end], rows, hidden=False)[0]
        if self._cached + logits.nbytes <= CACHE_BYTES:
            self._cache[key] = logits
            self._cached += logits.nbytes
        return logits

    def _window(self, other: ProbedModel | None = None) -> int:
        contexts = [c for c in (self.probed.context_length, other.context_length if other else None) if c]
        return min(contexts + [TEXT_WINDOW])

    def itself(self) -> Reading:
        """A against itself: zeros everywhere, A's own perplexity (the variants table's reference row)."""
        tokens = read_tokens(self.prompt_ids, self.ids, self.logits, self.logits, self.speed, self.speed,
                             self.token_text)
        text = None
        if self.text_ids:
            text = compare_text(self.text_ids, self._window(), self._read_a, self._read_a, self.text_file,
                                self.cancelled)
        return Reading(tokens, None, text)

    def against(self, census_b, timed: bool = True, reading: Callable[[], None] | None = None) -> Reading:
        """B read against A: the tokens, the drift per block and the text.  `reading()` is called when B's
        greedy run is over and both probed copies read (for a progress line)."""
        gen = Generator(census_b.model.path, provider=self.provider, plan=plan_for(census_b), validate=False)
        check_vocabularies(self.vocab_size, gen.io.vocab_size)
        speed_b: Speed | None = continuation(gen, self.prompt_ids, self.n)[2] if timed else None
        gen.session = None
        _check(self.cancelled)
        if reading:
            reading()
        probed = ProbedModel(census_b, self.provider)
        try:
            logits, hidden = probed.read(self.seq, self.at)
            tokens = read_tokens(self.prompt_ids, self.ids, self.logits, logits, self.speed, speed_b,
                                 self.token_text)
            drift = block_drift(self.probed.blocks, self.hidden, probed.blocks, hidden)
            drift.logits_differ = bool(np.any(logits != self.logits))
            if drift.peak == "head" and drift.note is None:
                drift.note = say.DRIFT_AFTER_BLOCKS()
            text = None
            if self.text_ids:
                text = compare_text(self.text_ids, self._window(probed), self._read_a,
                                    lambda s, e, rows: probed.read(self.text_ids[s:e], rows, hidden=False)[0],
                                    self.text_file, self.cancelled)
            return Reading(tokens, drift, text)
        finally:
            probed.close()

    def close(self) -> None:
        self.probed.close()
        self._cache.clear()
