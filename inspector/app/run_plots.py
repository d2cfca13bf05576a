"""Live latency, tokens/s and memory of a run (the Generate tab's right side), drawn from engine.metrics'
step series by the view's redraw timer, never once per token.

The ranges are set here rather than left to autoscale: autoscale draws one point with a 16-digit axis and
stretches 0.05 MB of memory noise over the whole height."""

from __future__ import annotations

import numpy as np

from .. import palette
from .axes import WholeAxis, zero_based
from .qt_compat import pg

LINE_WIDTH = 1.5
TTFT_SYMBOL_SIZE = 9
EMPTY_TOKENS = 16  # the x span before a run has that many tokens
MEMORY_FLOOR_MB = 64  # the smallest memory span drawn
KEEP_DOWN_TO = 0.6  # a y range is kept while its data's top stays above this share of it
HEADROOM_GROWTH = 1.2  # a y range that must grow grows by this much more


class RunPlots(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.lat_plot = self._plot(0, self.tr("latency per token (ms)"))
        self.tps_plot = self._plot(1, self.tr("tokens / s"))
        self.rss_plot = self._plot(2, self.tr("process RSS (MB)"))
        self.gpu_plot = self._plot(3, self.tr("GPU memory (MB)"))
        self.gpu_plot.getAxis("bottom").setLabel(self.tr("token"))
        self.rss_plot.getAxis("bottom").setLabel(self.tr("token"))
        pen = lambda colour: pg.mkPen(colour, width=LINE_WIDTH)  # noqa: E731
        self.lat_curve = self.lat_plot.plot(pen=pen(palette.ACCENT))
        self.ttft_point = self.lat_plot.plot(pen=None, symbol="o", symbolBrush=palette.TTFT,
                                             symbolSize=TTFT_SYMBOL_SIZE)
        self.ttft_label = pg.TextItem(color=palette.TTFT, anchor=(-0.15, 0.5))  # right of its point, inside the frame
        self.lat_plot.addItem(self.ttft_label)
        self.tps_curve = self.tps_plot.plot(pen=pen(palette.THROUGHPUT))
        self.rss_curve = self.rss_plot.plot(pen=pen(palette.RSS))
        self.gpu_curve = self.gpu_plot.plot(pen=pen(palette.GPU))
        self.gpu_plot.setVisible(False)
        self._ttft_shown = None
        self._ranges: dict = {}  # the range each plot shows: set again only when the data leaves it
        self.clear_run()

    def _plot(self, row: int, title: str):
        p = self.addPlot(row=row, col=0, title=title, axisItems={"bottom": WholeAxis("bottom")})
        p.setDownsampling(mode="peak")
        p.setClipToView(True)
        p.setMouseEnabled(x=False, y=False)
        p.hideButtons()
        p.getAxis("left").setWidth(48)  # the plots' left edges line up whatever their numbers
        if row:
            p.setXLink(self.lat_plot)
        return p

    def plots(self):
        return (self.lat_plot, self.tps_plot, self.rss_plot, self.gpu_plot)

    def clear_run(self) -> None:
        for c in (self.lat_curve, self.ttft_point, self.tps_curve, self.rss_curve, self.gpu_curve):
            c.setData([], [])
        self.ttft_label.setText("")
        self._ttft_shown = None
        self._ranges = {}
        self.lat_plot.setXRange(0, EMPTY_TOKENS, padding=0)
        for p in self.plots():
            p.setYRange(0, MEMORY_FLOOR_MB if p in (self.rss_plot, self.gpu_plot) else 1, padding=0)

    def show_gpu(self, on: bool) -> None:
        self.gpu_plot.setVisible(on)
        self.rss_plot.getAxis("bottom").showLabel(not on)

    def draw(self, d: dict[str, np.ndarray]) -> None:
        """`d`: engine.metrics.step_series."""
        n = len(d["x"])
        if not n:
            return
        self.lat_curve.setData(d["x"][1:], d["latency_ms"][1:])
        if self._ttft_shown != d["latency_ms"][0]:  # set only when it changes
            self._ttft_shown = d["latency_ms"][0]
            self.ttft_point.setData(d["x"][:1], d["latency_ms"][:1])
            self.ttft_label.setText(self.tr("TTFT {0} ms").format(f"{d['latency_ms'][0]:.1f}"))
            self.ttft_label.setPos(d["x"][0], d["latency_ms"][0])
        self.tps_curve.setData(d["x"][1:], d["tokens_per_s"][1:])
        self.rss_curve.setData(d["x"], d["rss_mb"])
        # x grows a page of tokens at a time; each y range is set again only when the data outgrows it or shrinks
        # well inside it (setting a range re-lays out the axes: at 20 Hz on four plots that showed as GUI stalls)
        pages = -(-int(d["x"][-1]) // EMPTY_TOKENS) * EMPTY_TOKENS
        self._set(self.lat_plot, "x", (float(d["x"][0]) - 0.5, max(pages, EMPTY_TOKENS) + 0.5))
        self._set(self.lat_plot, "y", zero_based(d["latency_ms"], floor=1))
        self._set(self.tps_plot, "y", zero_based(d["tokens_per_s"][1:], floor=1))
        self._set(self.rss_plot, "y", zero_based(d["rss_mb"], floor=MEMORY_FLOOR_MB))
        if np.isfinite(d["gpu_mb"]).any():
            self.show_gpu(True)
            self.gpu_curve.setData(d["x"], d["gpu_mb"])
            self._set(self.gpu_plot, "y", zero_based(d["gpu_mb"], floor=MEMORY_FLOOR_MB))

    def _set(self, plot, axis: str, span: tuple[float, float]) -> None:
        lo, hi = span
        shown = self._ranges.get((plot, axis))
        if axis == "y" and shown is not None and shown[0] == lo and hi <= shown[1] and hi >= shown[1] * KEEP_DOWN_TO:
            return
        if shown == (lo, hi):
            return
        if axis == "y":
            hi = hi * HEADROOM_GROWTH if shown is not None and hi > shown[1] else hi  # a rising line: fewer resets
            plot.setYRange(lo, hi, padding=0)
        else:
            plot.setXRange(lo, hi, padding=0)
        self._ranges[(plot, axis)] = (lo, hi)
