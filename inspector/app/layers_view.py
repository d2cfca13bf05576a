"""Layers: a sortable tree of layers and their tensors; the selection's histogram and statistics;
and all blocks' distributions side by side as a heat map."""

from __future__ import annotations

import html

import numpy as np

from .. import palette, units
from . import i18n
from .columns import PREFIX_ROLE, ColumnFit, shared_prefix, text_width
from .elided_label import ElidedLabel
from .qt_compat import BIAS_COLOR, WEIGHT_COLOR, QtCore, QtGui, QtWidgets, pg
from .splitters import KeptSplitter
from .staging import PAINT

QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP  # under this name lupdate finds the strings; shown translated
COLUMNS = [
    QT_TRANSLATE_NOOP("LayersView", "layer / tensor"), QT_TRANSLATE_NOOP("LayersView", "role"),
    QT_TRANSLATE_NOOP("LayersView", "kind"), QT_TRANSLATE_NOOP("LayersView", "shape"),
    QT_TRANSLATE_NOOP("LayersView", "stored as"), QT_TRANSLATE_NOOP("LayersView", "parameters"),
    QT_TRANSLATE_NOOP("LayersView", "weights"), QT_TRANSLATE_NOOP("LayersView", "biases"),
    QT_TRANSLATE_NOOP("LayersView", "share"), QT_TRANSLATE_NOOP("LayersView", "bytes"),
    QT_TRANSLATE_NOOP("LayersView", "mean"), QT_TRANSLATE_NOOP("LayersView", "std"),
    QT_TRANSLATE_NOOP("LayersView", "abs max"), QT_TRANSLATE_NOOP("LayersView", "zeros")]
HIDDEN_COLUMNS = ("kind", "weights", "biases", "bytes")  # until shown from the header's menu (they fit 1280 px then)
_counts = lambda v: f"{int(v):,}" if v is not None else "–"  # noqa: E731
FORMATS = {"parameters": _counts, "weights": _counts, "biases": _counts, "share": units.percent, "bytes": units.nbytes,
           "zeros": units.percent}  # the rest: units.number
STAT_KEYS = ("count", "mean", "std", "min", "max", "absmax", "zero_fraction", "nan", "inf", "l2")
BAND_SIZES = (5, 4, 3)  # statistics a band of the table: two bands when the pane is wide, four when narrow
WIDEST_NUMBER = "-0.0009999"  # units.number's longest usual form (4 significant digits)
WIDEST_PERCENT = "100.00%"
TITLE_SCALE = 1.25
STATS_PAD = 5  # the statistics table's cell padding, each side
SORT_ROLE = QtCore.Qt.UserRole + 1
OBJ_ROLE = QtCore.Qt.UserRole + 2
COLORS = {"weight": WEIGHT_COLOR, "bias": BIAS_COLOR}


class SortItem(QtWidgets.QTreeWidgetItem):
    """Sorts numeric columns by value, not by their text."""

    def __lt__(self, other):
        col = self.treeWidget().sortColumn() if self.treeWidget() else 0
        a, b = self.data(col, SORT_ROLE), other.data(col, SORT_ROLE)
        if a is not None and b is not None:
            return a < b
        return self.text(col) < other.text(col)


STAT_COLUMNS = ("mean", "std", "abs max", "zeros")


def _stat_row(stats) -> list:
    if stats is None:
        return [None] * 4
    s = stats.summary()
    return [s["mean"], s["std"], s["absmax"], s["zero_fraction"]]


