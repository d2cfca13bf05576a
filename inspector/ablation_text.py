"""What switching parts off (`generate --ablate`) and reading the heads (`heads`) say to people: one list of
sentences with `{0}`-style places, formatted where they are used, so the app and the reports can say each one in
their language (the Chinese lives in report/i18n/zh.json).  Blocks and heads are numbered from 0, as the Inside
view shows them; steps from 1, as people read them."""

from __future__ import annotations

# ---------------------------------------------------------------------------- the parts, as people name them
HEAD_PART = "head {1} of block {0}"
ATTN_PART = "the attention of block {0}"
MLP_PART = "the MLP of block {0}"
NUMBERING = "blocks and heads counted from 0"

# ---------------------------------------------------------------------------- --ablate SPEC: one line each
SPEC_EMPTY = "--ablate names no part: write B.H (head H of block B), B.attn or B.mlp, comma-separated, " \
             "blocks and heads counted from 0"
SPEC_BAD = "--ablate: cannot read “{0}” as a part: write B.H (head H of block B), B.attn or B.mlp, " \
           "comma-separated, blocks and heads counted from 0"
STEP_BAD = "--ablate-step must be a step number from 1 (the first generated token), not {0}"
NO_BLOCK = "--ablate: there is no block {0}: this model's blocks are 0 to {1}"
NO_HEAD = "--ablate: block {0} has no head {1}: its heads are 0 to {2}"
CANNOT = "--ablate: {0} cannot be switched off in this model: {1}"

# ---------------------------------------------------------------------------- why a part cannot be switched off
NO_BLOCKS = "its blocks were not found in the graph"
NO_OUT_PROJECTION = "no attention out-projection was found in block {0}"
NO_DOWN_PROJECTION = "no MLP down-projection was found in block {0}"
NO_HEAD_WIDTH = "the out-projection of block {0} does not take {1} heads of {2} values side by side"
NO_FLOAT_INPUT = "the out-projection of block {0} takes its input in a form the inspector cannot reach"
NO_SINGLE_OUTPUT = "the output of {0} does not leave it as one value"
FUSED_TAKES_ALL = "attention is one fused {0} node: its heads are switched off on its output, where they still " \
                  "lie side by side before the out-projection, so heads, attention and MLP can all be switched " \
                  "off; its attention weights cannot be read, so heads get no role, only a loss rise"

# ---------------------------------------------------------------------------- what changed (generate --ablate)
SWITCHED_OFF = "switched off: {0} ({1})"
SWITCHED_OFF_AT = "switched off at step {2}: {0} ({1})"
INTACT_TEXT = "intact:"
ABLATED_TEXT = "switched off:"
PART_AT = "the runs part at step {0}: {1} intact, {2} switched off"
SAME_TOKENS = "the runs choose the same {0} tokens"
STEP_CHANGE = "step {0}: KL(intact ‖ switched off) {1} nats; chose {2} at {3} (intact: {4}); the intact model's " \
              "first choice {5}"
ROSE = "rose:"
FELL = "fell:"

# ---------------------------------------------------------------------------- the heads (python -m inspector heads)
ROLE_NAMES = {"previous-token": "previous-token", "induction": "induction", "first-token": "first-token",
              "none": "none"}
HEADS_PROBE = "probe: {0} random tokens repeated twice (seed {1}){2}; loss on the repeated half {3} nats " \
              "(the first half {4})"
HEADS_BOS = ", after the BOS token"
HEADS_RULE = "a head's role is the pattern it gives the most attention to on the repeated half, if at least {0} " \
             "({1})"
HEADS_COUNT = "{0} previous-token, {1} induction, {2} first-token and {3} other heads of {4}"
PROBE_TOO_SHORT = "the probe needs at least {0} random tokens, not {1}"
PROBE_TOO_LONG = "a probe of {0} tokens twice does not fit the model's context of {1}: use --length {2} or less"
PROBE_FEW_TOKENS = "the vocabulary has {0} ordinary tokens: too few for {1} distinct ones"
NO_HEADS = "the blocks and heads of this model were not found: its heads cannot be read"
READING_HEADS = "reading where the heads look"
SWITCHING_HEAD = "switching off head {1} of block {0}"

SENTENCES = (HEAD_PART, ATTN_PART, MLP_PART, NUMBERING, SPEC_EMPTY, SPEC_BAD, STEP_BAD, NO_BLOCK, NO_HEAD, CANNOT,
             NO_BLOCKS, NO_OUT_PROJECTION, NO_DOWN_PROJECTION, NO_HEAD_WIDTH, NO_FLOAT_INPUT, NO_SINGLE_OUTPUT,
             FUSED_TAKES_ALL, SWITCHED_OFF, SWITCHED_OFF_AT, INTACT_TEXT, ABLATED_TEXT, PART_AT, SAME_TOKENS,
             STEP_CHANGE, ROSE, FELL, *ROLE_NAMES.values(), HEADS_PROBE, HEADS_BOS, HEADS_RULE, HEADS_COUNT,
             PROBE_TOO_SHORT, PROBE_TOO_LONG, PROBE_FEW_TOKENS, NO_HEADS, READING_HEADS, SWITCHING_HEAD)
