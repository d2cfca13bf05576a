"""Graph: the nodes the census walked, grouped by layer and searchable, so a user sees why a tensor
was attributed where it was.

The listing is a model over the census's rows, not a tree of items: the view asks only for the rows
it shows, so a graph of 100,000 nodes lists as fast as one of 100 (a QTreeWidget took minutes).
"""

from __future__ import annotations

import html

from .columns import PREFIX_ROLE, SIBLINGS_READ, ColumnFit, shared_prefix, text_width
from .i18n import plural, translate
from .qt_compat import QtCore, QtWidgets
from .splitters import KeptSplitter

QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP  # under this name lupdate finds the strings; shown translated
COLUMNS = [
    QT_TRANSLATE_NOOP("NodeListing", "node"), QT_TRANSLATE_NOOP("NodeListing", "op"),
    QT_TRANSLATE_NOOP("NodeListing", "inputs"), QT_TRANSLATE_NOOP("NodeListing", "outputs"),
    QT_TRANSLATE_NOOP("NodeListing", "input shapes"), QT_TRANSLATE_NOOP("NodeListing", "parameters")]
GROUP = 0  # internal id of a layer row; a node row's id is its layer's position + 1
MEASURED_ROWS = 1500  # the rows whose text sizes the columns (every op is measured; names from a sample)
LIST_SHARES = {2: 0.2, 3: 0.16, 4: 0.14, 5: 0.14}  # inputs, outputs, shapes, parameters: their most of the width
TYPING_PAUSE_MS = 150
EXPAND_UP_TO = 32  # layers with matches, opened after a search when there are this few


