"""Where B's residual stream leaves A's, block by block (compare.drift): the stream's drift after each residual sum
as a line, what each sum added as a bar coloured by what adds it (the embeddings, an attention, an MLP, a whole
block), the largest step marked, a legend, and the point under the mouse described in a tooltip.

The core computes (`Drift.series()`, `Drift.ranked`, `Drift.peak`, `Drift.note`); this only draws.
"""

from __future__ import annotations

import numpy as np

from .. import palette, units
from . import i18n
from .i18n import translate
from .axes import sparse_ticks, title_gives_way
from .qt_compat import QtCore, QtGui, QtWidgets, pg

TICK_PX = 56  # room a tick label needs: fewer labels on a narrow chart
RANKED_SHOWN = 3  # the blocks named under the chart, where the drift grows most first
BAR_WIDTH = 0.6
QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP
ADDS = {  # the legend's words for each kind of bar (the same kinds as palette.DRIFT)
    "embeddings": QT_TRANSLATE_NOOP("DriftChart", "what the embeddings add"),
    "attention": QT_TRANSLATE_NOOP("DriftChart", "what the attention adds"),
    "mlp": QT_TRANSLATE_NOOP("DriftChart", "what the MLP adds"),
    "block": QT_TRANSLATE_NOOP("DriftChart", "what the block adds")}



def point_name(p) -> str:
    """A place the stream was read, as a person names it: "embeddings", "block 3, after the attention"."""
    if p.kind == "embeddings":
        return translate("DriftChart", "the embeddings")
    if p.kind == "attention":
        return translate("DriftChart", "block {0}, after the attention").format(p.block)
    if p.kind == "mlp":
        return translate("DriftChart", "block {0}, after the MLP").format(p.block)
    return translate("DriftChart", "block {0}").format(p.block)


def tick_name(p) -> str:
    """The same, short enough for an axis."""
    if p.kind == "embeddings":
        return translate("DriftChart", "emb.")
    if p.kind == "attention":
        return translate("DriftChart", "{0} attn").format(p.block)
    if p.kind == "mlp":
        return translate("DriftChart", "{0} MLP").format(p.block)
    return str(p.block)


def peak_name(peak: str | None) -> str:
    """compare.drift.Drift.peak ("embeddings", "block N", "head") in the interface's language."""
    if not peak:
        return "–"
    if peak == "embeddings":
        return translate("DriftChart", "embeddings")
    if peak == "head":
        return translate("DriftChart", "LM head")
    return translate("DriftChart", "block {0}").format(peak.split()[-1])


