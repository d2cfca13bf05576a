"""The context as a row of chips, one per position, each shaded by a weight and carrying it underneath: where a
step looked.  Painted (not rich text) so every token keeps its own edges and the choosing position its frame."""

from __future__ import annotations

import numpy as np

from .. import palette, units
from .qt_compat import QtCore, QtGui, QtWidgets

PAD_X, PAD_Y, GAP, LINE_GAP = 4, 2, 3, 6
MAX_SHADE = 0.85
TEXT_POINTS, WEIGHT_POINTS = 11.0, 7.0


class TokenChips(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels: list[str] = []
        self.weights: np.ndarray | None = None
        self._rects: list[QtCore.QRectF] = []
        self.setMouseTracking(True)
        sp = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)

    def set_tokens(self, labels: list[str], weights=None) -> None:
        """`weights`: one per position (None: unshaded); shaded relative to the largest."""
        self.labels = list(labels)
        self.weights = None if weights is None else np.asarray(weights, np.float64)
        self._layout(self.width())
        self.updateGeometry()
        self.update()

    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont]:
        text, small = QtGui.QFont(self.font()), QtGui.QFont(self.font())
        text.setPointSizeF(TEXT_POINTS)
        small.setPointSizeF(WEIGHT_POINTS)
        return text, small

    def _layout(self, width: int) -> float:
        text, small = self._fonts()
        fm, sm = QtGui.QFontMetricsF(text), QtGui.QFontMetricsF(small)
        h = fm.height() + sm.height() + 2 * PAD_Y
        x = y = 0.0
        self._rects = []
        for label in self.labels:
            w = max(fm.horizontalAdvance(units.token(label, quoted=False)), sm.horizontalAdvance("0.00"), 6) + 2 * PAD_X
            if x and x + w > width:
                x, y = 0.0, y + h + LINE_GAP
            self._rects.append(QtCore.QRectF(x, y, w, h))
            x += w + GAP
        return y + h if self.labels else 0.0

    def last_rect(self) -> QtCore.QRectF | None:
        """Where the last chip (the position that chose the token) is drawn."""
        return self._rects[-1] if self._rects else None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return int(self._layout(width)) + 2

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(400, self.heightForWidth(max(self.width(), 400)))

    def resizeEvent(self, event) -> None:
        self._layout(self.width())
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        text, small = self._fonts()
        w = self.weights
        peak = float(w.max()) if w is not None and len(w) and w.max() > 0 else 1.0
        fm = QtGui.QFontMetricsF(text)
        for i, (label, r) in enumerate(zip(self.labels, self._rects)):
            weight = float(w[i]) if w is not None and i < len(w) else None
            shade = MAX_SHADE * (weight / peak) if weight is not None else 0.0
            p.setPen(QtGui.QPen(QtGui.QColor(palette.CHOSEN_MARK), 2) if i == len(self.labels) - 1
                     else QtGui.QPen(QtGui.QColor("#c9d3da"), 1))
            p.setBrush(QtGui.QColor(palette.tint(palette.ATTENTION_RAMP[1], shade)))
            p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
            p.setPen(QtGui.QColor("#ffffff" if shade > 0.5 else palette.TOKEN_TEXT))
            p.setFont(text)
            p.drawText(QtCore.QRectF(r.left(), r.top() + PAD_Y, r.width(), fm.height()), QtCore.Qt.AlignCenter,
                       units.token(label, quoted=False))
            if weight is not None:
                p.setFont(small)
                p.drawText(QtCore.QRectF(r.left(), r.top() + PAD_Y + fm.height(), r.width(), r.height() - fm.height()
                                         - PAD_Y), QtCore.Qt.AlignCenter, f"{weight:.2f}")

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        for i, r in enumerate(self._rects):
            if r.contains(pos):
                weight = self.tr(": weight {0}").format(f"{self.weights[i]:.4f}") if self.weights is not None and i < len(self.weights) else ""
                last = self.tr(" (the position that chose the token)") if i == len(self.labels) - 1 else ""
                self.setToolTip(self.tr("position {0}, {1}").format(i, units.token(self.labels[i])) + weight + last)
                return
        self.setToolTip("")
