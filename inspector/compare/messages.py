"""Everything the comparison says to people in sentences, in one place: constant format strings with `{0}`-style
placeholders (their Chinese is in report/i18n/zh.json), the arguments formatted before, never sentences
built by joining pieces.  A `Sentence` keeps the string and its arguments, so a report or the app can say it
in its own language; `text` is the English the command line and the JSON use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# ------------------------------------------------------------------ the drift per block
DRIFT_BLOCKS_DIFFER = "A has {0} blocks and B has {1}: their streams cannot be compared block by block"
DRIFT_NOT_FOUND = "the residual stream between blocks was not found in these graphs: no drift per block"
DRIFT_ONE_SUM = "these blocks add the attention and the MLP to the stream in one sum: their drift is not split"
DRIFT_AFTER_BLOCKS = ("the stream is the same through every block: what differs lies after the last one, in the "
                      "final norm or the LM head")

# ------------------------------------------------------------------ which file to take
TAKE = ("Take {0}: {1} smaller than {2}, mean KL {3} nats, {4} top-1 agreement — the smallest file within "
        "mean KL {5}.")
TAKE_FOR_BUDGET = ("Take {0} for {1}: {2} smaller than {3}, mean KL {4} nats, {5} top-1 agreement — the "
                   "smallest file that fits within mean KL {6}.")
TAKE_CLOSEST = ("Take {0} for {1}: {2} smaller than {3}, mean KL {4} nats, {5} top-1 agreement — the closest "
                "to {3} that fits; none that fits stays within mean KL {6}.")
KEEP_REFERENCE = "Keep {0}: no smaller file stays within mean KL {1} (the closest, {2}, is at {3})."
KEEP_ONLY = "Keep {0}: no other file could be read against it."
NOTHING_FITS = "No file fits {0}: the smallest, {1}, takes {2}."
AVOID = "Avoid {0}: mean KL {1} nats, where {2}, no larger, is at {3}."
NAME_CONTRADICTS = ("{0} is named {1}, but its block matrices are stored as {2} ({3} bits per parameter): "
                    "it is {4} of {5}'s size.")

# ------------------------------------------------------------------ the scoreboard (llama.cpp's figures)
SCORE_POSITIONS = "positions read"
SCORE_KL_MEAN = "mean KL(A‖B), nats"
SCORE_KL_MEDIAN = "median KL"
SCORE_KL_P99 = "KL, 99th percentile"
SCORE_KL_P999 = "KL, 99.9th percentile"
SCORE_KL_MAX = "maximum KL"
SCORE_TOP1 = "top-1 agreement [95 % Wilson interval]"
SCORE_DELTA_P = "RMS of Δp (B's probability of the token minus A's)"
SCORE_PPL_A = "perplexity of A"
SCORE_PPL_B = "perplexity of B"
SCORE_PPL_RATIO = "perplexity ratio B / A"

SENTENCES = (DRIFT_BLOCKS_DIFFER, DRIFT_NOT_FOUND, DRIFT_ONE_SUM, DRIFT_AFTER_BLOCKS, TAKE, TAKE_FOR_BUDGET, TAKE_CLOSEST,
             KEEP_REFERENCE, KEEP_ONLY, NOTHING_FITS, AVOID, NAME_CONTRADICTS, SCORE_POSITIONS, SCORE_KL_MEAN,
             SCORE_KL_MEDIAN, SCORE_KL_P99, SCORE_KL_P999, SCORE_KL_MAX, SCORE_TOP1, SCORE_DELTA_P, SCORE_PPL_A,
             SCORE_PPL_B, SCORE_PPL_RATIO)


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Sentence:
    key: str  # one of SENTENCES
    args: tuple = ()  # already formatted: numbers, sizes, file names

    def render(self, tr: Callable[[str], str] = _same) -> str:
        return tr(self.key).format(*self.args)

    @property
    def text(self) -> str:
        return self.render()

    def as_dict(self) -> dict:
        return {"text": self.text, "key": self.key, "args": list(self.args)}
