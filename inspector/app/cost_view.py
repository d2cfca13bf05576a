"""Cost: what running the open model needs — memory by part along the context against this machine's, the decode
speed bound beside the last run's measured speed, and which common GPUs it fits.

It draws what session.cost holds (session/cost.py): the plan is the core's (inspector/plan), arithmetic on the
model's counts; nothing here reads a weight or makes a session.
"""

from __future__ import annotations

import functools
import html

import numpy as np

from .. import palette, units
from ..plan import messages as say
from . import gui_pulse, i18n
from .axes import WholeAxis, title_gives_way
from .columns import ColumnFit, compact_rows, measure_table
from .qt_compat import QtCore, QtGui, QtWidgets, pg
from .splitters import KeptSplitter
from .staging import PAUSE_MS

TB, GB, MB = 1e12, 1e9, 1e6
ROOM_ABOVE = 1.35  # the y range over the highest value: the legend's row and the limits' words sit there
LIMIT_IN_VIEW = 4.0  # the RAM line is drawn in the chart's range while it is at most this many times the stack
FILL_ALPHA = "c0"
SLIDER_STEPS = 1000  # the slider's positions; its value maps to a context on a square-root scale
FP16_ON_CPU = 2.28  # onnxruntime's CPU kernels hold fp16 weights as fp32 copies (plan/runtime_fit.json's fit)
SUMMARY_MIN_WIDTH = 260
SLIDER_TICK_MS = 30  # a dragged slider redraws at most this often
LEFT_AXIS_WIDTH = 52  # fixed: an axis that widened for "1,500" laid the plot out and painted it twice again


