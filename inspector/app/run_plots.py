"""Live latency, tokens/s and memory of a run (the Generate tab's right side), drawn from engine.metrics'
step series by the view's redraw timer, never once per token."""

from __future__ import annotations

import numpy as np

from .. import palette
from .qt_compat import pg

LINE_WIDTH = 1.5
TTFT_SYMBOL_SIZE = 9


class RunPlots(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.lat_plot = self.addPlot(row=0, col=0, title="latency per token (ms)")
        self.tps_plot = self.addPlot(row=1, col=0, title="tokens / s")
        self.rss_plot = self.addPlot(row=2, col=0, title="process RSS (MB)")
        self.gpu_plot = self.addPlot(row=3, col=0, title="GPU memory (MB)")
        for p in (self.lat_plot, self.tps_plot, self.rss_plot, self.gpu_plot):
            p.setDownsampling(mode="peak")
            p.setClipToView(True)
        pen = lambda colour: pg.mkPen(colour, width=LINE_WIDTH)  # noqa: E731
        self.lat_curve = self.lat_plot.plot(pen=pen(palette.ACCENT))
        self.ttft_point = self.lat_plot.plot(pen=None, symbol="o", symbolBrush=palette.TTFT,
                                             symbolSize=TTFT_SYMBOL_SIZE)
        self.ttft_label = pg.TextItem(color=palette.TTFT, anchor=(0, 1))
        self.lat_plot.addItem(self.ttft_label)
        self.tps_curve = self.tps_plot.plot(pen=pen(palette.THROUGHPUT))
        self.rss_curve = self.rss_plot.plot(pen=pen(palette.RSS))
        self.gpu_curve = self.gpu_plot.plot(pen=pen(palette.GPU))
        self.gpu_plot.setVisible(False)
        self._ttft_shown = None

    def clear_run(self) -> None:
        for c in (self.lat_curve, self.ttft_point, self.tps_curve, self.rss_curve, self.gpu_curve):
            c.setData([], [])
        self.ttft_label.setText("")
        self._ttft_shown = None

    def show_gpu(self, on: bool) -> None:
        self.gpu_plot.setVisible(on)

    def draw(self, d: dict[str, np.ndarray]) -> None:
        """`d`: engine.metrics.step_series."""
        if not len(d["x"]):
            return
        self.lat_curve.setData(d["x"][1:], d["latency_ms"][1:])
        if self._ttft_shown != d["latency_ms"][0]:  # set only when it changes
            self._ttft_shown = d["latency_ms"][0]
            self.ttft_point.setData(d["x"][:1], d["latency_ms"][:1])
            self.ttft_label.setText(f"TTFT {d['latency_ms'][0]:.1f} ms")
            self.ttft_label.setPos(1, d["latency_ms"][0])
        self.tps_curve.setData(d["x"][1:], d["tokens_per_s"][1:])
        self.rss_curve.setData(d["x"], d["rss_mb"])
        if np.isfinite(d["gpu_mb"]).any():
            self.gpu_plot.setVisible(True)
            self.gpu_curve.setData(d["x"], d["gpu_mb"])
