"""The experts of the step on show, per MoE block, shaded by their share of the router's weight (the Inside tab,
for a mixture of experts only).  Routing is read at every step of a MoE run, with or without the inside."""

from __future__ import annotations

import html

from .. import palette
from .qt_compat import QtCore, QtWidgets
from .routing_strip import shares

MAX_LINES = 3  # more blocks than fit scroll inside the pane


class StepExperts(QtWidgets.QScrollArea):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(QtCore.Qt.RichText)
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Maximum)
        self.rows: list[tuple[int, list[tuple[int, float]]]] = []

    def sizeHint(self) -> QtCore.QSize:
        """As tall as the text at the pane's width, up to MAX_LINES lines (then it scrolls)."""
        line = self.fontMetrics().height() + 6
        width = self.width() - self.verticalScrollBar().sizeHint().width() if self.width() > 100 else 800
        return QtCore.QSize(200, min(max(self.label.heightForWidth(width), line), MAX_LINES * line))

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(100, self.fontMetrics().height() + 6)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.updateGeometry()

    def show_step(self, step, blocks: list[int], missing: dict[int, set[int]]) -> None:
        """`step`'s experts (None: a dense model's or none read)."""
        pairs_per_block = step.experts if step is not None and step.experts is not None else None
        if pairs_per_block is None:
            self.rows = []
            self.label.setText("")
            self.updateGeometry()
            return
        self.rows = [(blocks[i] if i < len(blocks) else i, pairs) for i, pairs in enumerate(pairs_per_block)]
        parts = []
        lost_text = html.escape(self.tr("(not in this file)"))
        title = html.escape(self.tr("Experts"))
        for block, pairs in self.rows:
            cells = []
            for e, w, share in shares(pairs):
                shade = 0.15 + 0.85 * share
                colour = "#ffffff" if shade > 0.55 else palette.TOKEN_TEXT
                lost = e in missing.get(block, set())
                border = f"; border: 2px solid {palette.WARNING}" if lost else ""
                cells.append(f'<span style="background-color: {palette.tint(palette.EXPERT, shade)}; color: {colour}'
                             f'{border}">&nbsp;{e}&nbsp;</span>&nbsp;{w:.2f}'
                             + (f' <span style="color: {palette.WARNING}">{lost_text}</span>' if lost else ""))
            name = html.escape(self.tr("block {0}").format(block))
            parts.append(f'<span style="color: {palette.LABEL}">{name}</span>&nbsp;' + "&nbsp; ".join(cells))
        self.label.setText(f"<b>{title}</b>&nbsp;&nbsp; "
                           + " &nbsp;&nbsp;·&nbsp;&nbsp; ".join(parts))
        self.updateGeometry()
