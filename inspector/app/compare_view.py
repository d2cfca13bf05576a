"""Compare: the open model (A) against another (B), or every variant of its folder against the float one.

The session's comparison (session/comparison.py) runs the work (progress, Cancel); this view shows the result:
the layers ranked by how much they changed, the selected tensor's difference histogram and both value
histograms, the KL divergence per position with the continuation beneath it (where B's top token differs,
marked) — or the variants' table, whose rows open the comparison of that file with the reference.
"""

from __future__ import annotations

import html

import numpy as np

from pathlib import Path

from .. import palette, units
from ..errors import safe_text
from . import i18n
from .axes import WholeAxis, title_gives_way
from .columns import PREFIX_ROLE, measure_table, shared_prefix
from .compare_tables import item as _item, table as _table
from .dialogs import ask_model_path
from .drift_chart import DriftChart
from .elided_label import ElidedLabel
from .i18n import plural
from .qt_compat import QtCore, QtWidgets, pg
from .session.comparison import VARIANTS as VARIANTS_TASK
from .scoreboard_table import ScoreboardTable
from .splitters import KeptSplitter
from .variants_page import VariantsPage

PROGRESS_STEPS = 1000
PLOT_TITLE_SIZE = "9pt"  # two histograms side by side keep their titles whole at 1024 px
EMPTY, PAIR, VARIANTS = range(3)
OUTPUTS_TAB, WEIGHTS_TAB = range(2)  # a pair's two tabs: what the models say, and their weights
SCORE_ROWS_EXPECTED = range(11)  # the scoreboard's rows with a text (room kept before it is filled)
TOKENS_MIN_PX = 130  # the continuation under the scoreboard keeps at least this much height
QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP  # under this name lupdate finds the strings; shown translated
LAYER_COLUMNS = [
    QT_TRANSLATE_NOOP("CompareView", "layer"), QT_TRANSLATE_NOOP("CompareView", "rel L2"),
    QT_TRANSLATE_NOOP("CompareView", "max |B−A|"), QT_TRANSLATE_NOOP("CompareView", "cosine"),
    QT_TRANSLATE_NOOP("CompareView", "bits/param A → B")]
TENSOR_COLUMNS = [  # the role first: it names a tensor within its layer whatever the exporter called it
    QT_TRANSLATE_NOOP("CompareView", "role"), QT_TRANSLATE_NOOP("CompareView", "rel L2"),
    QT_TRANSLATE_NOOP("CompareView", "max |B−A|"), QT_TRANSLATE_NOOP("CompareView", "cosine"),
    QT_TRANSLATE_NOOP("CompareView", "B stored as"), QT_TRANSLATE_NOOP("CompareView", "tensor")]
NAME_FLOOR_CHARS = 6  # the tensors' names give way first (each row's tooltip has them whole)
HINT = QT_TRANSLATE_NOOP("CompareView", "<b>Compare</b> the open model with another — a quantized file of the same "
                         "folder, a fine-tune beside its base — weight by weight and token by token; or every file of "
                         "its folder against the float one.")


def _column(*widgets: QtWidgets.QWidget, grows: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """`widgets` stacked with no margin of their own (a splitter's pane); `grows` takes the height left over."""
    box = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if widget is grows else 0)
    return box


