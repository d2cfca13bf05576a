"""The candidates a step chose between: token, probability bar, id (the Generate tab's middle, bottom)."""

from __future__ import annotations

from .. import palette
from .qt_compat import QtGui, QtWidgets

BAR_STEPS = 1000  # the probability bars' resolution


class CandidatesTable(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel("Candidates")
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["token", "probability", "id"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QtWidgets.QHeaderView.Stretch)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.table)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.title.setText("Candidates")

    def show_step(self, step, rows: list[tuple[str, float, int, bool]]) -> None:
        """`rows`: (token text, probability, id, chosen), most probable first."""
        self.title.setText(f"Candidates at step {step.index + 1}: chose {step.text!r} with p = {step.prob:.3f}; "
                           f"entropy {step.entropy:.2f} bits")
        self.table.setRowCount(len(rows))
        for r, (text, p, tid, chosen) in enumerate(rows):
            tok = QtWidgets.QTableWidgetItem(repr(text)[1:-1])
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
        self.table.resizeColumnToContents(0)
