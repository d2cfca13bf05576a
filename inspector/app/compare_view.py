"""Compare: the open model (A) against another (B), or every variant of its folder against the float one.

The work runs in a CompareWorker (progress, Cancel); this view shows the result: the layers ranked by how
much they changed, the selected tensor's difference histogram and both value histograms, the KL divergence per
position with the continuation beneath it (where B's top token differs, marked) — or the variants' table.
"""

from __future__ import annotations

import html

import numpy as np

from .. import palette, units
from . import i18n
from .i18n import plural
from .qt_compat import QtCore, QtGui, QtWidgets, pg
from .workers import CompareWorker, reaper, start_in_thread

PROGRESS_STEPS = 1000
DEFAULT_TOKENS = 32
EMPTY, PAIR, VARIANTS = range(3)
QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP  # under this name lupdate finds the strings; shown translated
LAYER_COLUMNS = [
    QT_TRANSLATE_NOOP("CompareView", "layer"), QT_TRANSLATE_NOOP("CompareView", "rel L2"),
    QT_TRANSLATE_NOOP("CompareView", "max |B−A|"), QT_TRANSLATE_NOOP("CompareView", "cosine"),
    QT_TRANSLATE_NOOP("CompareView", "bits/param A → B")]
TENSOR_COLUMNS = [
    QT_TRANSLATE_NOOP("CompareView", "tensor (A)"), QT_TRANSLATE_NOOP("CompareView", "tensor (B)"),
    QT_TRANSLATE_NOOP("CompareView", "role"), QT_TRANSLATE_NOOP("CompareView", "rel L2"),
    QT_TRANSLATE_NOOP("CompareView", "max |B−A|"), QT_TRANSLATE_NOOP("CompareView", "cosine"),
    QT_TRANSLATE_NOOP("CompareView", "B stored as")]
VARIANT_COLUMNS = [
    QT_TRANSLATE_NOOP("CompareView", "file"), QT_TRANSLATE_NOOP("CompareView", "size"),
    QT_TRANSLATE_NOOP("CompareView", "bits/param"), QT_TRANSLATE_NOOP("CompareView", "mean KL (nats)"),
    QT_TRANSLATE_NOOP("CompareView", "p99 KL"), QT_TRANSLATE_NOOP("CompareView", "top-1 agreement"),
    QT_TRANSLATE_NOOP("CompareView", "first differs at"), QT_TRANSLATE_NOOP("CompareView", "tokens/s"),
    QT_TRANSLATE_NOOP("CompareView", "stored as")]
HINT = QT_TRANSLATE_NOOP("CompareView", "<b>Compare</b> the open model with another — a quantized file of the same "
                         "folder, a fine-tune beside its base — weight by weight and token by token; or every file of "
                         "its folder against the float one.")


class _Item(QtWidgets.QTableWidgetItem):
    """A cell that sorts by its number where it has one (a size sorts by bytes, not by its text)."""

    def __lt__(self, other) -> bool:
        a, b = self.data(QtCore.Qt.UserRole), other.data(QtCore.Qt.UserRole)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return self.text() < other.text()


