"""The figures llama.cpp reports for a quantization against its base (compare.scoreboard), over A's continuation
and over a text side by side, with what was read in a caption: the table a person lines up with the GGUF world.

The core formats the values and names each row with one of its sentences; this translates the names and lays out
the table so that the numbers are never cut (the row names give way, whole in their tooltips).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import safe_text
from . import i18n
from .i18n import translate
from .columns import TEXT_WAYS, ColumnFit, compact_rows, measure_table
from .qt_compat import QtCore, QtWidgets

QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP
COLUMNS = [QT_TRANSLATE_NOOP("ScoreboardTable", "figure"), QT_TRANSLATE_NOOP("ScoreboardTable", "continuation"),
           QT_TRANSLATE_NOOP("ScoreboardTable", "text")]
TEXT_COLUMN = 2
LABEL_FLOOR_CHARS = 12  # the figures' names elide before the numbers do



def text_caption(text, positions: int | None) -> str:
    """What the two columns were read on: A's continuation, and the text (its file, or the bundled sample, and
    its windows)."""
    parts = []
    if positions is not None:
        parts.append(translate("ScoreboardTable", "continuation: A's greedy continuation, {0} positions").format(positions))
    if text is None:
        parts.append(translate("ScoreboardTable", "text: none read"))
    else:
        where = translate("ScoreboardTable", "the bundled sample") if text.file is None else safe_text(Path(text.file).name, 60)
        parts.append(translate("ScoreboardTable", "text: {0}, {1} tokens in windows of {2} moving by {3}").format(
            where, f"{text.tokens:,}", text.window, text.stride))
    return "; ".join(parts)


class ScoreboardTable(QtWidgets.QWidget):
    """The caption above, the table beneath (a row per figure; the text's column hidden when none was read)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([translate("ScoreboardTable", c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.NoSelection)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)  # the names give way instead
        compact_rows(self.table)
        self.table.fit = ColumnFit(self.table, self.table.horizontalHeader(), elastic=0, ways=TEXT_WAYS,
                                   floor_chars=LABEL_FLOOR_CHARS)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.table, 1)
        self.rows: list = []

    def set_comparison(self, tokens, text) -> None:
        """`tokens`: compare.tokens.TokenComparison, `text`: compare.text.TextComparison (either may be None)."""
        from ..compare.scoreboard import scoreboard

        self.rows = scoreboard(tokens, text) if tokens is not None or text is not None else []
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            name = QtWidgets.QTableWidgetItem(i18n.core(row.label))
            name.setToolTip(name.text())
            self.table.setItem(r, 0, name)
            for c, value in ((1, row.continuation), (2, row.text)):
                item = QtWidgets.QTableWidgetItem(value)
                item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.setColumnHidden(TEXT_COLUMN, text is None)
        self.table.fit.set_content(measure_table(self.table))
        self.caption.setText(text_caption(text, len(tokens.kl) if tokens is not None else None) if self.rows else
                             translate("ScoreboardTable", "No figures: give a prompt and press Compare again."))

    def needed_width(self) -> int:
        """The table's width with every name whole."""
        t = self.table
        return t.fit.needed() + 2 * t.frameWidth() + t.verticalScrollBar().sizeHint().width()