class CompareView(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        c = session.comparison
        self.pair_tab = OUTPUTS_TAB
        self._filling = False

        self.title = QtWidgets.QLabel()
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.back_btn = QtWidgets.QPushButton(self.tr("◀ All Variants"))
        self.back_btn.setToolTip(self.tr("Back to the table of every file of the folder"))
        self.back_btn.clicked.connect(c.back_to_variants)
        self.prompt = QtWidgets.QLineEdit(c.prompt)
        self.prompt.setToolTip(self.tr("A's greedy continuation of this prompt is read by both models"))
        self.prompt.setMinimumWidth(120)
        self.tokens = QtWidgets.QSpinBox(minimum=1, maximum=4096, value=c.tokens)
        self.tokens.setToolTip(self.tr("How many tokens of A's continuation both models read"))
        self.prompt.textChanged.connect(self._settings_edited)
        self.tokens.valueChanged.connect(self._settings_edited)
        self.again_btn = QtWidgets.QPushButton(self.tr("Compare again"))
        self.again_btn.setToolTip(self.tr("The same comparison with this prompt and number of tokens"))
        self.again_btn.clicked.connect(c.rerun)
        self.with_btn = QtWidgets.QPushButton(self.tr("Compare With…"))
        self.with_btn.clicked.connect(self.ask_and_compare)
        self.variants_btn = QtWidgets.QPushButton(self.tr("Compare All Variants"))
        self.variants_btn.setToolTip(self.tr("Every file of the open model's folder against the float one"))
        self.variants_btn.clicked.connect(c.compare_variants)
        self.progress = QtWidgets.QProgressBar(maximum=PROGRESS_STEPS, maximumWidth=160)
        self.progress_label = ElidedLabel()
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(c.cancel)
        # two rows: what is compared (and its progress) above, how and with what below — fits 1024 px
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.back_btn)
        top.addWidget(self.title, 1)
        top.addWidget(self.progress_label, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_btn)
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(QtWidgets.QLabel(self.tr("prompt")))
        controls.addWidget(self.prompt, 1)
        controls.addWidget(QtWidgets.QLabel(self.tr("tokens")))
        controls.addWidget(self.tokens)
        for w in (self.again_btn, self.with_btn, self.variants_btn):
            controls.addWidget(w)

        self.pages = QtWidgets.QStackedWidget()
        hint = QtWidgets.QLabel(self.tr(HINT) + "<p>" + self.tr("File → Compare With… or File → Compare All Variants.") + "</p>")
        hint.setWordWrap(True)
        hint.setAlignment(QtCore.Qt.AlignCenter)
        self.pages.addWidget(hint)
        self.pages.addWidget(self._pair_page())
        self.variants_page = VariantsPage(session)
        self.variants, self.variants_title, self.advice = (self.variants_page.table, self.variants_page.title,
                                                           self.variants_page.advice)
        self.pages.addWidget(self.variants_page)

        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(controls)
        lay.addWidget(self.pages, 1)

        c.started.connect(self._started)
        c.progress.connect(self._on_progress)
        c.finished.connect(self._show)
        c.busy_changed.connect(self._busy)
        c.cleared.connect(self._cleared)
        c.settings_changed.connect(self._settings_changed)
        self._cleared()
        if c.task is not None:  # a rebuilt window: the comparison in progress or on show
            self._started(c.task)
        if c.result is not None:
            self._show(c.result)
        self._busy(c.busy)

    # ------------------------------------------------------------------ the session's comparison
    def ask_and_compare(self) -> None:
        """Compare With…: choose B."""
        c = self.session.comparison
        if c.model_path is None:
            return
        if path := ask_model_path(self, self.tr("Compare with another ONNX model"), str(c.model_path.parent)):
            c.compare_with(path)

    def _settings_edited(self) -> None:
        self.session.comparison.set_prompt(self.prompt.text(), self.tokens.value())

    def _settings_changed(self) -> None:
        c = self.session.comparison
        for w, value in ((self.prompt, c.prompt), (self.tokens, c.tokens)):
            w.blockSignals(True)
            w.setText(value) if w is self.prompt else w.setValue(value)
            w.blockSignals(False)

    def _cleared(self) -> None:
        """A new model: the old comparison no longer applies."""
        c = self.session.comparison
        self.pages.setCurrentIndex(EMPTY)
        self.title.setText("")
        self.title.setVisible(False)  # nothing compared: the row above the controls takes no room
        self.with_btn.setEnabled(c.model_path is not None)
        self.variants_btn.setEnabled(c.folder is not None)
        self.back_btn.setVisible(False)
        self._busy(c.busy)

    def _started(self, task) -> None:
        if task.kind == VARIANTS_TASK:
            self.title.setText(self.tr("every file of {folder}").format(folder=safe_text(Path(task.a).name, 60)))
        else:
            a, b = task.names
            self.title.setText(self.tr("A: {a}   B: {b}").format(a=safe_text(a, 60), b=safe_text(b, 60)))
        self.title.setToolTip(self.title.text())
        self.title.setVisible(True)

    @property
    def busy(self) -> bool:
        return self.session.comparison.busy

    def _busy(self, busy: bool) -> None:
        c = self.session.comparison
        for w in (self.progress, self.progress_label, self.cancel_btn):
            w.setVisible(busy)
        self.again_btn.setEnabled(not busy and c.task is not None)
        self.back_btn.setVisible(not busy and c.variants is not None and c.task is not c.variants_task)
        if busy:
            self.progress.setValue(0)
            self.progress_label.set_full_text("")

    @QtCore.Slot(float, object)
    def _on_progress(self, fraction: float, message) -> None:
        self.progress.setValue(int(fraction * PROGRESS_STEPS))
        self.progress_label.set_full_text(i18n.progress(message))

    def _show(self, result) -> None:
        if isinstance(result, list):
            self.show_variants(result)
        else:
            self.show_comparison(result)
        self._busy(self.session.comparison.busy)

    @property
    def result(self):
        return self.session.comparison.result

    # ------------------------------------------------------------------ pages
    def _pair_page(self) -> QtWidgets.QWidget:
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(QtCore.Qt.RichText)
        self.layers = _table(LAYER_COLUMNS)
        self.layers.itemSelectionChanged.connect(self._layer_selected)
        self.tensors = _table(TENSOR_COLUMNS, elastic=len(TENSOR_COLUMNS) - 1, floor_chars=NAME_FLOOR_CHARS)
        self.tensors.itemSelectionChanged.connect(self._tensor_selected)
        self.unmatched = QtWidgets.QLabel()
        self.unmatched.setWordWrap(True)
        left = KeptSplitter("compare/left_splitter", QtCore.Qt.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(_column(self.summary, QtWidgets.QLabel(
            self.tr("<b>Layers</b>, the most changed first (rel L2 = ‖B − A‖ / ‖A‖)")), self.layers, grows=self.layers))
        left.addWidget(_column(QtWidgets.QLabel(self.tr("<b>Tensors</b> of the selected layer")), self.tensors,
                               self.unmatched, grows=self.tensors))

        self.diff_plot = pg.PlotWidget(title=self.tr("B − A, the selected tensor"))
        self.value_plot = pg.PlotWidget(title=self.tr("values of A and B"))
        self.value_plot.addLegend(offset=(-10, 10))
        self.kl_plot = pg.PlotWidget(title=self.tr("KL(A ‖ B) per position of A's continuation (nats)"),
                                     axisItems={"bottom": WholeAxis("bottom")})
        for p in (self.diff_plot, self.value_plot, self.kl_plot):
            p.setMouseEnabled(y=False)
            p.setTitle(p.getPlotItem().titleLabel.text, size=PLOT_TITLE_SIZE)
            title_gives_way(p)
        self.text = QtWidgets.QTextBrowser()
        hists = KeptSplitter("compare/histograms_stack", QtCore.Qt.Vertical)  # stacked: each as wide as the pane
        hists.setChildrenCollapsible(False)
        hists.addWidget(self.diff_plot)
        hists.addWidget(self.value_plot)
        split = KeptSplitter("compare/splitter")
        split.addWidget(left)
        split.addWidget(hists)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        split.default_sizes = self._pair_sizes
        self.pair_split = split

        # what the two models say: llama.cpp's figures, where the stream drifts, the KL per position and the text
        self.scores = ScoreboardTable()
        self.drift_chart = DriftChart()
        self.tokens_label = QtWidgets.QLabel()
        self.tokens_label.setWordWrap(True)
        tokens = _column(self.tokens_label, self.text, grows=self.text)
        scores = _column(QtWidgets.QLabel(self.tr("<b>The figures llama.cpp reports</b>, B against A")), self.scores,
                         grows=self.scores)
        said = KeptSplitter("compare/outputs_left", QtCore.Qt.Vertical)
        said.setChildrenCollapsible(False)
        said.addWidget(scores)
        said.addWidget(tokens)
        said.default_sizes = self._said_sizes
        drift = _column(QtWidgets.QLabel(self.tr("<b>Where B's residual stream leaves A's</b>, block by block")),
                        self.drift_chart, grows=self.drift_chart)
        charts = KeptSplitter("compare/outputs_right", QtCore.Qt.Vertical)
        charts.setChildrenCollapsible(False)
        charts.addWidget(drift)
        charts.addWidget(self.kl_plot)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        outputs = KeptSplitter("compare/outputs_splitter")
        outputs.setChildrenCollapsible(False)
        outputs.addWidget(said)
        outputs.addWidget(charts)
        outputs.default_sizes = self._outputs_sizes
        self.said_split, self.outputs_split = said, outputs

        self.pair_tabs = QtWidgets.QTabWidget()
        self.pair_tabs.setDocumentMode(True)
        self.pair_tabs.addTab(outputs, self.tr("What the models say"))
        self.pair_tabs.addTab(split, self.tr("Weights"))
        self.pair_tabs.currentChanged.connect(self._pair_tab_chosen)
        return self.pair_tabs

    def _pair_tab_chosen(self, index: int) -> None:
        if not self._filling:
            self.pair_tab = index  # a person's choice: kept for the next comparison, and across a rebuilt window

    def state(self) -> dict:
        return {"pair_tab": self.pair_tab}

    def restore_state(self, state: dict) -> None:
        self.pair_tab = state.get("pair_tab", OUTPUTS_TAB)
        if self.result is not None and not isinstance(self.result, list):
            self._show_pair_tab(self.result)

    def _show_pair_tab(self, c) -> None:
        """The tab a person chose last; the weights where the models read no tokens (nothing to say)."""
        self._filling = True
        self.pair_tabs.setCurrentIndex(WEIGHTS_TAB if c.tokens is None else self.pair_tab)
        self._filling = False

    def _outputs_sizes(self, total: int) -> list[int]:
        """The scoreboard as wide as its names need, between a third and a half of the width; the charts the rest."""
        left = min(max(self.scores.needed_width(), total // 3), total // 2)
        return [left, total - left]

    def _said_sizes(self, total: int) -> list[int]:
        """The scoreboard's rows whole where the height allows, the continuation's text at least a third."""
        t = self.scores.table
        rows = t.rowCount() or len(SCORE_ROWS_EXPECTED)
        need = (self.scores.caption.sizeHint().height() + t.horizontalHeader().sizeHint().height()
                + rows * t.verticalHeader().defaultSectionSize() + 2 * t.frameWidth() + 28)
        top = min(need, total - TOKENS_MIN_PX)
        return [top, total - top]

    def _pair_sizes(self, total: int) -> list[int]:
        """The tables as wide as they need, up to half the width (then names elide, the numbers stay whole);
        the plots the rest."""
        frame = 2 * self.tensors.frameWidth() + self.tensors.verticalScrollBar().sizeHint().width()
        need = max(self.layers.fit.needed(), self.tensors.fit.needed()) + frame
        left = min(max(need, total // 3), total // 2)
        return [left, total - left]

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
        self.layers.fit.set_content(measure_table(self.layers))
        un = c.weights.unmatched
        self.unmatched.setText("" if not un else "<b>" + self.tr("Unmatched:") + "</b> " + "; ".join(
            f"{u['side']} {html.escape(u['name'])} ({html.escape(i18n.core(u['why']))})" for u in un))
        if c.weights.layers:
            self.layers.selectRow(0)
        self.pair_split.content_changed()  # both tables measured: the default positions for them
        self._show_tokens(c.tokens)
        self.scores.set_comparison(c.tokens, c.text)
        self.drift_chart.set_drift(c.drift)
        self.said_split.content_changed()
        self.outputs_split.content_changed()
        self._show_pair_tab(c)

    def _layer_tensors(self) -> list:
        rows = self.layers.selectionModel().selectedRows() if self.result is not None else []
        if not rows or isinstance(self.result, list):
            return []
        return self.result.weights.layers[rows[0].row()].tensors

    def _layer_selected(self) -> None:
        ts = self._layer_tensors()
        self.tensors.setRowCount(len(ts))
        prefix = shared_prefix([t.name_a for t in ts])
        for r, t in enumerate(ts):
            cells = [_item(f"{t.role} {t.kind}"),
                     _item(t.rel_l2, units.number(t.rel_l2, 4)), _item(t.max_abs, units.number(t.max_abs, 4)),
                     _item(t.cosine, units.number(t.cosine, 6)), _item(t.scheme_b), _item(t.name_a)]
            cells[-1].setData(PREFIX_ROLE, prefix)
            for cell in (cells[0], cells[-1]):
                cell.setToolTip(f"A: {t.name_a}\nB: {t.name_b}")  # B's name where it differs (a renamed export)
            for col, it in enumerate(cells):
                self.tensors.setItem(r, col, it)
        self.tensors.fit.set_content(measure_table(self.tensors))
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
        self.diff_plot.setTitle(f"B − A: rel L2 {units.number(t.rel_l2, 3)}, max {units.number(t.max_abs, 3)}",
                                size=PLOT_TITLE_SIZE)
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
        x = np.arange(1, len(t.kl) + 1)  # positions as people count them: the first token read is 1
        self.kl_plot.addItem(pg.BarGraphItem(x=x, height=np.asarray(t.kl), width=0.8, brush=palette.ACCENT))
        bad = [i for i, a in enumerate(t.top1_agree) if not a]
        if bad:
            self.kl_plot.plot([i + 1 for i in bad], [t.kl[i] for i in bad], pen=None, symbol="o",
                              symbolBrush=palette.CHOSEN_MARK, symbolSize=7)
        first = t.first_divergence + 1 if t.first_divergence is not None else None  # the core's is 0-based
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
                b = units.token(t.texts.get(t.b_ids[i], str(t.b_ids[i])))
                where = html.escape(self.tr("position {0}, B: {1}").format(i + 1, b), quote=True)
                parts.append(f'<span style="background-color:{marked}" title="{where}">{text}</span>')
        self.text.setHtml(f'<div style="font-size: 12pt; white-space: pre-wrap">{"".join(parts)}</div>'
                          "<p style='color:#666'>" + self.tr("Shaded: where B's top token differs from A's.") + "</p>")

    # ------------------------------------------------------------------ every variant
    def show_variants(self, rows) -> None:
        self.pages.setCurrentIndex(VARIANTS)
        self.variants_page.show_rows(rows)
