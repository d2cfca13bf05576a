"""Axes that read as people count: parameters as 60M rather than 6e+07, tokens as whole numbers, ranges that
start at zero so a flat line looks flat."""

from __future__ import annotations

import math

from .. import units
from .qt_compat import pg

HEADROOM = 1.15  # above the highest value, so a line does not run along the frame


class CountAxis(pg.AxisItem):
    """Tick labels as 124M, 1.2B (the overview's per-layer parameters)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        return [units.count(v * scale) for v in values]


class WholeAxis(pg.AxisItem):
    """Ticks only at whole numbers: there is no token 2.5."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            if spacing < 1:
                continue
            levels.append((spacing, [v for v in values if float(v).is_integer()]))
        if not levels:  # a span under one token: still one tick per token
            levels = [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]
        return levels

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{int(round(v)):,}" for v in values]


def zero_based(values, floor: float = 1.0) -> tuple[float, float]:
    """A y range from 0 to a little over the largest value (at least `floor`): memory that barely moves is drawn
    flat instead of being stretched over the whole height."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top = max(finite) if finite else 0.0
    return 0.0, max(top * HEADROOM, floor)


def sparse_ticks(labels: list[str], most: int) -> list[tuple[int, str]]:
    """Every k-th label so that at most `most` show, always the first and last: 22 block names do not overlap."""
    if not labels:
        return []
    step = max(1, math.ceil(len(labels) / max(most, 1)))
    keep = set(range(0, len(labels), step)) | {len(labels) - 1}
    return [(i, labels[i]) for i in sorted(keep)]


def title_gives_way(plot) -> None:
    """A plot's title that never makes the plot wider than its pane: pyqtgraph holds a title's whole text as the
    plot's least width, so in a narrow pane the axes and a colour bar were cut off on the right instead."""
    label = plot.getPlotItem().titleLabel if hasattr(plot, "getPlotItem") else plot.titleLabel
    keep_height = label.updateMin

    def update_min():
        keep_height()
        label.setMinimumWidth(0)

    label.updateMin = update_min
    update_min()