class DriftChart(QtWidgets.QWidget):
    """The chart, and a line beneath it: where the drift grows most, or why there is no drift to show."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.3)
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # 0.005, not 5 with "(x0.001)" crowding the axis
        self.plot.setMinimumHeight(120)
        title_gives_way(self.plot)
        self.legend = QtWidgets.QLabel()  # beneath the chart: inside it, it covered the bars of a small pane
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.RichText)
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(QtCore.Qt.RichText)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.legend)
        lay.addWidget(self.caption)
        self.drift = None
        self.points: list = []
        self.hovered: int | None = None
        self._moved = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    # ------------------------------------------------------------------ drawing
    def set_drift(self, drift) -> None:
        """`drift`: a compare.drift.Drift, or None (nothing read: weights only)."""
        self.drift = drift
        self.points = drift.series() if drift is not None else []
        self.plot.clear()
        self.hovered = None
        self.plot.getPlotItem().setToolTip("")
        pts = self.points
        kinds = []
        if pts:
            growth = [self.bar_height(p) for p in pts]
            for kind, colour in palette.DRIFT.items():
                xs = [i for i, p in enumerate(pts) if p.kind == kind]
                if xs:
                    bars = pg.BarGraphItem(x=xs, height=[growth[i] for i in xs], width=BAR_WIDTH,
                                           brush=pg.mkBrush(colour + "cc"), pen=pg.mkPen(colour))
                    self.plot.addItem(bars)
                    kinds.append(kind)
            line = self.plot.plot(np.arange(len(pts)), [p.rel_l2 for p in pts], pen=pg.mkPen(palette.DRIFT_LINE, width=1.5),
                                  symbol="o", symbolSize=5, symbolBrush=palette.DRIFT_LINE, symbolPen=None)
            line.setZValue(2)
            top = self.largest_step()
            if top is not None:  # outlined, and named above it (kept inside the chart at either end)
                self.plot.addItem(pg.BarGraphItem(x=[top], height=[growth[top]], width=BAR_WIDTH, brush=None,
                                                  pen=pg.mkPen(palette.CHOSEN_MARK, width=2)))
                side = 0.0 if top == 0 else 1.0 if top == len(pts) - 1 else 0.5
                mark = pg.TextItem(translate("DriftChart", "largest step"), color=palette.CHOSEN_MARK, anchor=(side, 1.0))
                mark.setPos(top - BAR_WIDTH / 2 if side == 0.0 else top + BAR_WIDTH / 2 if side == 1.0 else top,
                            growth[top])
                self.plot.addItem(mark)
            self.plot.setXRange(-0.6, len(pts) - 0.4, padding=0)
            lo = min(0.0, *growth)
            hi = max(max(growth), max(p.rel_l2 for p in pts), 1e-12)
            self.plot.setYRange(lo, hi * 1.2, padding=0)
        self._ticks()
        self.legend.setText(self._legend(kinds) if pts else "")
        self.caption.setText(self._caption())

    @staticmethod
    def bar_height(p) -> float:
        """What the sum before this point added (the embeddings: all of their drift, from zero)."""
        return p.growth if p.growth is not None else p.rel_l2

    def largest_step(self) -> int | None:
        growth = [self.bar_height(p) for p in self.points]
        if not growth or max(growth) <= 0:
            return None
        return int(np.argmax(growth))

    def _ticks(self) -> None:
        labels = [tick_name(p) for p in self.points]
        most = max(2, self.plot.width() // TICK_PX)
        self.plot.getAxis("bottom").setTicks([sparse_ticks(labels, most)])

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._ticks()

    @staticmethod
    def _legend(kinds: list[str]) -> str:
        """The colours' meaning, one entry per kind of bar drawn, and the line's."""
        entries = [f"<span style='color:{palette.DRIFT[k]}'>■</span>&nbsp;" + translate("DriftChart", ADDS[k])
                   for k in kinds]
        entries.append(f"<span style='color:{palette.DRIFT_LINE}'>●—</span>&nbsp;"
                       + translate("DriftChart", "the stream's drift after each sum"))
        return "&nbsp;&nbsp; ".join(entries)

    def _caption(self) -> str:
        d = self.drift
        if d is None:
            return translate("DriftChart", "Drift per block: give a prompt and press Compare again.")
        parts = []
        if d.peak is not None:
            parts.append(translate("DriftChart", "Mean over {0} positions; grows most at: {1}.").format(d.positions, peak_name(d.peak)))
        elif self.points:
            parts.append(translate("DriftChart", "Mean over {0} positions: B's stream is A's all through.").format(d.positions))
        if len(d.ranked) > 1 or (d.ranked and d.peak != f"block {d.ranked[0].block}"):
            names = ", ".join(translate("DriftChart", "block {0}").format(b.block) for b in d.ranked[:RANKED_SHOWN])
            parts.append(translate("DriftChart", "Blocks by growth: {0}.").format(names))
        if d.note is not None:
            parts.append("<span style='color:%s'>%s</span>" % (palette.LABEL, i18n.core(d.note)))
        return " ".join(parts)

    # ------------------------------------------------------------------ the point under the mouse
    def describe(self, i: int) -> str:
        """Point i in words: where, the drift there, what the step added and, after a block, its rank."""
        p = self.points[i]
        where, drift = point_name(p), units.number(p.rel_l2, 3)
        if p.growth is None:
            return translate("DriftChart", "{0}: drift {1}").format(where, drift)
        block = next((b for b in self.drift.blocks if b.block == p.block), None)
        adds = units.number(p.growth, 3)
        if block is not None and block.rank is not None and p.kind in ("mlp", "block"):
            return translate("DriftChart", "{0}: drift {1}, this step adds {2} (the block ranks {3} by growth)").format(
                where, drift, adds, block.rank)
        return translate("DriftChart", "{0}: drift {1}, this step adds {2}").format(where, drift, adds)

    def _mouse_moved(self, event) -> None:
        pos = event[0]
        if not self.points or not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
        i = int(round(x))
        if not 0 <= i < len(self.points) or abs(x - i) > 0.5:
            self.hovered = None
            self.plot.getPlotItem().setToolTip("")
            return
        if i != self.hovered:
            self.hovered = i
            # on the plot item: the scene answers a tooltip event with its items' tooltips (and hides any other)
            self.plot.getPlotItem().setToolTip(self.describe(i))
            QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), self.describe(i), self.plot)
