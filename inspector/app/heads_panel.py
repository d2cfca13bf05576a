"""The Inside tab's "What each head does": a reading of every head on the standard probe (random tokens repeated
twice, engine/heads.py), drawn as a block × head map coloured by role with the loss rise written in each cell, a
legend, the reading's own summary and note, and a table of the scores.  Hovering or clicking a cell shows its
scores; right-clicking it switches the head off (switch_off_menu.py).

The reading runs in the session's worker (session/ablation.py), with progress and cancel; this pane only draws.
"""

from __future__ import annotations

import html

import numpy as np

from .. import ablation_text as say
from .. import palette
from ..engine.heads import DEFAULT_LENGTH, NONE, ROLES, THRESHOLD
from . import i18n
from .qt_compat import QtCore, QtGui, QtWidgets
from .switch_off_menu import SwitchOffMenu

PROGRESS_STEPS = 1000
LABEL_W, HEADER_H, MAX_CELL = 58, 18, 44
COLUMNS = (
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "block"),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "head"),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "role"),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "prev."),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "ind."),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "first"),
    QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "loss rise"),
)
TIPS = {
    3: QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "Previous-token score: the mean attention on the position before"),
    4: QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "Induction score: the mean attention on the token after the current "
                                "one's earlier occurrence"),
    5: QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "First-token score: the mean attention on position 0"),
    6: QtCore.QT_TRANSLATE_NOOP("HeadsPanel", "How much the loss on the repeated half rises (nats per token) with "
                                "this head switched off alone"),
}


def role_colour(role: str) -> QtGui.QColor:
    return QtGui.QColor(palette.HEAD_ROLE.get(role, palette.HEAD_ROLE[NONE]))


