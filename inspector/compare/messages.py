"""Everything the comparison says to people in sentences, in one place: each declared with `messages.sentence()`
(a constant format string with `{0}`-style places, its Chinese in report/i18n/zh.json); calling one with its
arguments, formatted before, makes the `Message` a report, the app or the command line renders in its language.
JSON writes a Message's English, with `as_dict` its key and arguments too."""

from __future__ import annotations

from ..messages import Message, render, sentence

# ------------------------------------------------------------------ the drift per block
DRIFT_BLOCKS_DIFFER = sentence("A has {0} blocks and B has {1}: their streams cannot be compared block by block")
DRIFT_NOT_FOUND = sentence("the residual stream between blocks was not found in these graphs: no drift per block")
DRIFT_ONE_SUM = sentence("these blocks add the attention and the MLP to the stream in one sum: their drift is not "
                         "split")
DRIFT_AFTER_BLOCKS = sentence("the stream is the same through every block: what differs lies after the last one, "
                              "in the final norm or the LM head")

# ------------------------------------------------------------------ the text both models read
TEXT_UNREADABLE = sentence("the text cannot be read ({0})")
TEXT_TOO_SHORT = sentence("the text has fewer than two tokens: there is nothing to predict")
TEXT_NO_TOKENIZER = sentence("this model has no tokenizer.json: the text cannot be read")

# ------------------------------------------------------------------ which file to take
BUDGET_UNREADABLE = sentence("cannot read {0} as a size: give bytes, or a number with kB, MB, GB or GiB")
TAKE = sentence("Take {0}: {1} smaller than {2}, mean KL {3} nats, {4} top-1 agreement — the smallest file within "
                "mean KL {5}.")
TAKE_FOR_BUDGET = sentence("Take {0} for {1}: {2} smaller than {3}, mean KL {4} nats, {5} top-1 agreement — the "
                           "smallest file that fits within mean KL {6}.")
TAKE_CLOSEST = sentence("Take {0} for {1}: {2} smaller than {3}, mean KL {4} nats, {5} top-1 agreement — the "
                        "closest to {3} that fits; none that fits stays within mean KL {6}.")
KEEP_REFERENCE = sentence("Keep {0}: no smaller file stays within mean KL {1} (the closest, {2}, is at {3}).")
KEEP_ONLY = sentence("Keep {0}: no other file could be read against it.")
NOTHING_FITS = sentence("No file fits {0}: the smallest, {1}, takes {2}.")
AVOID = sentence("Avoid {0}: mean KL {1} nats, where {2}, no larger, is at {3}.")
NAME_CONTRADICTS = sentence("{0} is named {1}, but its block matrices are stored as {2} ({3} bits per parameter): "
                            "it is {4} of {5}'s size.")

# ------------------------------------------------------------------ the scoreboard (llama.cpp's figures)
SCORE_POSITIONS = sentence("positions read")
SCORE_KL_MEAN = sentence("mean KL(A‖B), nats")
SCORE_KL_MEDIAN = sentence("median KL")
SCORE_KL_P99 = sentence("KL, 99th percentile")
SCORE_KL_P999 = sentence("KL, 99.9th percentile")
SCORE_KL_MAX = sentence("maximum KL")
SCORE_TOP1 = sentence("top-1 agreement [95% Wilson interval]")
SCORE_DELTA_P = sentence("RMS of Δp (B's probability of the token minus A's)")
SCORE_PPL_A = sentence("perplexity of A")
SCORE_PPL_B = sentence("perplexity of B")
SCORE_PPL_RATIO = sentence("perplexity ratio B / A")


def as_dict(message: Message) -> dict:
    """A sentence for the JSON: its English, and its key and arguments for a reader that says it otherwise."""
    return {"text": render(message), "key": message.key, "args": list(message.args)}
