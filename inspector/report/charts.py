"""The report's pictures, drawn with matplotlib's Agg backend (no display, no Qt): PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import palette, units  # noqa: E402


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def layer_histogram(name: str, series: dict) -> bytes:
    """One layer's weights and biases on their shared edges (log counts, so both show)."""
    fig, ax = plt.subplots(figsize=(3.6, 2.2))
    for kind, (edges, counts) in series.items():
        centers = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
        ax.fill_between(centers, np.asarray(counts, float), step="mid", alpha=0.45,
                        color=palette.KIND[kind], label=units.KIND_PLURAL[kind])
    ax.set_yscale("symlog", linthresh=1)
    ax.set_title(name, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return _png(fig)


def layer_bars(names: list[str], weights: list[int], biases: list[int]) -> bytes:
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.5, 3.6), sharex=True)
    x = np.arange(len(names))
    a.bar(x, weights, color=palette.WEIGHT)
    a.set_ylabel("weights", fontsize=8)
    b.bar(x, biases, color=palette.BIAS)
    b.set_ylabel("biases", fontsize=8)
    b.set_xticks(x, [n.replace("block ", "") for n in names], rotation=90 if len(names) > 16 else 0, fontsize=7)
    for ax in (a, b):
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=7)
    return _png(fig)


def run_charts(steps: list[dict]) -> dict[str, bytes]:
    """Latency per token (TTFT marked) and memory per token."""
    x = np.arange(1, len(steps) + 1)
    lat = np.array([s["latency_ms"] for s in steps], float)
    fig, ax = plt.subplots(figsize=(7.5, 2.4))
    if len(steps) > 1:
        ax.plot(x[1:], lat[1:], color=palette.ACCENT, lw=1.2, label="decode")
    ax.scatter(x[:1], lat[:1], color=palette.TTFT, zorder=3, label=f"time to first token {lat[0]:.1f} ms")
    ax.set_xlabel("token", fontsize=8)
    ax.set_ylabel("ms", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    out = {"latency": _png(fig)}
    fig, ax = plt.subplots(figsize=(7.5, 2.2))
    ax.plot(x, [s["rss_mb"] for s in steps], color=palette.RSS, label="process RSS (MB)")
    gpu = [s["gpu_mb"] for s in steps]
    if any(g is not None for g in gpu):
        ax.plot(x, [np.nan if g is None else g for g in gpu], color=palette.GPU, label="GPU memory (MB)")
    ax.set_xlabel("token", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    out["memory"] = _png(fig)
    return out


MAX_LABELS = 60  # position labels beyond this are thinned out


def attention_map(title: str, attention: list, labels: list[str]) -> bytes:
    """One step's attention: a row per block and head, a column per position attended over."""
    from matplotlib.colors import ListedColormap

    blocks = [(b, np.asarray(a, float)) for b, a in enumerate(attention) if a is not None]
    rows = np.concatenate([a for _b, a in blocks]) if blocks else np.zeros((1, len(labels)))
    heads = blocks[0][1].shape[0] if blocks else 1
    cmap = ListedColormap(np.array(palette.ramp(*palette.ATTENTION_RAMP)) / 255)
    height = min(9.0, 1.2 + 0.09 * len(rows))
    fig, ax = plt.subplots(figsize=(7.5, height))
    image = ax.imshow(rows, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ticks = [i * heads + heads / 2 - 0.5 for i in range(len(blocks))]
    every = max(1, len(blocks) // 24)
    ax.set_yticks(ticks[::every], [f"block {b}" for b, _a in blocks][::every], fontsize=6)
    for i in range(1, len(blocks)):
        ax.axhline(i * heads - 0.5, color="white", lw=0.6)
    step = max(1, len(labels) // MAX_LABELS)
    ax.set_xticks(range(0, len(labels), step), [repr(t)[1:-1] for t in labels[::step]], rotation=90, fontsize=6)
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01).ax.tick_params(labelsize=6)
    return _png(fig)


def kl_per_position(kl: list[float], agree: list[bool]) -> bytes:
    """KL(A‖B) at each position of A's continuation; positions where the top tokens differ marked."""
    x = np.arange(len(kl))
    fig, ax = plt.subplots(figsize=(7.5, 2.2))
    ax.bar(x, kl, color=palette.ACCENT, width=0.8, label="KL(A‖B), nats")
    bad = [i for i, a in enumerate(agree) if not a]
    if bad:
        ax.scatter(bad, [kl[i] for i in bad], color=palette.CHOSEN_MARK, zorder=3, s=14, label="top token differs")
    ax.set_xlabel("position in A's continuation", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(labelsize=7)
    return _png(fig)
