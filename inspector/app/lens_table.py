"""The logit lens of one step: a row per block, its top candidates shaded by probability, the chosen token
marked where it first appears."""

from __future__ import annotations

from .. import palette, units
from .qt_compat import QtGui, QtWidgets

MAX_SHADE = 0.55  # a certain candidate is this dark, so its text stays readable
FIRST_MARK = "▸ "


class LensTable(QtWidgets.QTableWidget):
    def __init__(self, parent=None):
        super().__init__(0, 0, parent)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Interactive)  # sized once per fill
        self.verticalHeader().setDefaultSectionSize(22)
        self.first: tuple[int, int] | None = None  # (block, rank) where the chosen token first appears

    def show_lens(self, lens: list | None, chosen: int, text_of) -> None:
        """`lens`: per block, [(id, probability), …] most probable first (None: not read)."""
        self.setUpdatesEnabled(False)
        try:
            lens = lens or []
            k = max((len(row) for row in lens if row), default=0)
            if (self.rowCount(), self.columnCount()) != (len(lens), k):
                self.setRowCount(len(lens))
                self.setColumnCount(k)
                self.setHorizontalHeaderLabels([f"#{r + 1}" for r in range(k)])
                last = len(lens) - 1
                self.setVerticalHeaderLabels([self.tr("block {0}").format(b) + (self.tr(" (output)") if b == last else "")
                                              for b in range(len(lens))])
            self.first = next(((b, r) for b, row in enumerate(lens) if row
                               for r, (i, _p) in enumerate(row) if i == chosen), None)
            bold = self.font()
            bold.setBold(True)
            plain, ink, red = self.font(), self.palette().text().color(), QtGui.QColor(palette.CHOSEN_MARK)
            for b, row in enumerate(lens):
                for r in range(k):
                    item = self.item(b, r)
                    if item is None:  # made once, then reused: a new item per cell per step costs a layout
                        item = QtWidgets.QTableWidgetItem()
                        self.setItem(b, r, item)
                    if not row or r >= len(row):
                        item.setText("–")
                        item.setBackground(QtGui.QColor("#ffffff"))
                        item.setToolTip("")
                        continue
                    tid, p = row[r]
                    mark = (b, r) == self.first
                    item.setText(f"{FIRST_MARK if mark else ''}{units.token(text_of(tid))}  {p:.2f}")
                    item.setBackground(QtGui.QColor(palette.tint(palette.LENS_SHADE, MAX_SHADE * p)))
                    item.setFont(bold if tid == chosen else plain)
                    item.setForeground(red if mark else ink)
                    item.setToolTip(self.tr("id {0}: p = {1} after block {2}").format(tid, f"{p:.4f}", b)
                                    + (self.tr(" — the chosen token's first appearance") if mark else ""))
            self.resizeColumnsToContents()
        finally:
            self.setUpdatesEnabled(True)

    def clear_lens(self) -> None:
        self.setRowCount(0)
        self.setColumnCount(0)
        self.first = None

