"""The report's pictures, drawn with matplotlib's Agg backend (no display, no Qt): PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import palette, units  # noqa: E402

_same = lambda text: text  # noqa: E731 (the English charts' translator)
FALLBACK_FAMILIES = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "Noto Sans Hebrew", "Symbola"]


def _use_bundled_fonts() -> None:
    """The bundled subsets (inspector/assets/fonts) after DejaVu Sans: matplotlib takes each glyph from the first
    family that has it, so Chinese tokens and labels draw as characters, not boxes. (Matplotlib does not shape
    Arabic or Hebrew: their letters draw unjoined, left to right; the HTML and PDF text around them is shaped.)"""
    from importlib import resources

    from matplotlib import font_manager

    folder = resources.files("inspector") / "assets" / "fonts"
    for f in folder.iterdir():
        if f.name.endswith((".otf", ".ttf")):
            with resources.as_file(f) as path:
                font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = FALLBACK_FAMILIES


_use_bundled_fonts()


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def layer_histogram(name: str, series: dict, _=_same) -> bytes:
    """One layer's weights and biases on their shared edges (log counts, so both show)."""
    fig, ax = plt.subplots(figsize=(3.6, 2.2))
    for kind, (edges, counts) in series.items():
        centers = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
        ax.fill_between(centers, np.asarray(counts, float), step="mid", alpha=0.45,
                        color=palette.KIND[kind], label=_(units.KIND_PLURAL[kind]))
    ax.set_yscale("symlog", linthresh=1)
    ax.set_title(name, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return _png(fig)


def _count_axis(ax) -> None:
    """Parameters as 60M, not 6e+07 with an offset."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: units.count(v)))


def layer_bars(names: list[str], weights: list[int], biases: list[int], _=_same) -> bytes:
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.5, 3.6), sharex=True)
    x = np.arange(len(names))
    a.bar(x, weights, color=palette.WEIGHT)
    a.set_ylabel(_("weights"), fontsize=8)
    b.bar(x, biases, color=palette.BIAS)
    b.set_ylabel(_("biases"), fontsize=8)
    if not any(biases):
        b.set_yticks([])
        b.text(0.5, 0.5, _("no biases: every layer of this model is bias-free"), transform=b.transAxes,
               ha="center", va="center", fontsize=8, color=palette.LABEL)
    b.set_xticks(x, [n.replace("block ", "") for n in names], rotation=90 if len(names) > 16 else 0, fontsize=7)
    for ax in (a, b):
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=7)
        _count_axis(ax)
    return _png(fig)


def run_figures(steps: list[dict], _=_same) -> dict:
    """Latency per token (TTFT marked) and memory per token, as matplotlib figures (run_charts draws them)."""
    x = np.arange(1, len(steps) + 1)  # the first generated token is step 1
    lat = np.array([s["latency_ms"] for s in steps], float)
    fig, ax = plt.subplots(figsize=(7.5, 2.0))  # the two charts share a page with the run's figures above them
    if len(steps) > 1:
        ax.plot(x[1:], lat[1:], color=palette.ACCENT, lw=1.2, label=_("decode"))
    ax.scatter(x[:1], lat[:1], color=palette.TTFT, zorder=3,
               label=_("time to first token {0} ms").format(units.number(lat[0], 3)))
    ax.set_xlabel(_("token"), fontsize=8)
    ax.set_ylabel("ms", fontsize=8)
    _whole_ticks(ax)
    _from_zero(ax, lat)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    out = {"latency": fig}
    fig, ax = plt.subplots(figsize=(7.5, 1.9))
    rss = [s["rss_mb"] for s in steps]
    ax.plot(x, rss, color=palette.RSS, label=_("process RSS (MB)"))
    gpu = [np.nan if s["gpu_mb"] is None else s["gpu_mb"] for s in steps]
    if not np.isnan(gpu).all():
        ax.plot(x, gpu, color=palette.GPU, label=_("GPU memory (MB)"))
    ax.set_xlabel(_("token"), fontsize=8)
    ax.set_ylabel("MB", fontsize=8)
    _whole_ticks(ax)
    ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    _from_zero(ax, rss + gpu)  # a flat line stays flat instead of a 0.05 MB span filling the height
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.grid(alpha=0.3)
    out["memory"] = fig
    return out


def run_charts(steps: list[dict], _=_same) -> dict[str, bytes]:
    return {key: _png(fig) for key, fig in run_figures(steps, _).items()}


HEADROOM = 1.25  # the y axis reaches this far above the highest value


def _from_zero(ax, values) -> None:
    """The y axis from zero to a quarter above the highest value: a line that hardly moves sits inside the plot
    with its legend above it, not on the top edge where it looks like no line at all."""
    finite = np.asarray([v for v in values if v is not None], float)
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size else 0.0
    ax.set_ylim(0, top * HEADROOM if top > 0 else 1.0)


def _whole_ticks(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


MAX_LABELS = 60  # position labels beyond this are thinned out
COLUMN_INCHES = 0.22  # the most a position's column of an attention map takes: one position is a narrow strip
MAP_MARGIN_INCHES = 1.5  # the block labels and the colour bar beside it
FEW_POSITIONS, FEW_ROWS = 4, 48  # a map this small has its weights written in its cells


def attention_map(title: str, attention: list, labels: list[str], _=_same) -> bytes:
    """One step's attention: a row per block and head, a column per position attended over. A short context draws
    narrow (a one-token prompt's first step is one column, its weights all 1), a long one the page's width."""
    from matplotlib.colors import ListedColormap

    blocks = [(b, np.asarray(a, float)) for b, a in enumerate(attention) if a is not None]
    rows = np.concatenate([a for _b, a in blocks]) if blocks else np.zeros((1, len(labels)))
    heads = blocks[0][1].shape[0] if blocks else 1
    cmap = ListedColormap(np.array(palette.ramp(*palette.ATTENTION_RAMP)) / 255)
    height = min(9.0, 1.2 + 0.09 * len(rows))
    width = min(7.5, MAP_MARGIN_INCHES + COLUMN_INCHES * max(len(labels), 1))
    fig, ax = plt.subplots(figsize=(width, height))
    image = ax.imshow(rows, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    if len(labels) <= FEW_POSITIONS and len(rows) <= FEW_ROWS:  # a few cells: their weights written in them
        for (r, c), v in np.ndenumerate(rows):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=5.5, color="white" if v > 0.55 else "#333")
    ticks = [i * heads + heads / 2 - 0.5 for i in range(len(blocks))]
    every = max(1, len(blocks) // 24)
    ax.set_yticks(ticks[::every], [_("block {0}").format(b) for b, _a in blocks][::every], fontsize=6)
    for i in range(1, len(blocks)):
        ax.axhline(i * heads - 0.5, color="white", lw=0.6)
    step = max(1, len(labels) // MAX_LABELS)
    ax.set_xticks(range(0, len(labels), step), [units.token(t, quoted=False) for t in labels[::step]], rotation=90, fontsize=6)
    ax.set_title(title, fontsize=9)
    bar = 0.12 / width  # the colour bar an eighth of an inch wide, whatever the map's width
    fig.colorbar(image, ax=ax, fraction=bar, pad=bar / 2).ax.tick_params(labelsize=6)
    return _png(fig)


def kl_per_position(kl: list[float], agree: list[bool], _=_same) -> bytes:
    """KL(A‖B) at each position of A's continuation; positions where the top tokens differ marked."""
    x = np.arange(1, len(kl) + 1)  # positions as people count them: the first token read is 1
    fig, ax = plt.subplots(figsize=(7.5, 2.2))
    ax.bar(x, kl, color=palette.ACCENT, width=0.8, label=_("KL(A‖B), nats"))
    bad = [i for i, a in enumerate(agree) if not a]
    if bad:
        ax.scatter([i + 1 for i in bad], [kl[i] for i in bad], color=palette.CHOSEN_MARK, zorder=3, s=14, label=_("top token differs"))
    ax.set_xlabel(_("position in A's continuation"), fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(labelsize=7)
    return _png(fig)


def drift_chart(points: list, _=_same) -> bytes:
    """B's residual stream against A's through the model (compare.drift.Drift.series): the drift after each sum as
    a line, what each sum added as a bar coloured by what it adds (attention, MLP, a whole block), the largest
    marked."""
    x = np.arange(len(points))
    fig, ax = plt.subplots(figsize=(7.5, 2.6))
    growth = [p.growth if p.growth is not None else p.rel_l2 for p in points]  # the embeddings: from zero
    labels = {"embeddings": _("what the embeddings add"), "attention": _("what the attention adds"),
              "mlp": _("what the MLP adds"), "block": _("what the block adds")}
    shown = set()
    for i, (p, g) in enumerate(zip(points, growth)):
        ax.bar(i, g, width=0.6, color=palette.DRIFT[p.kind], alpha=0.8,
               label=labels[p.kind] if p.kind not in shown else None)
        shown.add(p.kind)
    ax.plot(x, [p.rel_l2 for p in points], color=palette.DRIFT_LINE, marker="o", ms=3, lw=1.2,
            label=_("drift of the stream: ‖h_B − h_A‖ / ‖h_A‖"))
    if points and max(growth) > 0:
        top = int(np.argmax(growth))
        ax.annotate(_("largest step"), (top, max(growth[top], 0)), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, color=palette.CHOSEN_MARK,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    tick = {"embeddings": lambda p: _("embeddings"), "attention": lambda p: _("{0} attention").format(p.block),
            "mlp": lambda p: _("{0} MLP").format(p.block), "block": lambda p: _("block {0}").format(p.block)}
    every = max(1, len(points) // 40)
    ax.set_xticks(x[::every], [tick[p.kind](p) for p in points][::every], rotation=90 if len(points) > 12 else 0,
                  fontsize=6 if len(points) > 12 else 7)
    ax.axhline(0, color=palette.LABEL, lw=0.6)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def heads_map(heads: dict, _=_same) -> bytes:
    """Block × head, each cell in its role's colour (as strong as its score for that role; grey: none), with the
    loss rise when the head is switched off written in it (`heads`: engine/heads.py's HeadsReading.as_dict())."""
    from matplotlib.patches import Patch

    n_layer, n_head = heads["n_layer"], heads["n_head"]
    image = np.ones((n_layer, n_head, 3))
    for h in heads["heads"]:
        role = h["role"]
        strength = h["scores"][role] if h["scores"] and role in h["scores"] else 0.5
        rgb = palette.tint(palette.HEAD_ROLE[role], 0.35 + 0.65 * min(1.0, strength))
        image[h["block"], h["head"]] = [int(rgb[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    fig, ax = plt.subplots(figsize=(min(7.5, 1.6 + 0.55 * n_head), min(9.0, 1.0 + 0.4 * n_layer)))
    ax.imshow(image, aspect="auto", interpolation="nearest")
    if n_layer * n_head <= 400:
        for h in heads["heads"]:
            if h["loss_rise"] is not None:
                ax.text(h["head"], h["block"], f"{h['loss_rise']:+.2f}", ha="center", va="center", fontsize=6,
                        color=palette.PLOT_FOREGROUND)
    every_head, every_block = max(1, n_head // 16), max(1, n_layer // 24)
    ax.set_xticks(range(0, n_head, every_head), [str(i) for i in range(0, n_head, every_head)], fontsize=6)
    ax.set_yticks(range(0, n_layer, every_block), [_("block {0}").format(b) for b in range(0, n_layer, every_block)],
                  fontsize=6)
    ax.set_xlabel(_("head"), fontsize=8)
    ax.set_title(_("What each head does (in each cell: the loss rise with it switched off, nats)"), fontsize=8)
    ax.legend(handles=[Patch(color=palette.HEAD_ROLE[r], label=_(r)) for r in heads["roles"]], fontsize=6,
              frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(fig)
