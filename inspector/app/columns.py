"""Table columns sized to what they hold, whatever the fonts: numbers, roles and shapes get their content's width;
one elastic column (a name) gets what is left of the view, down to a floor.  A name too long for it first loses
the start it shares with its neighbours ("transformer.h.0."), then its middle, so the part that tells two names
apart stays ("…attn.c_proj.weight", never "transfor…j.weight" for two tensors).  Past the floor the view
scrolls sideways: the last resort.

Content widths are measured once per fill (the caller knows what it put in), not on every resize.
"""

from __future__ import annotations

from .qt_compat import QtCore, QtGui, QtWidgets

CELL_PADDING = 12  # a cell's margins
TEXT_MARGIN = 3  # what the style keeps free either side of a cell's text
MIN_NAME_CHARS = 14  # the elastic column never goes below this many average characters


PREFIX_ROLE = QtCore.Qt.UserRole + 7  # an item's count of leading characters its neighbours share (0: none)
ELLIPSIS = "…"
SIBLINGS_READ = 200  # more rows under one parent than this: each name elided on its own
CACHE_SIZE = 256


def shared_prefix(names) -> int:
    """How many leading characters every name shares, cut back to a separator (".", "/", ":", "_")."""
    names = [n for n in names if n]
    if len(names) < 2:
        return 0
    first, last = min(names), max(names)
    n = next((i for i, (a, b) in enumerate(zip(first, last)) if a != b), min(len(first), len(last)))
    while n > 0 and first[n - 1] not in "./:_":
        n -= 1
    return n


NAME_WAYS = (QtCore.Qt.ElideLeft, QtCore.Qt.ElideMiddle, QtCore.Qt.ElideRight)  # a name's end tells it apart
TEXT_WAYS = (QtCore.Qt.ElideRight,)  # prose reads from its start


def elide_names(names: list[str], prefix: int, metrics: QtGui.QFontMetrics, width: int,
                ways=NAME_WAYS) -> list[str]:
    """Sibling names (a layer's tensors) shortened to `width` pixels so that no two read alike: whole where they fit,
    else without their shared start (`prefix` characters), then cut at the start, the middle or the end — the first
    of these that keeps every name apart."""
    rests = [n[prefix:] if 0 < prefix < len(n) else n for n in names]
    short = [ELLIPSIS + r if r is not n else n for r, n in zip(rests, names)]
    best = None
    for mode in ways:
        shown = [n if metrics.horizontalAdvance(n) <= width else s if metrics.horizontalAdvance(s) <= width
                 else metrics.elidedText(r, mode, width) for n, s, r in zip(names, short, rests)]
        best = best or shown
        if len(set(shown)) == len(shown):
            return shown
    return best


def elide_name(text: str, prefix: int, metrics: QtGui.QFontMetrics, width: int) -> str:
    """One name in `width` pixels: whole if it fits, else without its shared start, then cut at its start."""
    return elide_names([text], prefix, metrics, width)[0]


class NameElide(QtWidgets.QStyledItemDelegate):
    """Draws a tree's or table's names elided together with their siblings' (`elide_names`): the item's PREFIX_ROLE
    says how much of it its neighbours share; its siblings are the other rows under the same parent."""

    def __init__(self, parent=None, ways=NAME_WAYS):
        super().__init__(parent)
        self.ways = ways
        self._cache: dict = {}

    def paint(self, painter, option, index) -> None:
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        room = style.subElementRect(QtWidgets.QStyle.SE_ItemViewItemText, opt, widget).width() - 2 * TEXT_MARGIN
        if opt.fontMetrics.horizontalAdvance(opt.text) > room:
            opt.text = self._shown(index, opt.fontMetrics, room)
        opt.textElideMode = QtCore.Qt.ElideNone
        style.drawControl(QtWidgets.QStyle.CE_ItemViewItem, opt, painter, widget)

    def _shown(self, index, metrics: QtGui.QFontMetrics, room: int) -> str:
        model, parent = index.model(), index.parent()
        rows = model.rowCount(parent)
        names = [model.index(r, index.column(), parent).data() or "" for r in range(rows)] if rows <= SIBLINGS_READ \
            else [index.data() or ""]
        row = index.row() if len(names) > 1 else 0
        key = (tuple(names), room, metrics.averageCharWidth())
        shown = self._cache.get(key)
        if shown is None:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            shown = self._cache[key] = elide_names(names, int(index.data(PREFIX_ROLE) or 0), metrics, room, self.ways)
        return shown[row]