class LayersView(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.census = None
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels([self.tr(c) for c in COLUMNS])
        # numbers, roles and shapes get the room they need; names take the rest and, only when they must, lose
        # their start (…attn.c_proj.weight): columns.py
        self.columns = ColumnFit(self.tree, self.tree.header(), elastic=0, indent=2 * self.tree.indentation())
        self.tree.setSortingEnabled(False)  # items arrive in model order; sort only when a header is clicked
        header = self.tree.header()
        header.setMinimumSectionSize(40)  # Qt's default (the header font's) would widen every number column
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, QtCore.Qt.AscendingOrder)
        header.sortIndicatorChanged.connect(lambda col, order: self.tree.sortItems(col, order))
        header.setContextMenuPolicy(QtCore.Qt.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.hidden_columns = set(HIDDEN_COLUMNS)
        self._apply_hidden()
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemSelectionChanged.connect(self._selection_changed)

        self.kind = QtWidgets.QComboBox()
        for key, label in (("weights", self.tr("weights")), ("biases", self.tr("biases")), ("all", self.tr("all"))):
            self.kind.addItem(label, key)
        self.kind.setToolTip(self.tr("Which of a layer's parameters the histogram shows "
                                     "(a single tensor always shows its own values)"))
        self.kind.currentIndexChanged.connect(self._selection_changed)
        self.log_y = QtWidgets.QCheckBox(self.tr("log scale"))
        self.log_y.toggled.connect(self._selection_changed)
        self.hist_title = ElidedLabel()  # above the plot, not its title: a long name must not widen the plot
        self.hist_title.setAlignment(QtCore.Qt.AlignCenter)
        title_font = QtGui.QFont(self.hist_title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * TITLE_SCALE)  # as large as a plot's own title
        self.hist = pg.PlotWidget()
        self.hist.setMouseEnabled(y=False)
        self.hist.addLegend(offset=(-10, 10))
        self.hist.getAxis("bottom").enableAutoSIPrefix(False)  # values as 0.002, not "value (x0.001)"
        self.stats_label = QtWidgets.QLabel()
        self.stats_label.setTextFormat(QtCore.Qt.RichText)
        self.stats_label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.stats_label.setWordWrap(True)
        # its table must not widen the panel: the splitter would move each time the selection changes
        self.stats_label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)

        self.role = QtWidgets.QComboBox()
        self.role.currentIndexChanged.connect(self._draw_compare)
        self.compare_title = QtWidgets.QLabel()  # wraps, where a plot title would hold the plot wide
        self.compare_title.setWordWrap(True)
        self.compare_title.setAlignment(QtCore.Qt.AlignCenter)
        self.hist_title.setFont(title_font)
        self.compare_title.setFont(title_font)
        self.compare = pg.PlotWidget()
        self.compare.setMouseEnabled(x=False, y=False)
        self.heat = pg.ImageItem()
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.compare.addItem(self.heat)
        self.compare.setLabel("bottom", self.tr("value"))
        self.compare.setLabel("left", self.tr("block"))
        self.compare.getAxis("bottom").enableAutoSIPrefix(False)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), interactive=False,
                                          label=self.tr("share of the row's peak (log counts)"))
        self.colour_bar.setImageItem(self.heat, insert_in=self.compare.getPlotItem())

        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(QtWidgets.QLabel(self.tr("show")))
        controls.addWidget(self.kind)
        controls.addWidget(self.log_y)
        controls.addStretch(1)
        hist_box = QtWidgets.QWidget()
        hl = QtWidgets.QVBoxLayout(hist_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addLayout(controls)
        hl.addWidget(self.hist_title)
        hl.addWidget(self.hist, 1)
        hl.addWidget(self.stats_label)
        cmp_box = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(cmp_box)
        cl.setContentsMargins(0, 0, 0, 0)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("compare all blocks:")))
        row.addWidget(self.role, 1)
        cl.addLayout(row)
        cl.addWidget(self.compare_title)
        cl.addWidget(self.compare, 1)
        self.right = QtWidgets.QTabWidget()
        self.right.addTab(hist_box, self.tr("Histogram"))
        self.right.addTab(cmp_box, self.tr("All blocks"))
        split = KeptSplitter("layers/splitter")
        split.addWidget(self.tree)
        split.addWidget(self.right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.default_sizes = self._default_sizes
        # the statistics table folds into more, narrower bands when the pane is narrow (1024 px): the pane's least
        # width is the narrowest folding's, and the names keep their room
        self._band_widths = {n: self._stats_width(n) for n in BAND_SIZES}
        self.right.setMinimumWidth(self._band_widths[BAND_SIZES[-1]])
        self._series: dict = {}
        self.right.installEventFilter(self)
        self.split = split
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.plotted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._rows: dict = {}  # layer name -> its row in the tree
        session.show_layer.connect(self.select)
        session.model.layer_ready.connect(self.update_layer)
        self._measure([], [])

    def eventFilter(self, obj, event):
        if obj is self.right and event.type() == QtCore.QEvent.Resize and self._series:
            self._show_stats(self._series)  # the folding follows the pane's width
        return super().eventFilter(obj, event)

    def _band_size(self) -> int:
        """The most statistics per band that fit the pane as it is now."""
        width = self.right.width()
        return next((n for n in BAND_SIZES if self._band_widths.get(n, 0) <= width), BAND_SIZES[-1])

    def _stats_width(self, per_band: int = BAND_SIZES[0]) -> int:
        """What the selection's statistics table needs with usual values in its cells (4 significant digits, a
        block's count of parameters), folded `per_band` statistics a band, whatever the font."""
        class Usual:
            def summary(self):
                return {"count": 9_999_999, "mean": -0.001234, "std": 0.01234, "min": -0.1234,
                        "max": 0.1234, "absmax": 1.234, "zero_fraction": 0.5, "nan": 0, "inf": 0, "l2": 12.34}

        doc = QtGui.QTextDocument()
        doc.setDefaultFont(self.stats_label.font())
        doc.setHtml(self._stats_html({"weight": Usual(), "bias": Usual()}, per_band))
        return int(doc.idealWidth()) + 24  # and the tab page's frame and margins

    def _default_sizes(self, total: int) -> list[int]:
        """The table as wide as its columns need (its scroll bar too), the plots the rest, never below theirs."""
        frame = 2 * self.tree.frameWidth() + self.tree.verticalScrollBar().sizeHint().width()
        tree = min(self.columns.needed() + frame, total - self.right.minimumWidth())
        return [max(tree, total // 3), total - max(tree, total // 3)]

    def _measure(self, layers, tensors) -> None:
        """Each column's content width, from what the rows hold (once per model, not per resize)."""
        fm = self.tree.fontMetrics()
        step = self.tree.indentation()
        number = text_width(fm, [WIDEST_NUMBER])
        percent = text_width(fm, [WIDEST_PERCENT])
        total = self.census.parameters if self.census is not None else 10**9
        counts = text_width(fm, [f"{total:,}"])
        widths = {
            "layer / tensor": max(text_width(fm, [lay.name for lay in layers]) + step,
                                  text_width(fm, [t.name for t in tensors]) + 2 * step),
            "role": text_width(fm, {t.role + (self.tr(" (tied)") if t.tied_to else "") for t in tensors}),
            "kind": text_width(fm, {t.kind for t in tensors}),
            "shape": text_width(fm, {"×".join(map(str, t.shape)) or "scalar" for t in tensors}),
            "stored as": text_width(fm, {t.scheme for t in tensors} | {" + ".join(sorted({t.scheme for t in lay.tensors}))
                                                                        for lay in layers}),
            "parameters": counts, "weights": counts, "biases": counts, "share": percent,
            "bytes": text_width(fm, [units.nbytes(max((lay.nbytes for lay in layers), default=0))]),
            "mean": number, "std": number, "abs max": number, "zeros": percent,
        }
        self.columns.set_content([widths[c] for c in COLUMNS])
        self.split.content_changed()

    # ------------------------------------------------------------------ filling
    def clear(self) -> None:
        self.census = None
        self._rows: dict[str, SortItem] = {}  # layer name -> its row
        self.tree.clear()
        self.hist.clear()
        self.hist_title.set_full_text("")
        self.compare_title.setText("")
        self.role.clear()
        self.heat.clear()
        self._say_stats("")
        self.plotted = {}

    def fill(self, census):
        """Steps: a layer's rows at a time (statistics shown where they are in already), then the first layer
        selected; the heat map and histograms come with the statistics (finish_statistics)."""
        self.clear()
        self.census = census
        total = census.parameters or 1
        self.tree.header().blockSignals(True)
        self.tree.header().setSortIndicator(0, QtCore.Qt.AscendingOrder)
        self.tree.header().blockSignals(False)
        roles = sorted({(t.kind, t.role) for t in census.tensors if t.counted and t.index is not None})
        self.role.blockSignals(True)
        self.role.addItem(self.tr("all weights (per block)"), ("layer", "weight"))
        self.role.addItem(self.tr("all biases (per block)"), ("layer", "bias"))
        for kind, role in roles:
            self.role.addItem(f"{role} {i18n.core(units.KIND_PLURAL[kind])}", ("role", kind, role))
        schemes = {t.scheme for t in census.tensors if t.counted}
        # one storage type for the whole model is on the Overview card: the column shows only when they differ
        self.tree.setColumnHidden(COLUMNS.index("stored as"), len(schemes) < 2 or "stored as" in self.hidden_columns)
        self.role.blockSignals(False)
        for order, layer in enumerate(census.layers):
            yield
            st = layer.stats.get("weight") or layer.stats.get("bias")
            by_scheme: dict[str, int] = {}
            for t in layer.tensors:
                if t.counted:
                    by_scheme[t.scheme] = by_scheme.get(t.scheme, 0) + t.count
            schemes = sorted(by_scheme, key=lambda k: -by_scheme[k])  # most of the layer's parameters first
            item = self._item([layer.name, "", "", "", " + ".join(schemes), layer.parameters, layer.weights,
                               layer.biases, layer.parameters / total, layer.nbytes, *_stat_row(st)], layer)
            item.setData(0, SORT_ROLE, order)  # the first column sorts in model order
            prefix = shared_prefix([t.name for t in layer.tensors])  # "transformer.h.0.": the first to go
            for child_order, t in enumerate(layer.tensors):
                role = t.role + (self.tr(" (tied)") if t.tied_to else "")  # to what: the row's tooltip
                child = self._item([t.name, role, t.kind, "×".join(map(str, t.shape)) or "scalar", t.scheme,
                                    t.parameters,
                                    t.parameters if t.kind == "weight" else 0, t.parameters if t.kind == "bias" else 0,
                                    t.parameters / total, t.stats.nbytes if t.stats else None, *_stat_row(t.stats)], t)
                child.setData(0, SORT_ROLE, child_order)
                child.setData(0, PREFIX_ROLE, prefix)
                if t.tied_to:
                    child.setToolTip(1, self.tr("tied to {0}, counted there").format(t.tied_to))
                if not t.counted:
                    child.setForeground(0, QtGui.QBrush(QtGui.QColor(palette.MUTED)))
                item.addChild(child)
            self.tree.addTopLevelItem(item)  # children first: one insertion, not one per row
            self._rows[layer.name] = item
        self._measure(census.layers, census.tensors)
        yield PAINT
        if self.tree.topLevelItemCount() and not self.tree.selectedItems():
            self.tree.setCurrentItem(self.tree.topLevelItem(min(1, self.tree.topLevelItemCount() - 1)))

    def update_layer(self, layer) -> None:
        """A layer's statistics are in: its row's and its tensors' statistic cells."""
        item = self._rows.get(layer.name)
        if item is None or self.census is None:
            return  # not listed yet: its row will be made with them
        st = layer.stats.get("weight") or layer.stats.get("bias")
        self._set_stats(item, st)
        for j in range(item.childCount()):
            child = item.child(j)
            self._set_stats(child, child.data(0, OBJ_ROLE).stats)

    def _set_stats(self, item, stats) -> None:
        for name, v in zip(STAT_COLUMNS, _stat_row(stats)):
            col = COLUMNS.index(name)
            item.setData(col, SORT_ROLE, None if v is None else float(v))
            item.setText(col, FORMATS.get(name, units.number)(v))

    def finish_statistics(self, census):
        """Steps, once every statistic is in: each layer's cells, the all-blocks heat map, the selection's histogram."""
        if census is not self.census:
            return
        for i, layer in enumerate(census.layers):
            self.update_layer(layer)
            if i % 8 == 7:
                yield
        yield PAINT
        self._draw_compare()
        yield PAINT
        self._selection_changed()

    def _item(self, values, obj) -> SortItem:
        item = SortItem()
        for col, v in enumerate(values):
            if isinstance(v, (int, float, np.integer, np.floating)) or v is None:
                item.setData(col, SORT_ROLE, None if v is None else float(v))
                item.setText(col, FORMATS.get(COLUMNS[col], units.number)(v))
                item.setTextAlignment(col, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
            else:
                item.setText(col, str(v))
        item.setToolTip(0, values[0])  # the whole name where the column elides it
        item.setData(0, OBJ_ROLE, obj)
        return item

    # ------------------------------------------------------------------ selection
    def select(self, layer: str, tensor: str | None = None) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.text(0) != layer:
                continue
            top.setExpanded(True)
            item = next((top.child(j) for j in range(top.childCount()) if top.child(j).text(0) == tensor), top)
            self.tree.setCurrentItem(item)  # the tensor, or the layer when it has no such tensor
            self.tree.scrollToItem(item)
            return

    def selected(self):
        items = self.tree.selectedItems()
        return items[0].data(0, OBJ_ROLE) if items else None

    def _selection_changed(self) -> None:
        obj = self.selected()
        self.hist.clear()
        self.plotted = {}
        if obj is None:
            return
        if self.census is None or not self.census.statistics_done:  # histograms share edges known at the end
            self.hist_title.set_full_text(getattr(obj, "name", ""))
            self._say_stats("<i>" + self.tr("reading the values…") + "</i>")
            return
        is_layer = hasattr(obj, "tensors")
        self.kind.setEnabled(is_layer)  # a tensor is one kind: the choice would silently not apply
        if is_layer:
            kinds = {"weights": ["weight"], "biases": ["bias"], "all": ["weight", "bias"]}[self.kind.currentData()]
            series = {k: obj.stats[k] for k in kinds if k in obj.stats}
            title = obj.name
            if not series and obj.stats:
                self.hist_title.set_full_text(title)
                self._say_stats("<i>" + html.escape(self.tr("{0} has no {1}").format(
                    obj.name, self.tr(self.kind.currentData()))) + "</i>")
                return
        else:
            series = {obj.kind: obj.stats} if obj.stats is not None and obj.stats.counts is not None else {}
            title = obj.name + (self.tr(" — tied to {0}, counted there").format(obj.tied_to) if obj.tied_to else "")
        log = self.log_y.isChecked()
        for kind, st in series.items():
            edges, counts = st.edges, st.counts
            self.plotted[kind] = (edges, counts)
            y = np.log10(counts + 1.0) if log else counts.astype(float)
            self.hist.plot(edges, y, stepMode="center", fillLevel=0, fillOutline=True,
                           brush=pg.mkBrush(COLORS[kind] + "80"), pen=pg.mkPen(COLORS[kind], width=1.5), name=i18n.core(units.KIND_PLURAL[kind]))
        self.hist_title.set_full_text(title)
        self.hist.setLabel("left", "log10(count + 1)" if log else self.tr("count"))
        self.hist.setLabel("bottom", self.tr("value"))
        self._show_stats(series)

    def _show_stats(self, series: dict) -> None:
        """The selection's statistics, folded to the pane's width; kept, to fold again when the pane is resized."""
        self._series = series
        self.stats_label.setText(self._stats_html(series, self._band_size()))

    def _say_stats(self, text: str) -> None:
        """A line in place of the statistics (nothing to fold)."""
        self._series = {}
        self.stats_label.setText(text)

    def _stats_html(self, series, per_band: int) -> str:
        if not series:
            return "<i>" + self.tr("no statistics for this selection") + "</i>"
        names = {"count": self.tr("count"), "mean": self.tr("mean"), "std": self.tr("std"), "min": self.tr("min"),
                 "max": self.tr("max"), "absmax": "|max|", "zero_fraction": self.tr("zeros"),
                 "nan": "NaN", "inf": "Inf", "l2": "L2"}
        bands = [STAT_KEYS[i:i + per_band] for i in range(0, len(STAT_KEYS), per_band)]
        pad = f"style='padding:0 {STATS_PAD}px'"
        html = ""
        for band in bands:
            html += "<tr><th></th>" + "".join(f"<th align=right {pad}><nobr>{names[k]}</nobr></th>" for k in band)
            for kind, st in series.items():
                s = st.summary()
                cells = "".join(f"<td align=right {pad}><nobr>{self._stat_text(k, s[k])}</nobr></td>" for k in band)
                html += (f"<tr><td><b style='color:{COLORS[kind]}'>{i18n.core(units.KIND_PLURAL[kind])}</b></td>"
                         f"{cells}</tr>")
        return f"<table>{html}</table>"

    @staticmethod
    def _stat_text(key: str, value) -> str:
        if key == "zero_fraction":
            return units.percent(value)
        return f"{value:,}" if isinstance(value, int) else units.number(value)

    # ------------------------------------------------------------------ compare
    def compare_matrix(self):
        """(row labels, edges, counts matrix) for the role chosen in the combo box."""
        census, key = self.census, self.role.currentData()
        if census is None or key is None:
            return [], None, None
        blocks = [layer for layer in census.layers if layer.index is not None]
        rows, labels, edges = [], [], None
        for layer in blocks:
            if key[0] == "layer":
                st = layer.stats.get(key[1])
            else:
                st = next((t.stats for t in layer.tensors if t.counted and t.kind == key[1] and t.role == key[2]), None)
            if st is None or st.counts is None:
                continue
            rows.append(st.counts)
            labels.append(layer.name)
            edges = st.edges
        return labels, edges, (np.vstack(rows) if rows else None)

    def _draw_compare(self) -> None:
        labels, edges, counts = self.compare_matrix()
        if counts is None:
            self.heat.clear()
            return
        img = np.log10(counts.astype(float) + 1.0)
        img = img / np.maximum(img.max(axis=1, keepdims=True), 1e-12)  # each block on its own scale
        self.heat.setImage(img.T, autoLevels=False, levels=(0, 1))
        width = float(edges[-1] - edges[0])
        self.heat.setRect(QtCore.QRectF(float(edges[0]), 0.0, width, float(len(labels))))
        self.compare.getAxis("left").setTicks([[(i + 0.5, lab.replace("block ", "")) for i, lab in enumerate(labels)]])
        self.compare_title.setText(self.tr("distribution per block (log counts, each row scaled to its peak)"))
        self.compare.autoRange()

    # ------------------------------------------------------------------ columns
    def _apply_hidden(self) -> None:
        for col, name in enumerate(COLUMNS):
            self.tree.setColumnHidden(col, name in self.hidden_columns)

    def _column_menu(self, pos) -> None:
        """The header's menu: which columns show (kept between sessions)."""
        menu = QtWidgets.QMenu(self)
        for name in COLUMNS[1:]:
            action = menu.addAction(self.tr(name))
            action.setCheckable(True)
            action.setChecked(name not in self.hidden_columns)
            action.toggled.connect(lambda on, n=name: self.show_column(n, on))
        menu.popup(self.tree.header().mapToGlobal(pos))

    def show_column(self, name: str, on: bool) -> None:
        (self.hidden_columns.discard if on else self.hidden_columns.add)(name)
        self.tree.setColumnHidden(COLUMNS.index(name), not on)
        self.columns.fit()

    def save_settings(self, settings: QtCore.QSettings) -> None:
        settings.setValue("layers/hidden_columns", sorted(self.hidden_columns) or ["-"])

    def restore_settings(self, settings: QtCore.QSettings) -> None:
        hidden = settings.value("layers/hidden_columns")
        if hidden:
            self.hidden_columns = set([hidden] if isinstance(hidden, str) else hidden) & set(COLUMNS[1:])
            self._apply_hidden()
            self.columns.fit()

    # ------------------------------------------------------------------ kept across a rebuild
    def state(self) -> dict:
        """The selection, the open layers and the choices over the plots."""
        obj = self.selected()
        selected = None
        if obj is not None:
            selected = (obj.name, None) if hasattr(obj, "tensors") else (self.tree.selectedItems()[0].parent().text(0),
                                                                          obj.name)
        expanded = [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())
                    if self.tree.topLevelItem(i).isExpanded()]
        header = self.tree.header()
        return {"selected": selected, "expanded": expanded, "kind": self.kind.currentData(),
                "log": self.log_y.isChecked(), "role": self.role.currentData(), "page": self.right.currentIndex(),
                "sort": (header.sortIndicatorSection(), header.sortIndicatorOrder())}

    def restore_state(self, state: dict) -> None:
        for combo, value in ((self.kind, state.get("kind")), (self.role, state.get("role"))):
            if value is not None and (i := combo.findData(value)) >= 0:
                combo.setCurrentIndex(i)
        self.log_y.setChecked(bool(state.get("log")))
        self.right.setCurrentIndex(state.get("page", 0))
        if sort := state.get("sort"):
            self.tree.header().setSortIndicator(*sort)
        for name in state.get("expanded", []):
            if (item := self._rows.get(name)) is not None:
                item.setExpanded(True)
        if selected := state.get("selected"):
            self.select(*selected)