def _item(value, text: str | None = None) -> QtWidgets.QTableWidgetItem:
    item = _Item(text if text is not None else str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        item.setData(QtCore.Qt.UserRole, value)
        item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
    return item


def _table(columns: list[str]) -> QtWidgets.QTableWidget:
    t = QtWidgets.QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels([i18n.translate("CompareView", c) for c in columns])
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
    t.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class CompareView(QtWidgets.QWidget):
    compare_with = QtCore.Signal()  # the user asks to choose B
    compare_variants = QtCore.Signal()  # … or to compare every variant of A's folder
    error = QtCore.Signal(str, str)
    finished = QtCore.Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.worker: CompareWorker | None = None
        self.thread = None
        self.result = None
        self._job = None  # the last job's (make_job, title): Compare again reruns it with the new prompt

        self.title = QtWidgets.QLabel()
        self.prompt = QtWidgets.QLineEdit("The meaning of life is")
        self.prompt.setToolTip(self.tr("A's greedy continuation of this prompt is read by both models"))
        self.tokens = QtWidgets.QSpinBox(minimum=1, maximum=4096, value=DEFAULT_TOKENS)
        self.again_btn = QtWidgets.QPushButton(self.tr("Compare again"))
        self.again_btn.clicked.connect(self.rerun)
        self.with_btn = QtWidgets.QPushButton(self.tr("Compare With…"))
        self.with_btn.clicked.connect(self.compare_with)
        self.variants_btn = QtWidgets.QPushButton(self.tr("Compare All Variants"))
        self.variants_btn.clicked.connect(self.compare_variants)
        self.progress = QtWidgets.QProgressBar(maximum=PROGRESS_STEPS, maximumWidth=220)
        self.progress_label = QtWidgets.QLabel()
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel)
        header = QtWidgets.QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(QtWidgets.QLabel(self.tr("prompt")))
        header.addWidget(self.prompt, 1)
        header.addWidget(QtWidgets.QLabel(self.tr("tokens")))
        header.addWidget(self.tokens)
        for w in (self.again_btn, self.with_btn, self.variants_btn, self.progress_label, self.progress,
                  self.cancel_btn):
            header.addWidget(w)

        self.pages = QtWidgets.QStackedWidget()
        hint = QtWidgets.QLabel(self.tr(HINT) + "<p>" + self.tr("File → Compare With… or File → Compare All Variants.") + "</p>")
        hint.setWordWrap(True)
        hint.setAlignment(QtCore.Qt.AlignCenter)
        self.pages.addWidget(hint)
        self.pages.addWidget(self._pair_page())
        self.pages.addWidget(self._variants_page())

        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(header)
        lay.addWidget(self.pages, 1)
        self.set_model(None)
        self._busy(False)

    # ------------------------------------------------------------------ pages
    def _pair_page(self) -> QtWidgets.QWidget:
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(QtCore.Qt.RichText)
        self.layers = _table(LAYER_COLUMNS)
        self.layers.itemSelectionChanged.connect(self._layer_selected)
        self.tensors = _table(TENSOR_COLUMNS)
        self.tensors.itemSelectionChanged.connect(self._tensor_selected)
        self.unmatched = QtWidgets.QLabel()
        self.unmatched.setWordWrap(True)
        left = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        top = QtWidgets.QWidget()
        tl = QtWidgets.QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.summary)
        tl.addWidget(QtWidgets.QLabel(self.tr("<b>Layers</b>, the most changed first (rel L2 = ‖B − A‖ / ‖A‖)")))
        tl.addWidget(self.layers, 1)
        bottom = QtWidgets.QWidget()
        bl = QtWidgets.QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QtWidgets.QLabel(self.tr("<b>Tensors</b> of the selected layer")))
        bl.addWidget(self.tensors, 1)
        bl.addWidget(self.unmatched)
        left.addWidget(top)
        left.addWidget(bottom)

        self.diff_plot = pg.PlotWidget(title=self.tr("B − A, the selected tensor"))
        self.value_plot = pg.PlotWidget(title=self.tr("values of A and B"))
        self.value_plot.addLegend(offset=(-10, 10))
        self.kl_plot = pg.PlotWidget(title=self.tr("KL(A ‖ B) per position of A's continuation (nats)"))
        for p in (self.diff_plot, self.value_plot, self.kl_plot):
            p.setMouseEnabled(y=False)
        self.text = QtWidgets.QTextBrowser()
        self.text.setMaximumHeight(110)
        right = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        hists = QtWidgets.QSplitter()
        hists.addWidget(self.diff_plot)
        hists.addWidget(self.value_plot)
        tokens = QtWidgets.QWidget()
        kl = QtWidgets.QVBoxLayout(tokens)
        kl.setContentsMargins(0, 0, 0, 0)
        kl.addWidget(self.kl_plot, 1)
        self.tokens_label = QtWidgets.QLabel()
        self.tokens_label.setWordWrap(True)
        kl.addWidget(self.tokens_label)
        kl.addWidget(self.text)
        right.addWidget(hists)
        right.addWidget(tokens)
        split = QtWidgets.QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([560, 880])
        return split

    def _variants_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.variants_title = QtWidgets.QLabel()
        self.variants_title.setWordWrap(True)
        self.variants = _table(VARIANT_COLUMNS)
        self.variants.setSortingEnabled(True)
        lay.addWidget(self.variants_title)
        lay.addWidget(self.variants, 1)
        return page

    # ------------------------------------------------------------------ model and work
    def set_model(self, census) -> None:
        """A new model: the old comparison no longer applies."""
        self.cancel()
        self.result, self._job = None, None
        self.pages.setCurrentIndex(EMPTY)
        self.title.setText("")
        has = census is not None
        source = census.model.source if has else None
        self.with_btn.setEnabled(has)
        self.variants_btn.setEnabled(bool(source and len(source.variants) > 1))
        self.again_btn.setEnabled(False)

    def start(self, make_job, title: str) -> None:
        """`make_job(prompt, tokens)` returns the job (progress, cancelled) → result, run in a worker."""
        self.cancel()
        self._job = (make_job, title)
        self.title.setText(title)
        job = make_job(self.prompt.text(), self.tokens.value())
        self.worker = CompareWorker(job)
        self.worker.progress.connect(self._on_progress)
        self.worker.compared.connect(self._on_compared)
        self.worker.failed.connect(self._on_failed)
        self.worker.done.connect(self._on_done)
        self._busy(True)
        self.thread = start_in_thread(self.worker, self.worker.run)

    def rerun(self) -> None:
        if self._job is not None:
            self.start(*self._job)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            for sig in (self.worker.progress, self.worker.compared, self.worker.failed, self.worker.done):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        reaper().retire(self.thread, self.worker)
        self.worker = self.thread = None
        self._busy(False)

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def _busy(self, busy: bool) -> None:
        for w in (self.progress, self.progress_label, self.cancel_btn):
            w.setVisible(busy)
        self.again_btn.setEnabled(not busy and self._job is not None)
        if busy:
            self.progress.setValue(0)

    def _stale(self) -> bool:
        """A signal from a worker replaced meanwhile (queued before it was): dropped."""
        return self.sender() is not self.worker

    @QtCore.Slot(float, object)
    def _on_progress(self, fraction: float, message) -> None:
        if self._stale():
            return
        self.progress.setValue(int(fraction * PROGRESS_STEPS))
        self.progress_label.setText(i18n.progress(message)[:60])

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if self._stale():
            return
        self._finish()
        self.error.emit(message, details)

    @QtCore.Slot()
    def _on_done(self) -> None:
        if not self._stale():  # a cancelled job: nothing came, the worker has ended
            self._finish()

    def _finish(self) -> None:
        """The worker's answer is in: the view is idle again at once (its `done` may still be queued)."""
        reaper().retire(self.thread, self.worker)
        self.worker = self.thread = None
        self._busy(False)

    @QtCore.Slot(object)
    def _on_compared(self, result) -> None:
        if self._stale():
            return
        self._finish()
        self.result = result
        if isinstance(result, list):
            self.show_variants(result)
        else:
            self.show_comparison(result)
        self.finished.emit(result)

    # ------------------------------------------------------------------ a pair
    def show_comparison(self, c) -> None:
        self.pages.setCurrentIndex(PAIR)
        a, b = c.a, c.b
        self.summary.setText(
            "<br>".join(self.tr("<b>{0}</b> {1}: {2}, {3} bits/param, {4}").format(
                side, html.escape(m.name), html.escape(i18n.core(m.stored_as)), units.number(m.bits_per_parameter, 3),
                units.nbytes(m.bytes)) for side, m in (("A", a), ("B", b)))
            + "<br>" + plural(len(c.weights.tensors), self.tr("{0} tensor matched by layer and role"),
                              self.tr("{0} tensors matched by layer and role")))
        self.layers.setRowCount(len(c.weights.layers))
        for r, layer in enumerate(c.weights.layers):
            d = layer.as_dict()
            cells = [_item(layer.name), _item(d["rel_l2"], units.number(d["rel_l2"], 4)),
                     _item(d["max_abs"], units.number(d["max_abs"], 4)), _item(d["cosine"], units.number(d["cosine"], 6)),
                     _item(None, f"{units.number(d['bits_per_parameter_a'], 3)} → "
                                 f"{units.number(d['bits_per_parameter_b'], 3)}")]
            for col, it in enumerate(cells):
                self.layers.setItem(r, col, it)
        self.layers.resizeColumnsToContents()
        un = c.weights.unmatched
        self.unmatched.setText("" if not un else "<b>" + self.tr("Unmatched:") + "</b> " + "; ".join(
            f"{u['side']} {html.escape(u['name'])} ({html.escape(i18n.core(u['why']))})" for u in un))
        if c.weights.layers:
            self.layers.selectRow(0)
        self._show_tokens(c.tokens)

    def _layer_tensors(self) -> list:
        rows = self.layers.selectionModel().selectedRows() if self.result is not None else []
        if not rows or isinstance(self.result, list):
            return []
        return self.result.weights.layers[rows[0].row()].tensors

    def _layer_selected(self) -> None:
        ts = self._layer_tensors()
        self.tensors.setRowCount(len(ts))
        for r, t in enumerate(ts):
            cells = [_item(t.name_a), _item(t.name_b), _item(f"{t.role} {t.kind}"),
                     _item(t.rel_l2, units.number(t.rel_l2, 4)), _item(t.max_abs, units.number(t.max_abs, 4)),
                     _item(t.cosine, units.number(t.cosine, 6)), _item(t.scheme_b)]
            for col, it in enumerate(cells):
                self.tensors.setItem(r, col, it)
        self.tensors.resizeColumnsToContents()
        if ts:
            worst = max(range(len(ts)), key=lambda i: ts[i].rel_l2 or 0.0)
            self.tensors.selectRow(worst)

    def selected_tensor(self):
        ts = self._layer_tensors()
        rows = self.tensors.selectionModel().selectedRows()
        return ts[rows[0].row()] if ts and rows and rows[0].row() < len(ts) else None

    def _tensor_selected(self) -> None:
        t = self.selected_tensor()
        self.diff_plot.clear()
        self.value_plot.clear()
        if t is None:
            return
        d = t.diff_hist
        self.diff_plot.plot(np.asarray(d["edges"]), np.asarray(d["counts"], float), stepMode="center", fillLevel=0,
                            brush=pg.mkBrush(palette.ACCENT + "80"), pen=pg.mkPen(palette.ACCENT, width=1.5))
        self.diff_plot.setTitle(f"B − A: rel L2 {units.number(t.rel_l2, 3)}, max {units.number(t.max_abs, 3)}")
        self.diff_plot.setToolTip(self.tr("{0} (A) and {1} (B)").format(t.name_a, t.name_b))
        v = t.value_hist
        edges = np.asarray(v["edges"])
        for label, key, colour in (("A", "counts_a", palette.WEIGHT), ("B", "counts_b", palette.BIAS)):
            self.value_plot.plot(edges, np.asarray(v[key], float), stepMode="center", fillLevel=0,
                                 brush=pg.mkBrush(colour + "50"), pen=pg.mkPen(colour, width=1.5), name=label)

    def _show_tokens(self, t) -> None:
        self.kl_plot.clear()
        if t is None:
            self.tokens_label.setText(self.tr("Weights only: give a prompt and press Compare again for the tokens."))
            self.text.clear()
            return
        x = np.arange(len(t.kl))
        self.kl_plot.addItem(pg.BarGraphItem(x=x, height=np.asarray(t.kl), width=0.8, brush=palette.ACCENT))
        bad = [i for i, a in enumerate(t.top1_agree) if not a]
        if bad:
            self.kl_plot.plot(bad, [t.kl[i] for i in bad], pen=None, symbol="o", symbolBrush=palette.CHOSEN_MARK,
                              symbolSize=7)
        first = t.first_divergence
        self.tokens_label.setText(
            self.tr("KL mean {0} nats, p99 {1}; top-1 agreement {2}; ").format(
                units.number(t.kl_mean, 3), units.number(t.kl_p99, 3), units.percent(t.top1_agreement))
            + (self.tr("B's own choice first differs at position {0}").format(first) if first is not None
               else self.tr("B chooses the same"))
            + "".join("; " + self.tr("{0} {1} tokens/s").format(label, units.number(s.tokens_per_s, 4))
                      for label, s in (("A", t.speed_a), ("B", t.speed_b)) if s))
        marked = palette.tint(palette.CHOSEN_MARK, 0.3)
        parts = []
        for i, (tid, agree) in enumerate(zip(t.ids, t.top1_agree)):
            text = html.escape(units.token(t.texts.get(tid, str(tid)), quoted=False))
            if agree:
                parts.append(f"<span>{text}</span>")
            else:
                b = html.escape(units.token(t.texts.get(t.b_ids[i], str(t.b_ids[i]))))
                parts.append(f'<span style="background-color:{marked}" title="B: {b}">{text}</span>')
        self.text.setHtml(f'<div style="font-size: 12pt; white-space: pre-wrap">{"".join(parts)}</div>'
                          "<p style='color:#666'>" + self.tr("Shaded: where B's top token differs from A's.") + "</p>")

    # ------------------------------------------------------------------ every variant
    def show_variants(self, rows) -> None:
        self.pages.setCurrentIndex(VARIANTS)
        self.variants_title.setText(
            self.tr("Every file of the folder against the float one, reading the same continuation: "
                    "KL(reference ‖ file) per token, how often the top tokens agree, and the file's own decode speed."))
        self.variants.setSortingEnabled(False)
        self.variants.horizontalHeader().setSortIndicator(-1, QtCore.Qt.AscendingOrder)  # the reference first
        self.variants.setRowCount(len(rows))
        for r, v in enumerate(rows):
            agree = units.percent(v.top1_agreement) if v.top1_agreement is not None else "–"
            cells = [_item(v.file + (self.tr(" (reference)") if v.reference else "")), _item(v.bytes, units.nbytes(v.bytes)),
                     _item(v.bits_per_parameter, units.number(v.bits_per_parameter, 3)),
                     _item(v.kl_mean, units.number(v.kl_mean, 3)), _item(v.kl_p99, units.number(v.kl_p99, 3)),
                     _item(v.top1_agreement, agree),
                     _item(v.first_divergence, "–" if v.first_divergence is None else str(v.first_divergence)),
                     _item(v.tokens_per_s, units.number(v.tokens_per_s, 4)), _item(i18n.core(v.error or v.stored_as))]
            if v.error:
                cells[-1].setForeground(QtGui.QColor(palette.WARNING))
            for col, it in enumerate(cells):
                self.variants.setItem(r, col, it)
        self.variants.resizeColumnsToContents()
        self.variants.setSortingEnabled(True)
