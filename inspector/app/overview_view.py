"""Overview: the architecture card, the totals and their shares, the scale view, weights vs biases per block."""

from __future__ import annotations

import re

import numpy as np

from .. import palette, units
from ..stats.precision import precision_view
from ..stats.scale import scale_view
from . import i18n
from .axes import CountAxis, sparse_ticks
from .moe_summary import MoESummary
from .qt_compat import BIAS_COLOR, WEIGHT_COLOR, QtCore, QtWidgets, pg
from .splitters import KeptSplitter
from .staging import PAINT


CARDS_HEIGHT = 340  # what the cards get when there is room (their rows scroll inside them when there is not)
CARDS_MIN_HEIGHT = 150
PLOTS_MIN_HEIGHT = 150
CARD_ROWS = 14
NBSP = "\u00a0"
MIN_FIT_WIDTH = 40  # a label not laid out yet: its text is left whole until it is
FIT_MARGIN = 6  # pixels the label's text control keeps free
BREAKS = re.compile(r"[\u2e80-\u9fff\uff00-\uffef][ ]*|[^ \u2e80-\u9fff\uff00-\uffef]+[ ]*|[ ]+")  # CJK one by one
TOOLTIP_FROM = 30  # characters: a value this long may not fit its card at 1280 px, so it shows on hover too
LEFT_AXIS_WIDTH = 52
TICK_LABEL_PX = 42  # room one block number needs on the x axis
CROWDED = 12  # layers; from here the axis says emb, norm and head
SHORT_NAMES = {"embeddings": "emb", "final_norm": "norm", "lm_head": "head"}


class Card(QtWidgets.QGroupBox):
    """A titled grid of plain-text rows: cheap to update, and a name from the model cannot inject markup."""

    def __init__(self, title: str):
        super().__init__(title)
        # the rows scroll inside the card when they outgrow it (a quantized model's storage in Chinese, at 720 px)
        inner = QtWidgets.QWidget()
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        inner.setAutoFillBackground(False)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addWidget(scroll)
        inner.installEventFilter(self)  # its width changes when the scroll bar comes and goes: the lines refit
        self.grid = QtWidgets.QGridLayout(inner)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setAlignment(QtCore.Qt.AlignTop)
        self.cells: list[tuple[QtWidgets.QLabel, QtWidgets.QLabel]] = []
        self.rows: list[tuple[str, str]] = []
        self._grow(CARD_ROWS)  # made now, not while a model is arriving

    def _grow(self, n: int) -> None:
        while len(self.cells) < n:
            key, value = QtWidgets.QLabel(), QtWidgets.QLabel()
            for lab in (key, value):
                lab.setTextFormat(QtCore.Qt.PlainText)
                lab.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
            key.setStyleSheet(f"color: {palette.LABEL}")
            # the card's width, not the text's: a long value is broken into lines here (_fit) rather than widening
            # the card (QLabel's own word wrap gets one line's height in this grid and cuts the rest)
            value.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
            value.setWordWrap(True)  # its size hint is the text's (without, a selectable label adds a margin)
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            self.grid.addWidget(key, len(self.cells), 0, QtCore.Qt.AlignTop)
            self.grid.addWidget(value, len(self.cells), 1, QtCore.Qt.AlignTop)
            self.cells.append((key, value))

    def set_rows(self, rows: list[tuple[str, str]], warn: set[int] = frozenset()) -> None:
        """Rows beyond the new ones are emptied and hidden, so a long value has room to wrap (the cards' fixed height
        keeps the re-layout inside the card, away from the plots)."""
        self._grow(len(rows))
        QtCore.QTimer.singleShot(0, self._refit)  # a card filled before it was laid out fits again once it is
        self.rows = [(str(k), "–" if v is None or v == "" and k else str(v)) for k, v in rows]
        for i, (key, value) in enumerate(self.cells):
            k, v = self.rows[i] if i < len(rows) else ("", "")
            key.setText(k)
            value.setText(self._fit(v, value))
            value.setToolTip(v if len(v) > TOOLTIP_FROM else "")
            used = bool(k or v)
            if key.isVisibleTo(self) != used:
                key.setVisible(used)
                value.setVisible(used)
            red = i in warn
            if value.property("warn") != red:
                value.setProperty("warn", red)
                value.setStyleSheet(f"color: {palette.WARNING}" if red else "")

    def text(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.rows)

    @staticmethod
    def _fit(text: str, label: QtWidgets.QLabel) -> str:
        """`text` broken into lines that fit `label`: between words, or between any two CJK characters; never at a
        no-break space (a size stays whole)."""
        width = label.width() - FIT_MARGIN
        fm = label.fontMetrics()
        if width < MIN_FIT_WIDTH or fm.horizontalAdvance(text) <= width:
            return text
        lines, line = [], ""
        for piece in BREAKS.findall(text):
            if line and fm.horizontalAdvance(line + piece.rstrip(" ")) > width:
                lines.append(line.rstrip(" "))
                line = piece.lstrip(" ")
            else:
                line += piece
        return "\n".join(lines + [line.rstrip(" ")])

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Resize:
            QtCore.QTimer.singleShot(0, self._refit)  # once the grid has given the labels their new widths
        return False

    def _refit(self) -> None:
        for i, (_key, value) in enumerate(self.cells):
            if i < len(self.rows):
                fitted = self._fit(self.rows[i][1], value)
                if fitted != value.text():
                    value.setText(fitted)


