"""Every block × head's attention for one step as a grid of small heat strips over the context, shaded by the
square root of each weight so that the small ones still show.

One image, built with numpy and drawn scaled without smoothing, so a 32 × 32 grid over a long context
costs one drawImage; clicking (or the arrow keys) picks a block and head.
"""

from __future__ import annotations

import numpy as np

from .. import palette, units
from .qt_compat import QtCore, QtGui, QtWidgets

LABEL_W, HEADER_H = 58, 16
GAP = 1  # image pixels between strips
RAMP = np.array(palette.ramp(*palette.ATTENTION_RAMP), np.uint8)
MAX_CELL_H = 56


class AttentionGrid(QtWidgets.QWidget):
    picked = QtCore.Signal(int, int)  # block, head
    menu_asked = QtCore.Signal(int, int, QtCore.QPoint)  # block, head, where (global): a right-click on a head

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self.setMinimumHeight(120)
        self.attention: list | None = None  # per block: [heads, positions] or None
        self.labels: list[str] = []
        self.selected: tuple[int, int | None] | None = None  # block, head (None: the whole block)
        self._image: QtGui.QImage | None = None
        self._shape = (0, 0, 0)  # blocks, heads, positions
        self.off: set[tuple[int, int | None]] = set()  # parts switched off: (block, head), (block, None) its attention

    def set_attention(self, attention: list | None, labels: list[str]) -> None:
        self.attention, self.labels = attention, labels
        self._image = None
        blocks = len(attention or [])
        heads = max((len(a) for a in attention or [] if a is not None), default=0)
        positions = max((np.shape(a)[1] for a in attention or [] if a is not None), default=0)
        self._shape = (blocks, heads, positions)
        if blocks and heads and positions:
            data = np.full((blocks, heads * (positions + GAP) - GAP, 3), 255, np.uint8)  # white gaps
            for b, a in enumerate(attention):
                if a is None:
                    continue
                shade = np.sqrt(np.clip(np.asarray(a, np.float32), 0, 1))  # √weight: small weights still show
                for h in range(shade.shape[0]):
                    x = h * (positions + GAP)
                    data[b, x:x + shade.shape[1]] = RAMP[(shade[h] * 255).astype(np.uint8)]
            self._data = np.ascontiguousarray(data)
            self._image = QtGui.QImage(self._data.data, self._data.shape[1], blocks, self._data.strides[0],
                                       QtGui.QImage.Format_RGB888)
        self.updateGeometry()
        self.update()

    def set_off(self, off: set) -> None:
        """The heads switched off, crossed out: (block, head), or (block, None) for a block's whole attention."""
        self.off = set(off)
        self.update()

    def select(self, block: int, head: int | None) -> None:
        self.selected = (block, head)
        self.update()

    def sizeHint(self) -> QtCore.QSize:
        blocks = self._shape[0] or 12
        return QtCore.QSize(480, HEADER_H + blocks * 14 + 4)

    # ------------------------------------------------------------------ geometry
    def _area(self) -> QtCore.QRectF:
        return QtCore.QRectF(LABEL_W, HEADER_H, max(1, self.width() - LABEL_W - 4),
                             max(1, self.height() - HEADER_H - 4))

    def _cell(self, block: int, head: int) -> QtCore.QRectF:
        blocks, heads, _ = self._shape
        r = self._area()
        w, h = r.width() / heads, min(MAX_CELL_H, r.height() / blocks)
        return QtCore.QRectF(r.left() + head * w, r.top() + block * h, w, h)

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        blocks, heads, _ = self._shape
        if not blocks or not heads:
            return None
        r = self._area()
        h = min(MAX_CELL_H, r.height() / blocks)
        b, c = int((pos.y() - r.top()) // h), int((pos.x() - r.left()) // (r.width() / heads))
        return (b, c) if 0 <= b < blocks and 0 <= c < heads and pos.x() >= r.left() else None

    # ------------------------------------------------------------------ painting and input
    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        blocks, heads, _ = self._shape
        if self._image is None:
            p.setPen(QtGui.QColor(palette.LABEL))
            p.drawText(self.rect(), QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap,
                       self.tr("No attention for this step.") if self.attention is not None else "")
            return
        r = self._area()
        h = min(MAX_CELL_H, r.height() / blocks)
        target = QtCore.QRectF(r.left(), r.top(), r.width(), h * blocks)
        p.drawImage(target, self._image)  # nearest-neighbour: each weight stays a sharp cell
        p.setPen(QtGui.QColor(palette.LABEL))
        font = p.font()
        font.setPointSizeF(7.5)
        p.setFont(font)
        every = max(1, int(np.ceil(12 / max(h, 1))))
        for b in range(0, blocks, every):
            p.drawText(QtCore.QRectF(0, r.top() + b * h, LABEL_W - 4, h), QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter,
                       self.tr("block {0}").format(b))
        cw = r.width() / heads
        step = max(1, int(np.ceil(24 / max(cw, 1))))
        for c in range(0, heads, step):
            p.drawText(QtCore.QRectF(r.left() + c * cw, 0, cw * step, HEADER_H), QtCore.Qt.AlignLeft | QtCore.Qt.AlignBottom,
                       f"h{c}")
        if self.off:
            p.setPen(QtGui.QPen(QtGui.QColor(palette.SWITCHED_OFF), 1.5))
            for b, head in self.off:
                for c in range(heads) if head is None else (head,):
                    if b < blocks and c < heads:
                        cell = self._cell(b, c).adjusted(1, 1, -1, -1)
                        p.drawLine(cell.topLeft(), cell.bottomRight())
                        p.drawLine(cell.bottomLeft(), cell.topRight())
        if self.selected is not None and self.selected[0] < blocks:
            block, head = self.selected
            p.setPen(QtGui.QPen(QtGui.QColor(palette.CHOSEN_MARK), 2))
            p.setBrush(QtCore.Qt.NoBrush)
            if head is None:  # the mean of the block's heads: the whole row
                rect = self._cell(block, 0).united(self._cell(block, heads - 1))
            else:
                rect = self._cell(block, min(head, heads - 1))
            p.drawRect(rect.adjusted(-1, -1, 1, 1))

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == QtCore.Qt.LeftButton:
            self.select(*cell)
            self.picked.emit(*cell)

    def contextMenuEvent(self, event) -> None:
        """A right-click on a head; the menu key: the selected head (the whole block selected: its head 0)."""
        if event.reason() == QtGui.QContextMenuEvent.Keyboard and self.selected is not None and self._shape[1]:
            cell = (self.selected[0], self.selected[1] or 0)
            self.menu_asked.emit(*cell, self.mapToGlobal(self._cell(*cell).center().toPoint()))
            return
        cell = self.cell_at(QtCore.QPointF(event.pos()))
        if cell is not None:
            self.menu_asked.emit(*cell, event.globalPos())

    def mouseMoveEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is None or self.attention is None or self.attention[cell[0]] is None:
            self.setToolTip("")
            return
        b, h = cell
        row = np.asarray(self.attention[b][h])
        top = np.argsort(row)[::-1][:3]
        parts = [f"{self._label(i)} {row[i]:.2f}" for i in top]
        self.setToolTip(self.tr("block {0}, head {1} looked most at: ").format(b, h) + ", ".join(parts))

    def _label(self, i: int) -> str:
        return units.token(self.labels[i]) if i < len(self.labels) else str(i)

    def keyPressEvent(self, event) -> None:
        if self.selected is None or not self._shape[0]:
            return super().keyPressEvent(event)
        b, h = self.selected
        h = h or 0
        moves = {QtCore.Qt.Key_Up: (-1, 0), QtCore.Qt.Key_Down: (1, 0), QtCore.Qt.Key_Left: (0, -1),
                 QtCore.Qt.Key_Right: (0, 1)}
        if event.key() not in moves:
            return super().keyPressEvent(event)
        db, dh = moves[event.key()]
        b = min(max(0, b + db), self._shape[0] - 1)
        h = min(max(0, h + dh), self._shape[1] - 1)
        self.select(b, h)
        self.picked.emit(b, h)