class CostChart(pg.PlotWidget):
    """Weights, KV cache and runtime stacked along the context, the limits as lines, the context on show marked."""

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"bottom": WholeAxis("bottom")})
        plot = self.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.disableAutoRange()  # draw() sets both ranges: no bounds sought over every item at each new curve
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.2)
        title_gives_way(plot)
        plot.getAxis("bottom").setLabel(self.tr("tokens of context"))
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)  # values shown are under 10,000 of the title's unit
        self.legend = plot.addLegend(offset=(8, 4), colCount=3)  # one row, in the headroom above the stack
        self.base = pg.PlotDataItem()
        self.tops = {key: pg.PlotDataItem(pen=pg.mkPen(colour, width=1)) for key, colour in palette.COST.items()}
        names = {"weights": self.tr("weights"), "kv_cache": self.tr("KV cache"), "runtime": self.tr("runtime")}
        below = self.base
        self.fills = []
        for key, top in self.tops.items():
            brush = pg.mkBrush(palette.COST[key] + FILL_ALPHA)
            self.fills.append(pg.FillBetweenItem(below, top, brush=brush))
            plot.addItem(self.fills[-1])
            plot.addItem(top)
            # the legend draws a sample from a curve's options (a fill between two curves has none)
            sample = pg.PlotDataItem(pen=pg.mkPen(palette.COST[key]), fillLevel=0, fillBrush=brush)
            self.legend.addItem(sample, names[key])
            below = top
        self.limit = pg.InfiniteLine(angle=0, pen=pg.mkPen(palette.COST_LIMIT, width=1.5, style=QtCore.Qt.DashLine))
        self.total = pg.InfiniteLine(angle=0, pen=pg.mkPen(palette.COST_LIMIT, width=1, style=QtCore.Qt.DotLine))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(palette.PLOT_FOREGROUND, width=1))
        for line in (self.limit, self.total, self.marker):
            plot.addItem(line)
        self.above = pg.TextItem(color=palette.COST_LIMIT, anchor=(1, 0))  # a limit far above the stack, said
        plot.addItem(self.above)
        self._drawn = None  # what the stack shows: (the curve, the limits)
        self._unit = self._above = None  # the title's unit and the words above the chart, as shown
        # the limits in view are named in the legend (a line's own label is lost where the lines crowd the axis)
        self.samples = {line: pg.PlotDataItem(pen=line.pen) for line in (self.total, self.limit)}
        self._named: list = []  # the legend's entries for limits, as shown

    def draw(self, curve: dict | None, context: int, limits: list[tuple[str, int | None]]) -> None:
        """`limits`: (label, bytes) — what there is in all, then what is free (None: not known).  The same curve
        again only moves the context's mark (a slider dragged redraws that alone)."""
        drawn = (id(curve), tuple(limits))
        if curve is not None and drawn == self._drawn:
            self.marker.setValue(context)
            return
        self._drawn = drawn
        if curve is None or not len(curve["context"]):
            for item in (self.base, *self.tops.values()):
                item.setData([], [])
            for line in (self.limit, self.total, self.marker):
                line.setVisible(False)
            if self._above:
                self._above = ""
                self.above.setText("")
            return
        x = curve["context"]
        total = float(np.nanmax(curve["total_bytes"]))
        unit, scale = ((self.tr("TB"), TB) if total >= 10 * TB else (self.tr("GB"), GB) if total >= GB
                       else (self.tr("MB"), MB))
        if unit != self._unit:  # a new title lays the plot out again: only when it changes
            self._unit = unit
            self.getPlotItem().setTitle(self.tr("Memory by context ({0})").format(unit))
        curves = (self.base, *self.tops.values())
        for item in curves:  # each fill's path is made once below, not again for each of its two curves
            item.blockSignals(True)
        try:
            self.base.setData(x, np.zeros_like(x))
            stacked = np.zeros_like(x)
            for key in ("weights", "kv_cache", "runtime"):
                stacked = stacked + curve[f"{key}_bytes"] / scale
                self.tops[key].setData(x, stacked)
        finally:
            for item in curves:
                item.blockSignals(False)
        for fill in self.fills:
            fill.updatePath()
        top = float(np.nanmax(stacked)) if len(stacked) else 1.0
        shown, said = top, []
        named = []
        for line, (label, value) in zip((self.total, self.limit), limits):
            if value is None:
                line.setVisible(False)
                continue
            level = value / scale
            line.setValue(level)
            in_view = level <= top * LIMIT_IN_VIEW
            line.setVisible(in_view)
            if in_view:
                shown = max(shown, level)
                named.append((self.samples[line], label))
            else:
                said.append(label)
        if named != self._named:
            for sample, _label in self._named:
                self.legend.removeItem(sample)
            for sample, label in named:
                self.legend.addItem(sample, label)
            self._named = named
        self.marker.setValue(context)
        self.marker.setVisible(True)
        plot = self.getPlotItem()
        plot.setXRange(1, max(2, float(x[-1])), padding=0.02)
        plot.setYRange(0, max(shown * ROOM_ABOVE, 1e-3), padding=0)
        above = "\n".join(self.tr("{0} (above this chart)").format(s) for s in said)
        if above != self._above:
            self._above = above
            self.above.setText(above)
        self.above.setPos(float(x[-1]), shown * ROOM_ABOVE)
        # the new ranges' transform now, not at the paint: the items it moves ask for their repaint before it
        # starts (at the paint, they asked for a second one)
        plot.getViewBox().updateMatrix()


