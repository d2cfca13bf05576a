"""The candidates a step chose between: token, probability bar, id (the Generate tab's middle, bottom); and the
way to branch the run: continue it from that step with another of its candidates."""

from __future__ import annotations

from .. import palette, units
from .qt_compat import QtCore, QtGui, QtWidgets

BAR_STEPS = 1000  # the probability bars' resolution
TOKEN_WIDTH, ID_WIDTH = 150, 70  # fixed: a long token elides instead of pushing the bars over
TOKEN_ROLE = QtCore.Qt.UserRole + 1
ROW_PADDING = 10  # a row: a line of text and its bar's frame


class CandidatesTable(QtWidgets.QWidget):
    branch = QtCore.Signal(int, int)  # step index, the token to continue with instead

    def __init__(self, parent=None):
        super().__init__(parent)
        self.step_index: int | None = None
        self.can_branch = False
        self.title = QtWidgets.QLabel(self.tr("Candidates"))
        self.title.setTextFormat(QtCore.Qt.PlainText)
        self.title.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("token"), self.tr("probability"), self.tr("id")])
        self.table.verticalHeader().setVisible(False)
        self.table.setTextElideMode(QtCore.Qt.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.Interactive)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.Stretch)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.Fixed)
        self.table.setColumnWidth(0, TOKEN_WIDTH)
        self.table.setColumnWidth(2, ID_WIDTH)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + ROW_PADDING)
        self.table.setToolTip(self.tr("Double-click a candidate to continue the run from this step with it instead"))
        self.table.itemSelectionChanged.connect(self._update_button)
        self.table.cellDoubleClicked.connect(lambda row, _col: self._branch(row))
        self.branch_btn = QtWidgets.QPushButton(self.tr("Continue with This Token"))
        self.branch_btn.setToolTip(self.tr("Cut the run after this step, put the chosen candidate in place of the "
                                           "model's token, and generate on from there (a branch)"))
        self.branch_btn.clicked.connect(lambda: self._branch(self.table.currentRow()))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.branch_btn, 0, QtCore.Qt.AlignRight)
        self._update_button()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.step_index = None
        self.title.setText(self.tr("Candidates"))
        self._update_button()

    def show_step(self, step, rows: list[tuple[str, float, int, bool]], can_branch: bool = False) -> None:
        """`rows`: (token text, probability, id, chosen), most probable first.  `can_branch`: the run is not
        running, so a candidate may be chosen to continue from."""
        same = step.index == self.step_index and self.table.rowCount() == len(rows)
        picked = self.table.currentRow() if same else -1
        self.step_index, self.can_branch = step.index, can_branch
        title = self.tr("Candidates at step {0}: chose {1} with p = {2}; entropy {3} bits").format(
            step.index + 1, units.token(step.text), f"{step.prob:.3f}", f"{step.entropy:.2f}")
        if getattr(step, "forced", False):
            title += self.tr(" (your choice; the model chose {0})").format(
                units.token(next((t for t, _p, i, _c in rows if i == step.sampled_id), str(step.sampled_id))))
        self.title.setText(title)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, (text, p, tid, chosen) in enumerate(rows):
            tok = QtWidgets.QTableWidgetItem(units.token(text, quoted=False))  # spaces as ␣, newlines as ↵
            tok.setToolTip(units.token(text))
            tok.setData(TOKEN_ROLE, tid)
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
        if 0 <= picked < len(rows):
            self.table.selectRow(picked)
        else:
            self.table.clearSelection()
        self.table.blockSignals(False)
        self._update_button()

    def _token(self, row: int) -> int | None:
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(TOKEN_ROLE) if item is not None else None

    def _update_button(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        ok = self.can_branch and self.step_index is not None and bool(rows)
        self.branch_btn.setEnabled(ok)

    def _branch(self, row: int) -> None:
        token = self._token(row)
        if self.can_branch and self.step_index is not None and token is not None:
            self.branch.emit(self.step_index, int(token))
