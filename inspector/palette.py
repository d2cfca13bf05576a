"""The colours the app and the reports share: one source, so a weight is the same blue everywhere."""

WEIGHT = "#3b6ea8"
BIAS = "#d9822b"
KIND = {"weight": WEIGHT, "bias": BIAS}  # a parameter kind's colour in every chart
ACCENT = "#2a9d8f"  # latency
THROUGHPUT = "#3b6ea8"
RSS = "#6a4c93"
GPU = "#e76f51"
TTFT = "#d62828"  # the time to first token, marked apart from decode latency
SELECTED = "#ffd166"  # the token (and its candidate) under inspection
TOKEN_EVEN, TOKEN_ODD = "#cdeae5", "#e3f1ee"  # generated tokens, alternating so their boundaries show
PROMPT_TEXT, TOKEN_TEXT = "#555", "#111"
MUTED = "#888"  # a tied head, which does not count
LABEL = "#666"
WARNING = "#b00"  # a config that contradicts the graph
NOTE = "#8a5a00"  # a caveat (a quantized model's ids)
PLOT_FOREGROUND = "#333"
ATTENTION_RAMP = ("#f7fbff", "#08306b")  # attention weight 0 → 1, in heat strips and report maps
LENS_SHADE = "#3b6ea8"  # a logit-lens cell, at an opacity that is its probability
CHOSEN_MARK = "#d62828"  # the chosen token where it first appears in the lens
FORCED = "#f4c7d6"  # a token a person chose instead of the model (a branch of the run)
EXPERT = "#6a4c93"  # an expert a token went through (a mixture of experts), at an opacity that is its weight
SWITCHED_OFF = "#e85d04"  # a part switched off (a head crossed out, a diagram box's dashed border)
DIVERGED = "#fde2c8"  # the text where an ablated run parts from the intact one, and after


def ramp(low: str, high: str, steps: int = 256) -> list[tuple[int, int, int]]:
    """`steps` RGB colours from `low` to `high` (for heat maps drawn by Qt or matplotlib)."""
    a = [int(low[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i:i + 2], 16) for i in (1, 3, 5)]
    return [tuple(round(x + (y - x) * k / (steps - 1)) for x, y in zip(a, b)) for k in range(steps)]


def tint(color: str, amount: float) -> str:
    """`color` laid over white at opacity `amount` (0..1), as #rrggbb: a shade every renderer shows alike."""
    amount = min(1.0, max(0.0, amount))
    c = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (x - 255) * amount):02x}" for x in c)

# the drift of B's residual stream from A's (compare/drift.py): what each sum adds, and the stream's drift
DRIFT = {"embeddings": "#8a8a8a", "attention": "#3b6ea8", "mlp": "#d9822b", "block": "#6a4c93"}
DRIFT_LINE = "#222222"

# what a head does (engine/heads.py), in the heads' map
HEAD_ROLE = {"previous-token": "#3b6ea8", "induction": "#d62828", "first-token": "#2a9d8f",
             "none": "#bbbbbb"}

# what a run costs (the Cost tab): memory by part, stacked, and the limits it is read against
COST = {"weights": "#3b6ea8", "kv_cache": "#d9822b", "runtime": "#8a8a8a"}
COST_LIMIT = "#d62828"  # what this machine has (RAM, GPU memory)
COST_FITS, COST_SHORT = "#2a7d2a", "#b00"  # a verdict: fits / does not fit
