"""What switching parts off (`generate --ablate`) and reading the heads (`heads`) say to people: each sentence
declared once (messages.py), so the app, the command line and the reports say it in their language (the Chinese
lives in report/i18n/zh.json).  Blocks and heads are numbered from 0, as the Inside view shows them; steps from 1,
as people read them."""

from __future__ import annotations

from .messages import sentence

# ---------------------------------------------------------------------------- the parts, as people name them
HEAD_PART = sentence("head {1} of block {0}")
ATTN_PART = sentence("the attention of block {0}")
MLP_PART = sentence("the MLP of block {0}")
PARTS = sentence("{0}, {1}")  # several parts, one after the other
NUMBERING = sentence("blocks and heads counted from 0")

# ---------------------------------------------------------------------------- --ablate SPEC: one line each
SPEC_EMPTY = sentence("--ablate names no part: write B.H (head H of block B), B.attn or B.mlp, comma-separated, "
                      "blocks and heads counted from 0")
SPEC_BAD = sentence("--ablate: cannot read “{0}” as a part: write B.H (head H of block B), B.attn or B.mlp, "
                    "comma-separated, blocks and heads counted from 0")
STEP_BAD = sentence("--ablate-step must be a step number from 1 (the first generated token), not {0}")
NO_BLOCK = sentence("--ablate: there is no block {0}: this model's blocks are 0 to {1}")
NO_HEAD = sentence("--ablate: block {0} has no head {1}: its heads are 0 to {2}")
CANNOT = sentence("--ablate: {0} cannot be switched off in this model: {1}")

# ---------------------------------------------------------------------------- why a part cannot be switched off
NO_BLOCKS = sentence("its blocks were not found in the graph")
NO_OUT_PROJECTION = sentence("no attention out-projection was found in block {0}")
NO_DOWN_PROJECTION = sentence("no MLP down-projection was found in block {0}")
NO_EXPERTS_OUTPUT = sentence("the output of the mixture of experts in block {0} was not found as one value")
NO_HEAD_WIDTH = sentence("the out-projection of block {0} does not take {1} heads of {2} values side by side")
NO_FLOAT_INPUT = sentence("the out-projection of block {0} takes its input in a form the inspector cannot reach")
NO_SINGLE_OUTPUT = sentence("the output of {0} does not leave it as one value")
FUSED_TAKES_ALL = sentence("attention is one fused {0} node: its heads are switched off on its output, where they "
                           "still lie side by side before the out-projection, so heads, attention and MLP can all "
                           "be switched off; its attention weights cannot be read, so heads get no role, only a loss "
                           "rise")

# ---------------------------------------------------------------------------- what changed (generate --ablate)
SWITCHED_OFF = sentence("switched off: {0} ({1})")
SWITCHED_OFF_AT = sentence("switched off at step {2}: {0} ({1})")
INTACT_TEXT = sentence("intact: {0}")
PART_AT = sentence("the runs part at step {0}: {1} intact, {2} switched off")
SAME_TOKENS = sentence("the runs choose the same {0} tokens")
STEP_CHANGE = sentence("step {0}: KL(intact ‖ switched off) {1} nats; chose {2} at {3} (intact: {4}); the intact "
                       "model's first choice {5}")
ROSE = sentence("rose: {0}")
FELL = sentence("fell: {0}")

# ---------------------------------------------------------------------------- the heads (python -m inspector heads)
ROLE_NAMES = {"previous-token": sentence("previous-token"), "induction": sentence("induction"),
              "first-token": sentence("first-token"), "none": sentence("none")}
HEADS_PROBE = sentence("probe: {0} random tokens repeated twice (seed {1}); loss on the repeated half {2} nats (the "
                       "first half {3})")
HEADS_PROBE_BOS = sentence("probe: {0} random tokens repeated twice (seed {1}), after the BOS token; loss on the "
                           "repeated half {2} nats (the first half {3})")
HEADS_RULE = sentence("a head's role is the pattern it gives the most attention to on the repeated half, if at "
                      "least {0} ({1})")
HEADS_COUNT = sentence("{0} previous-token, {1} induction, {2} first-token and {3} other heads of {4}")
PROBE_TOO_SHORT = sentence("the probe needs at least {0} random tokens, not {1}")
PROBE_TOO_LONG = sentence("a probe of {0} tokens twice does not fit the model's context of {1}: use --length {2} or "
                          "less")
PROBE_FEW_TOKENS = sentence("the vocabulary has {0} ordinary tokens: too few for {1} distinct ones")
NO_HEADS = sentence("the blocks and heads of this model were not found: its heads cannot be read")
READING_HEADS = sentence("reading where the heads look")
SWITCHING_HEAD = sentence("switching off head {1} of block {0}")