class GpuTable(QtWidgets.QTableWidget):
    """The common GPUs: does the model fit as stored, only at int4, or not at all, and the bound there."""

    def __init__(self, parent=None):
        super().__init__(0, 6, parent)
        self.setHorizontalHeaderLabels([self.tr("GPU"), self.tr("Memory"), self.tr("Bandwidth"), self.tr("Needs"),
                                        self.tr("Verdict"), self.tr("Tokens/s bound")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.setWordWrap(False)
        compact_rows(self)
        self.fit = ColumnFit(self, self.horizontalHeader(), elastic=0)
        self.texts: list[list[str | None]] = []  # what each cell shows

    def fill(self, verdicts) -> None:
        """Texts changed in place (a slider dragged changes the needs and bounds, not the rows); the columns are
        measured again only when a text's length changed."""
        fresh = self.rowCount() != len(verdicts)
        if fresh:
            self.setRowCount(len(verdicts))
            self.texts = [[None] * self.columnCount() for _ in verdicts]
        for row, d in enumerate(verdicts):
            needs = units.nbytes(d.needs_bytes)
            if d.fits == say.FITS_INT4:
                needs = self.tr("{0} (int4: {1})").format(needs, units.nbytes(d.int4_needs_bytes))
            cells = [d.name, f"{d.memory_gb:.0f} GB", f"{d.bandwidth_gbs:,.0f} GB/s" if d.bandwidth_gbs else "–",
                     needs, i18n.core(d.fits), _rate(d.tokens_per_s_bound)]
            for col, text in enumerate(cells):
                old = self.texts[row][col]
                if text == old:
                    continue  # what is shown is kept as Python strings: no call into Qt for a cell that stays
                self.texts[row][col] = text
                fresh = fresh or old is None or len(text) != len(old)
                item = self.item(row, col)
                if item is None:
                    item = QtWidgets.QTableWidgetItem()
                    if col in (1, 2, 3, 5):
                        item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                    self.setItem(row, col, item)
                item.setText(text)
                if col == 4:
                    item.setForeground(pg.mkColor(palette.COST_SHORT if d.fits == say.DOES_NOT_FIT
                                                  else palette.COST_FITS))
        if fresh:
            self.fit.set_content(measure_table(self))


class SummaryText(QtWidgets.QTextBrowser):
    """The plan in words: rich text laid out once a change, in its own scrolling document.  (A word-wrapped QLabel
    in a scroll area laid its text out again for its height at each width the layout tried: 10 ms of the GUI
    thread's 38 at each batch or KV change on a 405B shape, against under 1 ms here.)"""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        palette_ = self.palette()  # the window's colour behind the words, as the label had
        palette_.setColor(QtGui.QPalette.Base, palette_.color(QtGui.QPalette.Window))
        self.setPalette(palette_)
        self._html = ""

    def setText(self, html_text: str) -> None:  # noqa: N802 - as QLabel's, which this replaced
        self._html = html_text
        self.setHtml(html_text)

    def text(self) -> str:
        """The rich text as set (QLabel's text())."""
        return self._html


class CostView(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.cost = session.cost
        self._filling = False
        self._lists = None  # (shape, GPUs) the choice lists were made for
        self._summary = ""  # the summary's text as set

        self.slider = QtWidgets.QSlider(QtCore.Qt.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.context_box = QtWidgets.QSpinBox()
        self.context_box.setRange(1, 1)
        self.context_box.setGroupSeparatorShown(True)
        self.context_box.setSuffix(self.tr(" tokens"))
        self.batch_box = QtWidgets.QSpinBox()
        self.batch_box.setRange(1, 64)
        self.kv_box = QtWidgets.QComboBox()
        self.device_box = QtWidgets.QComboBox()
        self.device_label = QtWidgets.QLabel(self.tr("Plan for"))
        self.status = QtWidgets.QLabel()
        self.status.setStyleSheet(f"color: {palette.LABEL}")

        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(self.tr("Context")))
        top.addWidget(self.slider, 1)
        top.addWidget(self.context_box)
        choices = QtWidgets.QHBoxLayout()
        for label, box in ((QtWidgets.QLabel(self.tr("Batch")), self.batch_box),
                           (QtWidgets.QLabel(self.tr("KV cache")), self.kv_box),
                           (self.device_label, self.device_box)):
            choices.addWidget(label)
            choices.addWidget(box)
            choices.addSpacing(8)
        choices.addWidget(self.status, 1)

        self.chart = CostChart()
        self.chart.setMinimumHeight(140)
        self.table = GpuTable()
        self.table.setMinimumHeight(90)
        self.summary = SummaryText()
        self.summary.setMinimumWidth(SUMMARY_MIN_WIDTH)

        self.left = KeptSplitter("cost/left", QtCore.Qt.Vertical)
        self.left.addWidget(self.chart)
        self.left.addWidget(self.table)
        self.left.default_sizes = lambda total: [total * 3 // 5, total - total * 3 // 5]
        self.split = KeptSplitter("cost/main", QtCore.Qt.Horizontal)
        self.split.addWidget(self.left)
        self.split.addWidget(self.summary)
        self.split.default_sizes = lambda total: [total * 3 // 5, total - total * 3 // 5]
        for s in (self.left, self.split):
            s.setChildrenCollapsible(False)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(choices)
        layout.addWidget(self.split, 1)

        self._pending: int | None = None  # a context asked for, applied at the next tick (a drag coalesces)
        self._tick = QtCore.QTimer(self, singleShot=True, interval=SLIDER_TICK_MS)
        self._tick.timeout.connect(self._apply_context)
        self.slider.valueChanged.connect(self._slid)
        self.context_box.valueChanged.connect(self._typed)
        self.batch_box.valueChanged.connect(lambda b: self._choose(batch=b))
        self.kv_box.activated.connect(lambda _i: self._choose(kv_dtype=self.kv_box.currentData() or None))
        self.device_box.activated.connect(lambda i: self._choose(device=i))
        self._stale = False  # something changed while the tab was hidden: drawn when it is shown
        # the table and the summary follow the chart a turn later, once it is painted: a new curve's drawing and
        # painting, then the words laid out and painted, each a turn of its own (mid-stream, each turn's work
        # takes three or four times as long on the wall as on the thread)
        self._words = QtCore.QTimer(self, singleShot=True, interval=PAUSE_MS)
        self._words.timeout.connect(self._draw_words)
        self.destroyed.connect(functools.partial(gui_pulse.release, id(self)))  # a view rebuilt while it held
        self.cost.changed.connect(self._changed)
        self.redraw()

    @property
    def words_pending(self) -> bool:
        """The chart is drawn, the table and the summary wait for their turn."""
        return self._words.isActive()

    def _changed(self) -> None:
        if self.isVisible():
            self.redraw()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.redraw()

    # ------------------------------------------------------------------ the controls
    def _context_at(self, position: int) -> int:
        """The slider on a square-root scale: the short contexts people use get room, the model's end stays in."""
        top = self.cost.max_context
        return max(1, min(top, round(1 + (top - 1) * (position / SLIDER_STEPS) ** 2)))

    def _position_of(self, context: int) -> int:
        top = self.cost.max_context
        return round(SLIDER_STEPS * ((context - 1) / max(1, top - 1)) ** 0.5) if top > 1 else SLIDER_STEPS

    def _slid(self, position: int) -> None:
        if not self._filling:
            self._pending = self._context_at(position)
            self._filling = True
            try:
                self.context_box.setValue(self._pending)
            finally:
                self._filling = False
            if not self._tick.isActive():
                self._tick.start()

    def _apply_context(self) -> None:
        if self._pending is not None:
            context, self._pending = self._pending, None
            self._choose(context=context)

    def _typed(self, context: int) -> None:
        if not self._filling:
            self._choose(context=context)

    def _choose(self, **choice) -> None:
        if not self._filling:
            self.cost.set_choices(**choice)

    def _fill_controls(self) -> None:
        """The controls as the session has them; their lists only when the model or the devices changed."""
        cost, shape = self.cost, self.cost.shape
        self._filling = True
        try:
            top = cost.max_context
            context = cost.context or top
            self.context_box.setRange(1, top)
            self.context_box.setValue(context)
            if self._pending is None and not self.slider.isSliderDown():
                self.slider.setValue(self._position_of(context))
            self.batch_box.setValue(cost.batch)
            lists = (id(shape), len(cost.gpus))
            if lists == self._lists:
                self.kv_box.setCurrentIndex(max(0, self.kv_box.findData(cost.kv_dtype or "")))
                self.device_box.setCurrentIndex(cost.device)
                return
            self._lists = lists
            self.kv_box.clear()
            exported = shape.cache_dtype if shape is not None else "fp32"
            self.kv_box.addItem(self.tr("as exported ({0})").format(exported), "")
            for kv in ("fp16", "fp32", "int8"):
                self.kv_box.addItem(kv, kv)
            self.kv_box.setCurrentIndex(max(0, self.kv_box.findData(cost.kv_dtype or "")))
            self.device_box.clear()
            self.device_box.addItem(self.tr("This machine's RAM"))
            for gpu in cost.gpus:
                self.device_box.addItem(gpu.name)
            self.device_box.setCurrentIndex(cost.device)
            has_gpu = bool(cost.gpus)
            self.device_box.setVisible(has_gpu)
            self.device_label.setVisible(has_gpu)
            for w in (self.slider, self.context_box, self.batch_box, self.kv_box, self.device_box):
                w.setEnabled(shape is not None)
        finally:
            self._filling = False

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        try:
            self._redraw()
        finally:
            self._hold()

    def _hold(self) -> None:
        """Workers give way (gui_pulse) while this tab, on show, waits for its worker's plan or draws it."""
        gui_pulse.hold(self, self.isVisible() and (self.cost.drawing or self._words.isActive()))

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        gui_pulse.hold(self, False)

    def _redraw(self) -> None:
        cost = self.cost
        self._stale = False
        self._fill_controls()
        if cost.shape is None or cost.point is None:
            self._words.stop()
        if cost.shape is None:
            self.status.setText(self.tr("Planning…") if cost.busy else "")
            self.chart.draw(None, 0, [])
            self.table.fill([])
            self._summary = (html.escape(cost.error) if cost.error else
                             self.tr("Open a model to see what running it needs.") if not cost.busy else "")
            self.summary.setText(self._summary)
            return
        self.status.setText(self.tr("Planning…") if cost.drawing and not cost.curve_current else "")
        plan = cost.point  # made on the session's worker: nothing is planned here
        context = cost.context or cost.max_context
        if plan is None:  # the model's first plans are on their way
            self.chart.draw(None, context, [])
            self.table.fill([])
            self._summary = ""
            self.summary.setText("")
            return
        target = cost.target
        if target.kind == "cuda":
            limits = [(self.tr("GPU memory {0}").format(units.nbytes(target.memory_bytes)), target.memory_bytes),
                      (self.tr("free {0}").format(units.nbytes(target.free_bytes)), target.free_bytes)]
        else:
            limits = [(self.tr("RAM {0}").format(units.nbytes(target.memory_bytes)), target.memory_bytes),
                      (self.tr("available {0}").format(units.nbytes(target.free_bytes)), target.free_bytes)]
        self.chart.draw(cost.curve, context, limits)
        if not self._words.isActive():
            self._words.start()

    def _draw_words(self) -> None:
        self._hold()
        plan = self.cost.point
        if plan is None or self.cost.shape is None:
            return
        self.table.fill(plan.devices)
        text = self.summary_html(plan)
        if text != self._summary:
            self._summary = text
            self.summary.setText(text)

    def summary_html(self, plan) -> str:
        cost, shape = self.cost, self.cost.shape
        heading = self.tr("At {0} tokens of context, batch {1}").format(f"{plan.context:,}", plan.batch)
        rows = [f"<b>{_h(heading)}</b>"]
        rt = plan.runtime
        per_token = units.nbytes(shape.cache_bytes_per_token(plan.kv_dtype))
        parts = [
            (self.tr("Weights"), plan.weights_bytes, self.tr("stored as {0}").format(shape.storage)),
            (self.tr("KV cache"), plan.kv_cache_bytes, self.tr("{0} a token, {1}").format(per_token, plan.kv_dtype)),
            (self.tr("Runtime"), plan.runtime_bytes, self.tr("process {0}, session {1}, activations {2}").format(
                units.nbytes(rt.get("process_bytes")), units.nbytes(rt.get("session_bytes")),
                units.nbytes(rt.get("activations_bytes")))),
            (self.tr("Total"), plan.total_bytes, ""),
        ]
        table = "".join(f"<tr><td style='color:{palette.LABEL}'>{_h(a)}</td><td align='right'><b>"
                        f"{_h(units.nbytes(b))}</b></td><td style='color:{palette.LABEL}'>&nbsp;{_h(c)}</td></tr>"
                        for a, b, c in parts)
        rows.append(f"<table cellspacing='2'>{table}</table>")
        if plan.available_bytes is not None:
            fits = plan.fits_this_machine
            colour = palette.COST_FITS if fits else palette.COST_SHORT
            word = self.tr("Fits:") if fits else self.tr("Does not fit:")
            needed = units.nbytes(plan.device_bytes if plan.provider == "cuda" else plan.host_bytes)
            free = units.nbytes(plan.available_bytes)
            said = (self.tr("needs {0} on {1}, {2} free").format(needed, plan.device, free)
                    if plan.provider == "cuda" else
                    self.tr("needs {0} of RAM, {1} available").format(needed, free))
            rows.append(f"<p><span style='color:{colour}'><b>{_h(word)}</b></span> {_h(said)}</p>")
        if shape.experts:
            moe = self.tr("Mixture of experts: all {0} experts are resident ({1}); a token reads {2} of them, so a "
                          "step reads {3}.")
            rows.append("<p>" + _h(moe.format(
                shape.experts, units.nbytes(shape.expert_bytes), shape.experts_per_token,
                units.nbytes(plan.bytes_per_token))) + "</p>")
        rows.append(self._speed_html(plan))
        rows.append(self._measured_html())
        if shape.storage in ("fp16", "bf16") and plan.provider == "cpu":
            rows.append(f"<p style='color:{palette.NOTE}'>" + _h(self.tr(
                "onnxruntime's CPU kernels hold fp16 weights as fp32 copies (about {0}× the stored bytes): the "
                "runtime above counts them.").format(f"{FP16_ON_CPU:.1f}")) + "</p>")
        for note in plan.notes:
            rows.append(f"<p style='color:{palette.NOTE}'>{_h(i18n.core(note))}</p>")
        rows.append(f"<p style='color:{palette.LABEL}'>" + _h(self.tr(
            "Planned for the whole context read at once (a prompt that long), from the model's counts and a runtime "
            "fitted to onnxruntime on real runs; nothing is loaded to plan it.")) + "</p>")
        return "".join(rows)

    def _speed_html(self, plan) -> str:
        if plan.tokens_per_s_bound is None:
            return "<p>" + _h(self.tr("Decode speed: no bound (the memory bandwidth is not known).")) + "</p>"
        source = {"measured": self.tr("measured here"), "published": self.tr("published")}.get(plan.bandwidth_source,
                                                                                     self.tr("unknown"))
        head = self.tr("Decode speed: at most {0} tokens/s").format(_rate(plan.tokens_per_s_bound))
        why = self.tr("A bound, not a forecast: each step reads {0} (the weights a token touches and its KV cache) at "
                 "{1} GB/s ({2}); real runs reach a fraction of it.").format(
            units.nbytes(plan.bytes_per_token), f"{plan.bandwidth_gbs:.1f}", source)
        return f"<p><b>{_h(head)}</b><br>{_h(why)}</p>"

    def _measured_html(self) -> str:
        m = self.cost.measured
        if m is None:
            none = self.tr("No run yet: a run in Generate puts its measured speed and peak memory here, beside the "
                           "plan.")
            return f"<p style='color:{palette.LABEL}'>{_h(none)}</p>"
        lines = [self.tr("Last run ({0} tokens of context, {1}):").format(f"{m.context:,}", m.provider)]
        bound = m.plan.tokens_per_s_bound if m.plan is not None else None
        if m.tokens_per_s is not None:
            line = self.tr("measured {0} tokens/s").format(_rate(m.tokens_per_s))
            if bound:
                line += " · " + self.tr("bound {0} ({1} of it)").format(_rate(bound), f"{m.tokens_per_s / bound:.0%}")
            lines.append(line)
        if m.peak_rss:
            peak = self.tr("peak RSS {0} (the whole app, its window and plots too)")
            lines.append(peak.format(units.nbytes(m.peak_rss)))
            if m.plan is not None:
                planned = self.tr("planned {0} for a command-line run of it ({1} of that the process itself)")
                lines.append(planned.format(units.nbytes(m.plan.host_bytes),
                                            units.nbytes(m.plan.runtime.get("process_bytes"))))
        return "<p>" + "<br>".join(_h(x) for x in lines) + "</p>"

def _h(text: str) -> str:
    return html.escape(text, quote=False)


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