class NodeListing(QtCore.QAbstractItemModel):
    """Layers, each with the nodes attributed to it that pass the filter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.groups: list[tuple[str, list[int]]] = []  # (layer, indices into rows) of all nodes
        self.shown: list[tuple[str, list[int]]] = []  # the same, filtered; empty layers left out
        self.totals: dict[str, int] = {}  # layer -> its nodes, unfiltered
        self.prefixes: dict[str, int] = {}  # layer -> what its nodes' names share
        self.filtering = False
        self._haystack: list[str] = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = rows
        by_layer: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            by_layer.setdefault(row.layer, []).append(i)
        self.groups = list(by_layer.items())
        self.totals = {layer: len(idx) for layer, idx in self.groups}
        # what a layer's node names share ("/transformer/h.0/"): the first part to go when a name must shorten
        self.prefixes = {layer: shared_prefix([rows[i].name for i in idx[:SIBLINGS_READ]]) for layer, idx in self.groups}
        self.shown = self.groups
        self.filtering = False
        self._haystack = []
        self.endResetModel()

    def set_filter(self, needle: str) -> int:
        """Show the nodes whose name, op, inputs, outputs, shapes or parameters contain `needle`."""
        needle = needle.strip().lower()
        if needle and not self._haystack:  # one lowercase string per row, made on the first search
            self._haystack = ["\n".join((r.name, r.op, r.shapes, *r.inputs, *r.outputs, *r.parameters)).lower()
                              for r in self.rows]
        self.beginResetModel()
        if needle:
            hay = self._haystack
            self.shown = [(layer, kept) for layer, idx in self.groups if (kept := [i for i in idx if needle in hay[i]])]
        else:
            self.shown = self.groups
        self.filtering = bool(needle)
        self.endResetModel()
        return sum(len(idx) for _layer, idx in self.shown)

    # ------------------------------------------------------------------ the model interface
    def index(self, row: int, column: int, parent=QtCore.QModelIndex()):
        if not self.hasIndex(row, column, parent):
            return QtCore.QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index=QtCore.QModelIndex()):
        if not index.isValid() or index.internalId() == GROUP:
            return QtCore.QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, GROUP)

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.shown)
        if parent.internalId() == GROUP and parent.column() == 0:
            return len(self.shown[parent.row()][1])
        return 0

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation, role=QtCore.Qt.DisplayRole):
        if orientation == QtCore.Qt.Horizontal and role == QtCore.Qt.DisplayRole:
            return translate("NodeListing", COLUMNS[section])
        return None

    def node_row(self, index):
        """The NodeRow behind an index, or None for a layer row."""
        if not index.isValid() or index.internalId() == GROUP:
            return None
        return self.rows[self.shown[index.internalId() - 1][1][index.row()]]

    def data(self, index, role=QtCore.Qt.DisplayRole):
        if index.isValid() and role == PREFIX_ROLE and index.internalId() != GROUP and index.column() == 0:
            return self.prefixes.get(self.shown[index.internalId() - 1][0], 0)
        if not index.isValid() or role not in (QtCore.Qt.DisplayRole, QtCore.Qt.ToolTipRole):
            return None
        col = index.column()
        if index.internalId() == GROUP:
            layer, idx = self.shown[index.row()]
            if col != 1:
                return layer if col == 0 else None
            total = self.totals.get(layer, len(idx))
            if self.filtering:
                return plural(total, self.tr("{1} of {0} node"), self.tr("{1} of {0} nodes"), f"{len(idx):,}")
            return plural(total, self.tr("{0} node"), self.tr("{0} nodes"))
        row = self.node_row(index)
        return (row.name, row.op, ", ".join(row.inputs), ", ".join(row.outputs), row.shapes,
                ", ".join(row.parameters))[col]


class GraphView(QtWidgets.QWidget):
    def __init__(self, session=None, parent=None):
        super().__init__(parent)
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText(self.tr("search op type, node, input, output, shape or parameter…"))
        self.search.setClearButtonEnabled(True)
        self.count = QtWidgets.QLabel()
        self.listing = NodeListing(self)
        self.tree = QtWidgets.QTreeView()
        self.tree.setModel(self.listing)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(QtCore.Qt.ElideMiddle)
        self.columns = ColumnFit(self.tree, self.tree.header(), elastic=0,
                                 caps=LIST_SHARES)
        self.tree.selectionModel().currentChanged.connect(self._show_detail)
        self.empty = QtWidgets.QLabel(alignment=QtCore.Qt.AlignCenter)  # "no node matches …"
        self.empty.setVisible(False)
        self.detail = QtWidgets.QTextBrowser()  # the selected node in full: every input, output and shape
        self.detail.setPlaceholderText(self.tr("Select a node to see all its inputs, outputs and parameters."))
        self._timer = QtCore.QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)  # filter once typing pauses
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        split = KeptSplitter("graph/splitter", QtCore.Qt.Vertical)
        listing = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(listing)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.empty)
        ll.addWidget(self.tree, 1)
        split.addWidget(listing)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.split = split
        lay.addWidget(split, 1)
        self.rows = []
        self.filled = True
        self._measure([])

    def clear(self) -> None:
        self.listing.set_rows([])
        self.rows = []
        self.count.setText("")
        self.detail.clear()
        self.empty.setVisible(False)

    def fill(self, census):
        """One step: the rows were made off the GUI thread (census.node_rows); the view reads what it shows."""
        self.rows = census.node_rows
        self.filled = False
        yield
        self.listing.set_rows(self.rows)
        yield  # the columns' widths in a step of their own
        self._measure(self.rows)
        self.filled = True
        if self.search.text().strip():
            self.apply_filter()
        else:
            self.count.setText(plural(len(self.rows), self.tr("{0} node"), self.tr("{0} nodes")))

    def apply_filter(self) -> int:
        """Show only the nodes that match the search; returns how many are shown."""
        needle = self.search.text().strip()
        shown = self.listing.set_filter(needle)
        if needle and self.listing.rowCount() <= EXPAND_UP_TO:  # a few layers: open them to show the matches
            self.tree.expandAll()
        n = len(self.rows)
        self.count.setText(plural(n, self.tr("{1} of {0} node"), self.tr("{1} of {0} nodes"), f"{shown:,}")
                           if needle else plural(n, self.tr("{0} node"), self.tr("{0} nodes")))
        self.empty.setText(self.tr("No node matches “{0}”.").format(needle))
        self.empty.setVisible(bool(needle) and not shown and bool(self.rows))
        return shown

    def _show_detail(self, index) -> None:
        row = self.listing.node_row(index)
        if row is None:
            self.detail.clear()
            return
        esc = html.escape
        items = lambda xs: "<br>".join(esc(x) for x in xs) or "–"  # noqa: E731
        self.detail.setHtml(
            f"<b>{esc(row.name)}</b> &nbsp;<code>{esc(row.op)}</code> &nbsp;({esc(row.layer)})"
            f"<table cellspacing=6><tr><td valign=top><i>{self.tr('inputs')}</i></td><td><code>{items(row.inputs)}</code></td></tr>"
            f"<tr><td valign=top><i>{self.tr('outputs')}</i></td><td><code>{items(row.outputs)}</code></td></tr>"
            f"<tr><td valign=top><i>{self.tr('input shapes')}</i></td><td><code>{esc(row.shapes) or '–'}</code></td></tr>"
            f"<tr><td valign=top><i>{self.tr('parameters')}</i></td><td><code>{items(row.parameters)}</code></td></tr></table>")

    def _measure(self, rows) -> None:
        """Column widths from the rows' text: every op and layer, a sample's names and lists."""
        fm = self.tree.fontMetrics()
        sample = rows[:MEASURED_ROWS]
        step = self.tree.indentation()
        counts = [self.listing.data(self.listing.index(i, 1)) for i in range(min(self.listing.rowCount(), 200))]
        self.columns.set_content([
            max(text_width(fm, [r.name for r in sample]) + 2 * step, text_width(fm, {r.layer for r in rows}) + step),
            text_width(fm, {r.op for r in rows} | set(counts)),
            text_width(fm, [", ".join(r.inputs) for r in sample]),
            text_width(fm, [", ".join(r.outputs) for r in sample]),
            text_width(fm, [r.shapes for r in sample]),
            text_width(fm, [", ".join(r.parameters) for r in sample])])

    # ------------------------------------------------------------------ kept across a rebuild
    def state(self) -> dict:
        return {"search": self.search.text()}

    def restore_state(self, state: dict) -> None:
        if search := state.get("search"):
            self.search.setText(search)
            self.apply_filter()