class HeadsMap(QtWidgets.QWidget):
    """Block × head, each cell its role's colour (paler the weaker its score), the loss rise written in it."""

    picked = QtCore.Signal(int, int)  # block, head: clicked
    hovered = QtCore.Signal(int, int)  # block, head under the pointer ((-1, -1): none)
    menu_asked = QtCore.Signal(int, int, QtCore.QPoint)  # block, head, where (global)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumHeight(70)
        self.reading = None
        self.selected: tuple[int, int] | None = None
        self.off: set[tuple[int, int | None]] = set()

    def set_reading(self, reading) -> None:
        self.reading = reading
        self.selected = None
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QtCore.QSize:
        blocks = self.reading.n_layer if self.reading else 4
        return QtCore.QSize(360, HEADER_H + blocks * 26 + 4)

    def _cell_size(self) -> tuple[float, float]:
        r = self.reading
        w = min(MAX_CELL * 2, max(1.0, (self.width() - LABEL_W - 4) / r.n_head))
        h = min(MAX_CELL, max(1.0, (self.height() - HEADER_H - 4) / r.n_layer))
        return w, h

    def cell_rect(self, block: int, head: int) -> QtCore.QRectF:
        w, h = self._cell_size()
        return QtCore.QRectF(LABEL_W + head * w, HEADER_H + block * h, w, h)

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        r = self.reading
        if r is None or not r.n_layer or not r.n_head:
            return None
        w, h = self._cell_size()
        b, c = int((pos.y() - HEADER_H) // h), int((pos.x() - LABEL_W) // w)
        return (b, c) if 0 <= b < r.n_layer and 0 <= c < r.n_head and pos.x() >= LABEL_W and pos.y() >= HEADER_H \
            else None

    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        r = self.reading
        if r is None:
            return
        w, h = self._cell_size()
        small = QtGui.QFont(p.font())
        small.setPointSizeF(7.5)
        p.setFont(small)
        fm = p.fontMetrics()
        for hs in r.heads:
            rect = self.cell_rect(hs.block, hs.head)
            colour = role_colour(hs.role)
            if hs.scores and hs.role != NONE:  # paler the nearer the threshold: a strong head stands out
                colour.setAlphaF(0.45 + 0.55 * min(1.0, max(0.0, (hs.scores[hs.role] - THRESHOLD) / (1 - THRESHOLD))))
            p.fillRect(rect.adjusted(1, 1, -1, -1), colour)
            if hs.loss_rise is not None:
                text = f"{hs.loss_rise:+.2f}"
                if fm.horizontalAdvance(text) < rect.width() - 4 and fm.height() < rect.height():
                    p.setPen(QtGui.QColor("#ffffff" if hs.role in ROLES else palette.TOKEN_TEXT))
                    p.drawText(rect, QtCore.Qt.AlignCenter, text)
        p.setPen(QtGui.QColor(palette.LABEL))
        every = max(1, int(np.ceil(12 / max(h, 1))))
        for b in range(0, r.n_layer, every):
            p.drawText(QtCore.QRectF(0, HEADER_H + b * h, LABEL_W - 4, h), QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter,
                       self.tr("block {0}").format(b))
        step = max(1, int(np.ceil(24 / max(w, 1))))
        for c in range(0, r.n_head, step):
            p.drawText(QtCore.QRectF(LABEL_W + c * w, 0, w * step, HEADER_H), QtCore.Qt.AlignLeft | QtCore.Qt.AlignBottom,
                       f"h{c}")
        if self.off:
            p.setPen(QtGui.QPen(QtGui.QColor(palette.SWITCHED_OFF), 1.5))
            for b, head in self.off:
                for c in range(r.n_head) if head is None else (head,):
                    if b < r.n_layer and c < r.n_head:
                        cell = self.cell_rect(b, c).adjusted(2, 2, -2, -2)
                        p.drawLine(cell.topLeft(), cell.bottomRight())
                        p.drawLine(cell.bottomLeft(), cell.topRight())
        if self.selected is not None:
            p.setPen(QtGui.QPen(QtGui.QColor(palette.CHOSEN_MARK), 2))
            p.setBrush(QtCore.Qt.NoBrush)
            p.drawRect(self.cell_rect(*self.selected).adjusted(0, 0, -1, -1))

    def mouseMoveEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        self.hovered.emit(*(cell or (-1, -1)))

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == QtCore.Qt.LeftButton:
            self.selected = cell
            self.update()
            self.picked.emit(*cell)

    def contextMenuEvent(self, event) -> None:
        cell = self.cell_at(QtCore.QPointF(event.pos()))
        if cell is not None:
            self.menu_asked.emit(*cell, event.globalPos())


class HeadsPanel(QtWidgets.QWidget):
    def __init__(self, ablation, parent=None):
        super().__init__(parent)
        self.ablation = ablation
        self.menu: SwitchOffMenu | None = None
        self.read_btn = QtWidgets.QPushButton(self.tr("Read Heads"))
        self.read_btn.setToolTip(self.tr("Score every head on random tokens repeated twice, then switch each off in "
                                         "turn and measure how much the loss on the repeated half rises"))
        self.read_btn.clicked.connect(self.read)
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(ablation.cancel_heads)
        self.length = QtWidgets.QSpinBox(minimum=4, maximum=4096, value=DEFAULT_LENGTH)
        self.length.setToolTip(self.tr("Random tokens in each half of the probe"))
        self.seed = QtWidgets.QSpinBox(minimum=0, maximum=2 ** 31 - 1, value=0)
        self.seed.setToolTip(self.tr("The seed the random tokens are drawn with"))
        self.progress = QtWidgets.QProgressBar(maximum=PROGRESS_STEPS, textVisible=False)
        self.progress.setFixedWidth(90)
        self.status = QtWidgets.QLabel()
        self.status.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.read_btn)
        top.addWidget(QtWidgets.QLabel(self.tr("tokens")))
        top.addWidget(self.length)
        top.addWidget(QtWidgets.QLabel(self.tr("seed")))
        top.addWidget(self.seed)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_btn)
        top.addWidget(self.status, 1)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.legend = QtWidgets.QLabel(self._legend())
        self.legend.setWordWrap(True)
        self.detail = QtWidgets.QLabel()
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.map = HeadsMap()
        self.map.picked.connect(self._picked)
        self.map.hovered.connect(self._hovered)
        self.map.menu_asked.connect(self._menu)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        for col, tip in TIPS.items():
            self.table.horizontalHeaderItem(col).setToolTip(self.tr(tip))
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.itemSelectionChanged.connect(self._row_picked)
        self.table.setContextMenuPolicy(QtCore.Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        left = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.legend)
        ll.addWidget(self.map, 1)
        ll.addWidget(self.detail)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)  # the map over the table: each gets the whole width
        split.addWidget(left)
        split.addWidget(self.table)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        self.split = split
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        ablation.heads_changed.connect(self.show_reading)
        ablation.heads_progress.connect(self._progress)
        ablation.failed.connect(self._failed)
        ablation.parts_changed.connect(self._parts_changed)
        ablation.hooks_changed.connect(self._hooks_changed)
        self.show_reading(ablation.heads)
        self._progress(ablation.reading)
        self._parts_changed(ablation.parts)

    def _legend(self) -> str:
        swatch = '<span style="background:{0}">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{1}'
        return "&nbsp;&nbsp; ".join(swatch.format(palette.HEAD_ROLE[r], html.escape(i18n.core(say.ROLE_NAMES[r])))
                                    for r in (*ROLES, NONE)) + "&nbsp;&nbsp; " + html.escape(
            self.tr("(the number: the loss rise with the head switched off, nats)"))

    # ------------------------------------------------------------------ actions
    def read(self) -> None:
        self.ablation.read_heads(self.length.value(), self.seed.value())

    def _progress(self, state) -> None:
        busy = state is not None
        self.read_btn.setEnabled(not busy and bool(self.ablation.path))
        self.cancel_btn.setVisible(busy)
        self.progress.setVisible(busy)
        if busy:
            fraction, what = state
            self.progress.setValue(int(fraction * PROGRESS_STEPS))
            self.status.setText(i18n.core(what) if what is not None else self.tr("starting…"))
        elif not self.ablation.heads_error:
            self.status.setText("")

    def _hooks_changed(self, _hooks) -> None:
        """Another model (or its parts found): Read Heads is offered when a model is open."""
        self._progress(self.ablation.reading)

    def _failed(self, kind: str, message: str, _details: str) -> None:
        if kind == "heads":
            self.status.setText(message)
            self.status.setToolTip(message)

    def _parts_changed(self, parts) -> None:
        self.map.off = {(p.block, p.head if p.kind == "head" else None) for p in parts if p.kind in ("head", "attn")}
        self.map.update()

    def _menu(self, block: int, head: int, pos: QtCore.QPoint) -> None:
        self.menu = SwitchOffMenu.for_head(self.ablation, block, head, self)
        self.menu.popup(pos)

    def _table_menu(self, pos: QtCore.QPoint) -> None:
        item = self.table.itemAt(pos)
        if item is not None and self.ablation.heads is not None:
            hs = self.ablation.heads.heads[item.data(QtCore.Qt.UserRole)]
            self._menu(hs.block, hs.head, self.table.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ drawing
    def show_reading(self, reading) -> None:
        self.map.set_reading(reading)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        self.detail.setText("")
        if reading is None:
            self.summary.setText(self.tr("Read Heads scores every head as previous-token (looks at the position "
                                         "before), induction (looks at the token after the current one's earlier "
                                         "occurrence) or first-token, on random tokens repeated twice, and measures "
                                         "what the model loses without it."))
            return
        lines = [i18n.core(reading.summary()),
                 i18n.core(say.HEADS_COUNT(*(reading.count(r) for r in (*ROLES, NONE)), len(reading.heads))),
                 i18n.core(say.HEADS_RULE(THRESHOLD, say.NUMBERING))]
        if reading.note:
            lines.append(i18n.core(reading.note))
        best = self.strongest(reading)
        if best is not None:
            lines.append(best)
        self.summary.setText("<br>".join(html.escape(line) for line in lines))
        self.table.setRowCount(len(reading.heads))
        for row, hs in enumerate(reading.heads):
            scores = hs.scores or {}
            values = [hs.block, hs.head, i18n.core(say.ROLE_NAMES[hs.role]),
                      *(scores.get(r) for r in ROLES), hs.loss_rise]
            for col, value in enumerate(values):
                item = _Item("—" if value is None else value if isinstance(value, str) else
                             f"{value:+.3f}" if col == 6 else f"{value:.3f}" if col > 2 else str(value))
                item.setData(QtCore.Qt.UserRole, row)
                item.key = value if not isinstance(value, str) and value is not None else (
                    ROLES.index(hs.role) if col == 2 and hs.role in ROLES else len(ROLES) if col == 2 else -np.inf)
                if col == 0:
                    item.key = (hs.block, hs.head)  # block by block, head by head
                if col != 2:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                else:
                    item.setForeground(role_colour(hs.role) if hs.role != NONE else QtGui.QColor(palette.LABEL))
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0, QtCore.Qt.AscendingOrder)

    def strongest(self, reading) -> str | None:
        """Where no head takes a role but the scores were read, the strongest score, plainly: what this model shows."""
        scored = [(hs.scores[r], r, hs) for hs in reading.heads if hs.scores for r in ROLES]
        if not scored or any(hs.role != NONE for hs in reading.heads):
            return None
        score, role, hs = max(scored, key=lambda t: t[0])
        return self.tr("No head takes a role in this model: the strongest score is {0} {1} (block {2}, head {3}), "
                       "below {4}.").format(i18n.core(say.ROLE_NAMES[role]), f"{score:.3f}", hs.block, hs.head,
                                            THRESHOLD)

    def describe(self, block: int, head: int) -> str:
        """One head's scores and loss rise, as the detail line shows them."""
        hs = self.ablation.heads.head(block, head)
        scores = ", ".join(f"{i18n.core(say.ROLE_NAMES[r])} {hs.scores[r]:.3f}" for r in ROLES) if hs.scores else \
            self.tr("no attention weights to score")
        rise = self.tr("loss rise {0} nats").format(f"{hs.loss_rise:+.3f}") if hs.loss_rise is not None else ""
        return self.tr("<b>block {0}, head {1}</b>: {2} — {3}; {4}").format(
            block, head, html.escape(i18n.core(say.ROLE_NAMES[hs.role])), html.escape(scores), html.escape(rise))

    def _hovered(self, block: int, head: int) -> None:
        if block < 0 or self.ablation.heads is None:
            self.map.setToolTip("")
            return
        text = self.describe(block, head)
        self.map.setToolTip(text)
        if self.map.selected is None:
            self.detail.setText(text)

    def _picked(self, block: int, head: int) -> None:
        self.detail.setText(self.describe(block, head))
        index = block * self.ablation.heads.n_head + head
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(QtCore.Qt.UserRole) == index:
                self.table.blockSignals(True)
                self.table.selectRow(row)
                self.table.blockSignals(False)
                self.table.scrollToItem(self.table.item(row, 0))
                break

    def _row_picked(self) -> None:
        items = self.table.selectedItems()
        if not items or self.ablation.heads is None:
            return
        hs = self.ablation.heads.heads[items[0].data(QtCore.Qt.UserRole)]
        self.map.selected = (hs.block, hs.head)
        self.map.update()
        self.detail.setText(self.describe(hs.block, hs.head))


class _Item(QtWidgets.QTableWidgetItem):
    """A cell that sorts by its value (`key`), not by its text."""

    key = 0.0

    def __lt__(self, other) -> bool:
        try:
            return self.key < other.key
        except (AttributeError, TypeError):
            return super().__lt__(other)
