"""The Generate tab's "Switched off" pane: the intact and the switched-off runs side by side, where their texts part
marked in both, and per step what the switched-off model chose against the intact one (the intact model's
probability of that token, KL(intact ‖ switched off), the candidates that rose and fell the most).

The data is the core's AblationComparison (engine/ablation_run.py), run by the session (session/ablation.py); this
pane only draws it.  Steps are numbered as everywhere a person reads them: the first generated token is step 1.
"""

from __future__ import annotations

import html

from .. import ablation_text as say
from .. import palette, units
from . import i18n
from .ablation_bar import AblationBar
from .qt_compat import QtCore, QtGui, QtWidgets

SHIFTS_SHOWN = 3  # candidates that rose (fell) the most, per step in the table
SHIFTS_DETAILED = 5  # … for the selected step, under the table
COLUMNS = (
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "step"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "intact run"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "switched off"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "p intact"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "p off"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "KL (nats)"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "rose"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "fell"),
)
TIPS = (
    "",
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The token the intact run chose at this step"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The token the run with the parts switched off chose at this step"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The intact model's probability of the switched-off run's token, at the "
                             "switched-off run's context"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The switched-off model's probability of its token"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "KL(intact ‖ switched off) of the next-token distributions at the same "
                             "context: 0 where switching off changed nothing"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The candidates whose probability rose the most (intact → switched off)"),
    QtCore.QT_TRANSLATE_NOOP("AblationPanel", "The candidates whose probability fell the most (intact → switched off)"),
)


def run_html(prompt: str, steps, parted: int | None) -> str:
    """A run's text: the prompt grey, the generated tokens after it, from the step where the runs part (`parted`)
    on shaded, the first of them underlined."""
    out = [f'<span style="color:{palette.PROMPT_TEXT}">{html.escape(prompt)}</span>']
    for s in steps:
        text = html.escape(s.shown or "").replace("\n", "↵<br>")
        if parted is not None and s.index >= parted:
            style = f"background:{palette.DIVERGED}" + (";text-decoration:underline;font-weight:bold"
                                                         if s.index == parted else "")
            text = f'<span style="{style}">{text}</span>'
        out.append(text)
    return f'<div style="line-height:150%">{"".join(out)}</div>'


class AblationPanel(QtWidgets.QWidget):
    def __init__(self, ablation, parent=None):
        super().__init__(parent)
        self.ablation = ablation
        self.comparison = None
        self.bar = AblationBar(ablation)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.intact = QtWidgets.QTextBrowser()
        self.off = QtWidgets.QTextBrowser()
        self.intact.setPlaceholderText(self.tr("The intact model's text appears here."))
        self.off.setPlaceholderText(self.tr("The text with the parts switched off appears here."))
        texts = QtWidgets.QWidget()
        tl = QtWidgets.QGridLayout(texts)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QtWidgets.QLabel(self.tr("<b>Intact</b>")), 0, 0)
        tl.addWidget(QtWidgets.QLabel(self.tr("<b>Switched off</b>")), 0, 1)
        tl.addWidget(self.intact, 1, 0)
        tl.addWidget(self.off, 1, 1)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        for i, tip in enumerate(TIPS):
            if tip:
                self.table.horizontalHeaderItem(i).setToolTip(self.tr(tip))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):  # the numbers and tokens whole; the shifts share the rest (tooltips hold them)
            header.setSectionResizeMode(col, QtWidgets.QHeaderView.Stretch if col >= 6 else
                                        QtWidgets.QHeaderView.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.detail = QtWidgets.QLabel()  # the selected step's shifts whole (the table's columns may be narrow)
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.table.itemSelectionChanged.connect(self._row_picked)
        steps = QtWidgets.QWidget()
        sl = QtWidgets.QVBoxLayout(steps)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.table, 1)
        sl.addWidget(self.detail)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(texts)
        split.addWidget(steps)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(self.bar)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        ablation.comparison_changed.connect(self.show_comparison)
        self.show_comparison(ablation.comparison)

    def show_comparison(self, comparison) -> None:
        self.comparison = comparison
        self.table.setRowCount(0)
        self.detail.setText("")
        if comparison is None:
            self.summary.setText("")
            self.summary.setVisible(False)
            self.intact.clear()
            self.off.clear()
            return
        parted = comparison.divergence
        n = len(comparison.ablated.new_ids)
        lines = [i18n.core(comparison.label())]
        if parted is None:
            lines.append(i18n.core(say.SAME_TOKENS(n)))
        else:
            lines.append(i18n.core(say.PART_AT(parted + 1, self._token(comparison.intact.new_ids, parted),
                                               self._token(comparison.ablated.new_ids, parted))))
        if comparison.note:
            lines.append(i18n.core(comparison.note))
        self.summary.setText("<br>".join(html.escape(line) for line in lines))
        self.summary.setVisible(True)
        prompt = comparison.intact.prompt or ""
        self.intact.setHtml(run_html(prompt, comparison.intact.steps, parted))
        self.off.setHtml(run_html(prompt, comparison.ablated.steps, parted))
        self._fill_table(comparison)

    def _row_picked(self) -> None:
        """The selected step's KL and the candidates that rose and fell the most, in the core's sentences."""
        row = self.table.currentRow()
        if self.comparison is None or not 0 <= row < len(self.comparison.changes):
            self.detail.setText("")
            return
        c = self.comparison.changes[row]
        lines = [self.tr("<b>step {0}</b>: KL {1} nats").format(c.index + 1, f"{c.kl:.4f}")]
        for said, shifts in ((say.ROSE, c.rose), (say.FELL, c.fell)):
            if shifts:
                lines.append(html.escape(i18n.core(said(self._shifts(shifts, SHIFTS_DETAILED)))))
        self.detail.setText("; ".join(lines))

    def _token(self, ids: list[int], i: int) -> str:
        if i >= len(ids):
            return "—"  # that run had ended
        return units.token(self.comparison.texts.get(ids[i], f"<{ids[i]}>"))

    def _shifts(self, shifts, n: int = SHIFTS_SHOWN) -> str:
        texts = self.comparison.texts
        return ", ".join(f"{units.token(texts.get(s.id, f'<{s.id}>'))} {s.intact:.2f}→{s.ablated:.2f}"
                         for s in shifts[:n])

    def _fill_table(self, comparison) -> None:
        changes = comparison.changes
        self.table.setRowCount(len(changes))
        intact_ids, off_ids = comparison.intact.new_ids, comparison.ablated.new_ids
        parted = comparison.divergence
        for row, c in enumerate(changes):
            cells = (str(c.index + 1), self._token(intact_ids, c.index), self._token(off_ids, c.index),
                     f"{c.intact_prob:.3f}", f"{c.prob:.3f}", f"{c.kl:.4f}", self._shifts(c.rose),
                     self._shifts(c.fell))
            differs = c.index >= len(intact_ids) or intact_ids[c.index] != off_ids[c.index]
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if col in (0, 3, 4, 5):
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if differs:
                    item.setBackground(QtGui.QColor(palette.DIVERGED))
                if col in (6, 7):
                    item.setToolTip(text)
                self.table.setItem(row, col, item)
        if changes:  # the step where the runs part, else the first: its shifts whole under the table
            first = parted if parted is not None and parted < len(changes) else 0
            self.table.selectRow(first)
            self.table.scrollToItem(self.table.item(first, 0))
