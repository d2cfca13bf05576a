"""A one-line label for status and progress text: shortened with "…" to its width, the whole text in its tooltip,
so a long line (or one in Chinese, with no spaces) is never cut in the middle of a word without saying so."""

from __future__ import annotations

from .qt_compat import QtCore, QtWidgets


class ElidedLabel(QtWidgets.QLabel):
    """One line that shortens itself with "…" to its width (a status line never breaks inside a word)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.setMinimumWidth(40)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, QtCore.Qt.ElideRight, max(0, self.width())))
