"""Which file of the folder to take: the recommendation of compare.advice for a memory budget a person types, said
again at each edit from the table already read (no model is run again), and the marks the variants' table gives
its rows — the file to take, the one to avoid, the files no better than another, a name its storage contradicts.
"""

from __future__ import annotations

import html

from .. import palette
from ..errors import InspectorError
from . import i18n
from .i18n import translate
from .qt_compat import QtCore, QtGui, QtWidgets



def read_budget(text: str) -> int | None:
    """The field's text as bytes; empty: no budget.  Raises InspectorError for what is not a size."""
    from ..compare.advice import parse_budget

    return parse_budget(text) if text.strip() else None


class VariantsAdvice(QtWidgets.QWidget):
    """A budget field and the recommendation beneath the variants' table's title."""

    budget_changed = QtCore.Signal(str)  # the field's text, each edit (the session keeps it)
    advised = QtCore.Signal(object)  # compare.advice.Advice, or None: the table marks its rows

    def __init__(self, budget: str = "", parent=None):
        super().__init__(parent)
        self.field = QtWidgets.QLineEdit(budget)
        self.field.setPlaceholderText(translate("VariantsAdvice", "any size"))
        self.field.setClearButtonEnabled(True)
        self.field.setMaximumWidth(160)
        self.field.setToolTip(translate("VariantsAdvice", "The most the file may take, e.g. 300 kB, 800 MB, 1.5 GB or 4 GiB "
                                  "(MB = 10⁶ bytes); empty: any size. The recommendation follows as you type, "
                                  "from the table already read."))
        self.field.textChanged.connect(self._edited)
        self.line = QtWidgets.QLabel()
        self.line.setWordWrap(True)
        self.line.setTextFormat(QtCore.Qt.RichText)
        self.line.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QtWidgets.QLabel(translate("VariantsAdvice", "memory budget")))
        row.addWidget(self.field)
        row.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.line)
        self.rows: list | None = None
        self.advice = None
        self.error: str | None = None

    def set_rows(self, rows) -> None:
        """A new table (compare.variants.VariantRow list): advise on it."""
        self.rows = rows
        self.readvise()

    def set_budget(self, text: str) -> None:
        if text != self.field.text():
            self.field.setText(text)

    def _edited(self, text: str) -> None:
        self.budget_changed.emit(text)
        self.readvise()

    def readvise(self) -> None:
        from ..compare.advice import advise

        self.error = None
        self.advice = None
        if self.rows is not None:
            try:
                budget = read_budget(self.field.text())
            except InspectorError as exc:
                self.error = i18n.describe_error(exc)[0]
            else:
                self.advice = advise(self.rows, budget)
        self._show()
        self.advised.emit(self.advice)

    def _show(self) -> None:
        field_colour = palette.WARNING if self.error else ""
        self.field.setStyleSheet(f"color: {field_colour}" if field_colour else "")
        if self.error:
            self.line.setText(f"<span style='color:{palette.WARNING}'>{html.escape(self.error)}</span>")
        elif self.advice is not None and self.advice.sentences:
            said = [html.escape(i18n.core(s)) for s in self.advice.sentences]
            lines = [f"<b>{said[0]}</b>"] + said[1:]  # what to take, then what to avoid
            flagged = [r.file for r in self.rows or [] if r.flag is not None]
            if flagged:
                lines.append(f"<span style='color:{palette.NOTE}'>⚠ " + html.escape(
                    translate("VariantsAdvice", "Named for fewer bits than their matrices are stored in: {0} (hover a file for why).").format(
                        ", ".join(flagged))) + "</span>")
            self.line.setText("<br>".join(lines))
        else:
            self.line.setText(translate("VariantsAdvice", "No recommendation: no file could be read against the reference."))

    def text(self) -> str:
        """The recommendation as shown, plain."""
        doc = QtGui.QTextDocument()
        doc.setHtml(self.line.text())
        return doc.toPlainText()
