"""The Overview's line for a mixture of experts: how many parameters there are and how many one token uses,
what "used" counts, and — prominently — an export that lost experts (which block, which experts, and that the file
is not the trained model).  Hidden for a dense model.  The sentences are the core's (model/moe.py)."""

from __future__ import annotations

from .. import palette
from ..model.moe import ACTIVE_WHAT, moe_of
from . import i18n
from .qt_compat import QtCore, QtWidgets


def _label(style: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setWordWrap(True)
    label.setTextFormat(QtCore.Qt.PlainText)
    label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
    label.setStyleSheet(style)
    return label


class MoESummary(QtWidgets.QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.line = _label("font-weight: bold")
        self.what = _label(f"color: {palette.LABEL}")
        self.warnings = _label(f"color: {palette.WARNING}; font-weight: bold; border: 1px solid {palette.WARNING};"
                               " padding: 4px")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(2)
        for label in (self.line, self.what, self.warnings):
            lay.addWidget(label)
        self.moe = None
        self.set_census(None)

    def set_census(self, census) -> None:
        self.moe = moe = moe_of(census) if census is not None else None
        summary = moe.summary() if moe is not None else None
        self.line.setText(i18n.core(summary) if summary is not None else "")
        self.what.setText(i18n.core(ACTIVE_WHAT) if summary is not None else "")
        lost = [w["text"] for w in moe.warnings] if moe is not None else []
        self.warnings.setText("\n".join("⚠ " + i18n.core(t) for t in lost))
        self.line.setVisible(summary is not None)
        self.what.setVisible(summary is not None)
        self.warnings.setVisible(bool(lost))
        self.setVisible(moe is not None)

    def text(self) -> str:
        return "\n".join(label.text() for label in (self.line, self.what, self.warnings) if label.text())