class OverviewView(QtWidgets.QWidget):
    def __init__(self, session=None, parent=None):
        super().__init__(parent)
        self.arch_box, self.totals_box, self.scale_box = Card(self.tr("Architecture")), Card(self.tr("Parameters")), Card(self.tr("Scale"))
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setMinimumHeight(PLOTS_MIN_HEIGHT)
        self.weights_plot = self.plots.addPlot(row=0, col=0, title=self.tr("weights per layer"),
                                               axisItems={"left": CountAxis("left")})
        self.biases_plot = self.plots.addPlot(row=1, col=0, title=self.tr("biases per layer"),
                                              axisItems={"left": CountAxis("left")})
        self.biases_plot.setXLink(self.weights_plot)
        for p in (self.weights_plot, self.biases_plot):
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
            p.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        self.no_biases = pg.TextItem(self.tr("no biases: every layer of this model is bias-free"),
                                     color=palette.LABEL, anchor=(0.5, 0.5))
        cards = QtWidgets.QWidget()
        top = QtWidgets.QHBoxLayout(cards)
        top.setContentsMargins(0, 0, 0, 0)
        for box in (self.arch_box, self.totals_box, self.scale_box):
            top.addWidget(box, 1)
        # a splitter, not a layout: new text must not resize the plots below (that re-lays out every pyqtgraph item)
        cards.setMinimumHeight(CARDS_MIN_HEIGHT)
        split = KeptSplitter("overview/splitter", QtCore.Qt.Vertical)
        split.addWidget(cards)
        split.addWidget(self.plots)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(1, 1)
        split.default_sizes = lambda total: [min(CARDS_HEIGHT, total - PLOTS_MIN_HEIGHT),
                                             total - min(CARDS_HEIGHT, total - PLOTS_MIN_HEIGHT)]
        self.split = split
        self.moe = MoESummary()  # a mixture of experts: total and used per token, lost experts (hidden when dense)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(self.moe)
        lay.addWidget(split)
        self.clear()

    def clear(self) -> None:
        self.arch_box.set_rows([("", self.tr("Open a model: File → Open, or drop one on the window."))])
        self.totals_box.set_rows([])
        self.scale_box.set_rows([])
        self.moe.set_census(None)
        self.weights_plot.clear()
        self.biases_plot.clear()
        self.bar_data: dict[str, np.ndarray] = {}

    def fill(self, census):
        """Steps: the cards, then each plot (a plot's first paint is the costly part of showing a model)."""
        a, total = census.architecture, census.parameters
        heads = self.tr("{0} ({1} KV)").format(a.n_head, a.n_kv_head) if a.n_head else "?"
        ctx = f"{a.context_length}" + (f" ({a.context_source})" if a.context_source not in (None, "graph") else "") \
            if a.context_length else self.tr("not in the graph")
        checks = [(f"{c.get('source', 'config.json')}: {c['field']}", self.tr("{0} (the graph says {1})").format(c['config'], c['graph']))
                  for c in a.config_checks]
        source = census.model.source
        file_text = census.model.path.name
        if source is not None and len(source.variants) > 1:
            name = source.variant.name if source.variant else file_text
            file_text = self.tr("{0} (1 of {1} files: File → Open Variant)").format(name, len(source.variants))
        entry = a.family_entry
        family = f"{entry.label} ({a.family})" if entry is not None and entry.name == a.family else a.family
        if a.family_source != "graph":
            family += self.tr(", named by {0}").format(a.family_source)
        rows = [
            (self.tr("file"), file_text), (self.tr("family"), family),
            (self.tr("layers"), a.n_layer), (self.tr("width (d_model)"), a.d_model), (self.tr("heads"), heads), (self.tr("head dim"), a.head_dim),
            (self.tr("MLP width"), a.ffn_dim), (self.tr("vocabulary"), a.vocab_size), (self.tr("context"), ctx),
            (self.tr("LM head"), self.tr("tied to the embedding") if a.tied_embeddings else
             self.tr("its own matrix") if census.layer("lm_head") else self.tr("none found")),
            (self.tr("KV cache"), self.tr("yes") if a.kv_cache else self.tr("no (full recompute)")),
            (self.tr("attention"), self.tr("one fused {0} node per block").format(a.fused_attention) if a.fused_attention else self.tr("unfused ops")),
            (self.tr("dtypes"), ", ".join(f"{k} {units.count(v)}" for k, v in a.dtypes.items())),
        ]
        self.arch_box.set_rows(rows + checks, warn=set(range(len(rows), len(rows) + len(checks))))
        self.moe.set_census(census)
        yield
        s = census.stored
        precision = precision_view(census)
        share = lambda n: units.percent(n / total) if total else "–"
        self.totals_box.set_rows([
            (self.tr("parameters"), f"{total:,} ({units.count(total)})"),
            (self.tr("weights"), f"{census.weights:,}  ({share(census.weights)})"),
            (self.tr("biases"), f"{census.biases:,}  ({share(census.biases)})"),
            (self.tr("file"), units.nbytes(s.file_bytes) + (self.tr(" + {0} external").format(units.nbytes(s.external_bytes))
                                                 if s.external_bytes else "")),
            (self.tr("stored tensors"), self.tr("{0} holding parameters").format(s.unique_tensors)),
            (self.tr("aliases"), self.tr("{0} (deduplicated by the exporter)").format(s.aliases)),
            (self.tr("tied copies"), s.tied_copies), (self.tr("non-parameter constants"), s.constants),
            (self.tr("stored as"), i18n.core(precision["summary"])),
        ] + ([(self.tr("scales, zero points"), f"{units.nbytes(precision['scale_bytes'])}, "
                                      f"{units.nbytes(precision['zero_point_bytes'])}")]
             if precision["quantized"] else []))
        yield
        sv = scale_view(total, a)
        nb = lambda n: units.nbytes(n).replace(" ", NBSP)  # noqa: E731 (a size never breaks across lines)
        memory = [f"{k}{NBSP}{nb(v)}" for k, v in sv["memory_bytes"].items()]
        rows = [(self.tr("memory") if i == 0 else "", " · ".join(memory[i:i + 2]))  # two to a line: never wraps
                for i in range(0, len(memory), 2)]
        if sv["kv_cache_bytes_per_token"]:
            kv = sv["kv_cache_bytes_per_token"]
            rows.append((self.tr("KV cache / token"), f"{nb(kv['fp16'])}{NBSP}fp16 · {nb(kv['fp32'])}{NBSP}fp32"))
        if sv["formula"]:
            f = sv["formula"]
            ok = self.tr("✓ equals the count") if f["matches"] else self.tr("differs from the count by {0}").format(f"{f['difference']:+,}")
            rows += [(self.tr("{0} formula").format(f['label']), f["formula"]), ("", f"= {f['value']:,}  {ok}")]
            where = a.family_entry.formula_where  # what the letters stand for, a row each
            rows += [(self.tr("where") if i == 0 else "", i18n.core(part)) for i, part in enumerate(where)]
        for p in sv["published"]:
            t = p["times_this_model"]
            size = units.count(p["parameters"])
            if p.get("active_parameters"):  # a mixture of experts: what one token uses beside the total
                size = self.tr("{0} ({1} active)").format(size, units.count(p["active_parameters"]))
            rows.append((p["name"], self.tr("{0} = {1} this model").format(size, units.ratio(t))
                         if t is None or t >= 1 else
                         self.tr("{0}; this model is {1} larger").format(size, units.ratio(1 / t))))
        self.scale_box.set_rows(rows)
        yield PAINT
        names = [layer.name for layer in census.layers]
        w = np.array([layer.weights for layer in census.layers], float)
        b = np.array([layer.biases for layer in census.layers], float)
        self.bar_data = {"names": names, "weights": w, "biases": b}
        x = np.arange(len(names))
        width = max(self.plots.width(), 400)
        short = SHORT_NAMES if len(names) > CROWDED else {}  # long names would hide each other (pyqtgraph drops them)
        ticks = [sparse_ticks([short.get(n, n.replace("block ", "")) for n in names], most=width // TICK_LABEL_PX)]
        for plot, values, color in ((self.weights_plot, w, WEIGHT_COLOR), (self.biases_plot, b, BIAS_COLOR)):
            plot.clear()
            plot.getAxis("bottom").setTicks(ticks)
            if plot is self.biases_plot and not values.any():
                plot.setYRange(0, 1, padding=0)
                plot.setXRange(-0.5, max(len(names), 1) - 0.5, padding=0)
                plot.getAxis("left").setTicks([[]])
                plot.addItem(self.no_biases)
                self.no_biases.setPos((len(names) - 1) / 2, 0.5)
            else:
                plot.getAxis("left").setTicks(None)
                plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.7, brush=color, pen=None))
                plot.setYRange(0, max(values.max() if values.size else 1, 1) * 1.05, padding=0)
            yield PAINT
