"""The candidates a step chose between: token, probability bar, id (the Generate tab's middle, bottom)."""

from __future__ import annotations

from .. import palette, units
from .qt_compat import QtCore, QtGui, QtWidgets

BAR_STEPS = 1000  # the probability bars' resolution
TOKEN_WIDTH, ID_WIDTH = 150, 70  # fixed: a long token elides instead of pushing the bars over


class CandidatesTable(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel(self.tr("Candidates"))
        self.title.setTextFormat(QtCore.Qt.PlainText)
        self.title.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("token"), self.tr("probability"), self.tr("id")])
        self.table.verticalHeader().setVisible(False)
        self.table.setTextElideMode(QtCore.Qt.ElideMiddle)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.Interactive)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.Stretch)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.Fixed)
        self.table.setColumnWidth(0, TOKEN_WIDTH)
        self.table.setColumnWidth(2, ID_WIDTH)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.table)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.title.setText(self.tr("Candidates"))

    def show_step(self, step, rows: list[tuple[str, float, int, bool]]) -> None:
        """`rows`: (token text, probability, id, chosen), most probable first."""
        self.title.setText(self.tr("Candidates at step {0}: chose {1} with p = {2}; entropy {3} bits").format(
            step.index + 1, units.token(step.text), f"{step.prob:.3f}", f"{step.entropy:.2f}"))
        self.table.setRowCount(len(rows))
        for r, (text, p, tid, chosen) in enumerate(rows):
            tok = QtWidgets.QTableWidgetItem(units.token(text, quoted=False))  # spaces as ␣, newlines as ↵
            tok.setToolTip(units.token(text))
            bar = self.table.cellWidget(r, 1)
            if bar is None:  # made once per row, then reused: a new widget per redraw costs a layout
                bar = QtWidgets.QProgressBar()
                bar.setRange(0, BAR_STEPS)
                bar.setTextVisible(True)
                self.table.setCellWidget(r, 1, bar)
            bar.setValue(int(round(p * BAR_STEPS)))
            bar.setFormat(f"{p:.3f}")
            idi = QtWidgets.QTableWidgetItem(str(tid))
            if chosen:
                for it in (tok, idi):
                    it.setBackground(QtGui.QColor(palette.SELECTED))
                    f = it.font()
                    f.setBold(True)
                    it.setFont(f)
            self.table.setItem(r, 0, tok)
            self.table.setItem(r, 2, idi)