MEASURED_LONGEST = 64  # of many texts, the longest by characters are measured: one of them is the widest


def text_width(metrics: QtGui.QFontMetrics, texts) -> int:
    """The widest of `texts`, padded as a cell.  Of thousands (a giant graph's node names) only the longest are
    measured: a font's widths differ by character, not enough for a text far shorter to come out wider."""
    texts = [t for t in texts if t]
    if len(texts) > 4 * MEASURED_LONGEST:
        texts = sorted(texts, key=len)[-MEASURED_LONGEST:]
    return max((metrics.horizontalAdvance(t) for t in texts), default=0) + CELL_PADDING


class ColumnFit(QtCore.QObject):
    """Keeps `view`'s columns fitted as the view is resized; `set_content` gives each column's content width."""

    def __init__(self, view: QtWidgets.QAbstractItemView, header: QtWidgets.QHeaderView, elastic: int = 0,
                 indent: int = 0, caps: dict[int, float] | None = None, floor_chars: int = MIN_NAME_CHARS,
                 ways=NAME_WAYS):
        """`indent`: pixels the elastic column's cells lose to a tree's indentation (its floor adds them);
        `caps`: column -> the largest share of the view's width it takes (long lists that may elide too);
        `ways`: how the elastic column shortens (TEXT_WAYS for prose)."""
        super().__init__(view)
        self.view, self.header, self.elastic, self.indent = view, header, elastic, indent
        self.caps = caps or {}
        self.floor_chars = floor_chars
        self.widths: list[int] = []
        self.header.setStretchLastSection(False)
        self.header.setTextElideMode(QtCore.Qt.ElideRight)
        view.setItemDelegateForColumn(elastic, NameElide(view, ways))
        view.viewport().installEventFilter(self)

    def set_content(self, widths: list[int]) -> None:
        """Each column's content width (its header's text included by the caller, or measured here)."""
        fm = self.header.fontMetrics()
        model = self.view.model()
        self.widths = [max(w, fm.horizontalAdvance(str(model.headerData(c, QtCore.Qt.Horizontal) or "")) + CELL_PADDING)
                       for c, w in enumerate(widths)]
        self.fit()

    def floor(self) -> int:
        return self.view.fontMetrics().averageCharWidth() * self.floor_chars + CELL_PADDING

    def needed(self) -> int:
        """The width every shown column's content needs (the elastic one whole)."""
        return sum(w for c, w in enumerate(self.widths) if not self.header.isSectionHidden(c))

    def fit(self) -> None:
        if not self.widths:
            return
        view = self.view.viewport().width()
        widths = [min(w, int(view * self.caps[c])) if c in self.caps else w for c, w in enumerate(self.widths)]
        shown = [c for c in range(len(widths)) if not self.header.isSectionHidden(c)]
        others = sum(widths[c] for c in shown if c != self.elastic)
        name = max(min(widths[self.elastic], view - others), min(self.floor() + self.indent, widths[self.elastic]))
        for c in shown:
            width = name if c == self.elastic else widths[c]
            if c == shown[-1] and c != self.elastic:  # the last one takes any room left over
                width = max(width, view - sum((name if d == self.elastic else widths[d]) for d in shown[:-1]))
            if self.header.sectionSize(c) != width:
                self.header.resizeSection(c, width)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Resize:
            self.fit()
        return False


def measure_table(table: QtWidgets.QTableWidget) -> list[int]:
    """Each column's content width in a small table (every item's text measured)."""
    fm = table.fontMetrics()
    return [text_width(fm, [table.item(r, c).text() for r in range(table.rowCount()) if table.item(r, c)])
            for c in range(table.columnCount())]


def compact_rows(view: QtWidgets.QTableView) -> None:
    """Rows as tall as a line of text needs, not Qt's default 30 px."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
