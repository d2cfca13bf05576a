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
