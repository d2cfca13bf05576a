"""The model drawn as blocks (model/diagram.py), top to bottom, each box with its weights and biases; clicking a
box asks the window to select its layer (and tensor) in Layers."""

from __future__ import annotations

from dataclasses import dataclass

from .. import palette, units
from ..model.diagram import Diagram, model_diagram
from . import i18n
from .qt_compat import QtCore, QtGui, QtWidgets

LEAF_H, ADD_H = 36, 22
FRAME_HEADER, BLOCK_HEADER = 34, 48  # a frame's title and counts (a block's note too) above its children
PAD, GAP, ARROW = 6, 4, 10
MIN_WIDTH = 320  # the boxes' labels and counts fit; the Inside tab's other panes get the rest
FILL = {"embeddings": "#eef3f8", "block": "#f7f7f2", "attn": "#e8f4f2", "mlp": "#f8efe6", "norm": "#f1eef6",
        "add": "#ffffff", "final_norm": "#f1eef6", "lm_head": "#eef3f8"}
HOVER = "#fff4d6"


@dataclass
class Placed:
    key: str
    rect: QtCore.QRectF


def _fill(key: str) -> str:
    for prefix in ("block.attn", "block.mlp", "block.norm", "block.add"):
        if key.startswith(prefix):
            return FILL[prefix.split(".")[1]]
    return FILL.get(key, "#ffffff")


class ModelDiagram(QtWidgets.QWidget):
    """The canvas; `DiagramPanel` adds the block chooser."""

    box_clicked = QtCore.Signal(str, str)  # layer, tensor ('' for a whole layer)
    menu_asked = QtCore.Signal(str, QtCore.QPoint)  # a box's key, where (global): a right-click on it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.diagram: Diagram | None = None
        self.placed: list[Placed] = []
        self.hover: str | None = None
        self.highlight: set[str] = set()  # keys drawn with an accent border (the attention on show)
        self.off: set[str] = set()  # keys of the boxes switched off in the block on show (crossed out)
        self.setMinimumWidth(MIN_WIDTH)

    def set_diagram(self, diagram: Diagram | None) -> None:
        self.diagram = diagram
        self._layout()
        self.update()

    def resizeEvent(self, event) -> None:
        self._layout()
        super().resizeEvent(event)

    # ------------------------------------------------------------------ layout
    def _layout(self) -> None:
        self.placed = []
        if self.diagram is None:
            self.setMinimumHeight(0)
            return
        y, w = float(PAD), float(max(MIN_WIDTH, self.width()) - 2 * PAD)
        for i, box in enumerate(self.diagram.boxes):
            if i:
                y += ARROW
            y = self._place(box, PAD, y, w, vertical=True) + GAP
        self.setMinimumHeight(int(y + PAD))

    def _place(self, box, x: float, y: float, w: float, vertical: bool) -> float:
        """Place `box` at (x, y), `w` wide; returns its bottom.  A block stacks its children; the others put
        theirs side by side."""
        if not box.children:
            h = ADD_H if box.key.startswith("block.add") else LEAF_H
            self.placed.append(Placed(box.key, QtCore.QRectF(x, y, w, h)))
            return y + h
        top = y
        self.placed.append(Placed(box.key, QtCore.QRectF()))  # the frame, sized below (drawn under its children)
        index = len(self.placed) - 1
        y += BLOCK_HEADER if box.key == "block" else FRAME_HEADER
        inner = w - 2 * PAD
        if box.key == "block":
            for j, child in enumerate(box.children):
                if j:
                    y += ARROW / 2
                y = self._place(child, x + PAD, y, inner, vertical=True)
        else:
            n = len(box.children)
            cw = (inner - GAP * (n - 1)) / n
            bottom = y
            for j, child in enumerate(box.children):
                bottom = max(bottom, self._place(child, x + PAD + j * (cw + GAP), y, cw, vertical=False))
            y = bottom
        y += PAD
        self.placed[index] = Placed(box.key, QtCore.QRectF(x, top, w, y - top))
        return y

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if self.diagram is None:
            p.setPen(QtGui.QColor(palette.LABEL))
            p.drawText(self.rect(), QtCore.Qt.AlignCenter, self.tr("Open a model to see it drawn as blocks."))
            return
        small = QtGui.QFont(p.font())
        small.setPointSizeF(7.5)
        bold = QtGui.QFont(p.font())
        bold.setBold(True)
        tops = [pl for pl in self.placed if pl.key in {b.key for b in self.diagram.boxes}]
        for a, b in zip(tops, tops[1:]):  # the data flows down
            x = a.rect.center().x()
            self._arrow(p, x, a.rect.bottom() + GAP, b.rect.top())
        for pl in self.placed:
            box = self.diagram.find(pl.key)
            r = pl.rect
            fill = HOVER if pl.key == self.hover else _fill(pl.key)
            p.setBrush(QtGui.QColor(fill))
            accent = pl.key in self.highlight
            p.setPen(QtGui.QPen(QtGui.QColor(palette.CHOSEN_MARK if accent else "#9aa5ad"), 2 if accent else 1))
            p.drawRoundedRect(r, 5, 5)
            if pl.key in self.off:
                p.setPen(QtGui.QPen(QtGui.QColor(palette.SWITCHED_OFF), 2, QtCore.Qt.DashLine))
                p.drawRoundedRect(r.adjusted(2, 2, -2, -2), 4, 4)
            p.setPen(QtGui.QColor(palette.TOKEN_TEXT))
            p.setFont(bold)
            head = QtCore.QRectF(r.left() + 6, r.top() + 2, r.width() - 12, 18)
            p.drawText(head, QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter | QtCore.Qt.TextSingleLine, i18n.core(box.label))
            if pl.key == "block" and self.diagram.n_layer > 1:
                p.drawText(head, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, f"× {self.diagram.n_layer}")
            p.setFont(small)
            if pl.key.startswith("block.add"):  # one line: what is added
                p.setPen(QtGui.QColor(palette.LABEL))
                p.drawText(head.adjusted(40, 0, 0, 0), QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, i18n.core(box.note))
                continue
            line = QtCore.QRectF(r.left() + 6, r.top() + 19, r.width() - 12, 13)
            if box.parameters:
                self._counts(p, line, box)
            elif box.note and not box.children:
                p.setPen(QtGui.QColor(palette.LABEL))
                p.drawText(line, QtCore.Qt.AlignLeft | QtCore.Qt.TextSingleLine,
                           p.fontMetrics().elidedText(i18n.core(box.note), QtCore.Qt.ElideRight, int(line.width())))
            if box.children and box.note:
                p.setPen(QtGui.QColor(palette.LABEL))
                note = QtCore.QRectF(r.left() + 6, r.top() + 31, r.width() - 12, 13)
                p.drawText(note, QtCore.Qt.AlignLeft | QtCore.Qt.TextSingleLine,
                           p.fontMetrics().elidedText(i18n.core(box.note), QtCore.Qt.ElideRight, int(note.width())))

    def _counts(self, p: QtGui.QPainter, line: QtCore.QRectF, box) -> None:
        compact = line.width() < 150
        fmt = units.count if compact else (lambda n: f"{n:,}")
        x = line.left()
        for kind, n in (("weight", box.weights), ("bias", box.biases)):
            if not n and kind == "bias":
                continue
            text = f"{fmt(n)} {'w' if compact else i18n.core(units.KIND_PLURAL[kind])}  "
            p.setPen(QtGui.QColor(palette.KIND[kind]))
            p.drawText(QtCore.QRectF(x, line.top(), line.right() - x, line.height()),
                       QtCore.Qt.AlignLeft | QtCore.Qt.TextSingleLine, text if not compact or kind == "weight"
                       else f"{fmt(n)} b")
            x += p.fontMetrics().horizontalAdvance(text)

    @staticmethod
    def _arrow(p: QtGui.QPainter, x: float, y0: float, y1: float) -> None:
        p.setPen(QtGui.QPen(QtGui.QColor("#7a868e"), 1.2))
        p.drawLine(QtCore.QPointF(x, y0), QtCore.QPointF(x, y1 - 1))
        p.setBrush(QtGui.QColor("#7a868e"))
        p.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(x - 4, y1 - 5), QtCore.QPointF(x + 4, y1 - 5),
                                       QtCore.QPointF(x, y1)]))

    # ------------------------------------------------------------------ input
    def box_at(self, pos: QtCore.QPointF):
        """The innermost box under `pos`."""
        found = None
        for pl in self.placed:
            if pl.rect.contains(pos):
                found = pl  # children come after their frame: the last hit is the innermost
        return self.diagram.find(found.key) if found and self.diagram else None

    def mouseMoveEvent(self, event) -> None:
        box = self.box_at(event.position())
        key = box.key if box else None
        if key != self.hover:
            self.hover = key
            self.update()
        if box is None:
            self.setToolTip("")
            return
        parts = [i18n.core(box.label)]
        if box.parameters:
            parts.append(self.tr("{0} weights, {1} biases").format(f"{box.weights:,}", f"{box.biases:,}"))
        if box.note:
            parts.append(i18n.core(box.note))
        if box.detail:
            parts.append(i18n.core(box.detail))
        if box.layer:
            parts.append(self.tr("click: {0} in Layers").format(box.layer))
        self.setToolTip("\n".join(parts))

    def leaveEvent(self, event) -> None:
        self.hover = None
        self.update()
        super().leaveEvent(event)

    def contextMenuEvent(self, event) -> None:
        box = self.box_at(QtCore.QPointF(event.pos()))
        if box is not None:
            self.menu_asked.emit(box.key, event.globalPos())

    def mousePressEvent(self, event) -> None:
        box = self.box_at(event.position())
        if box is not None and box.layer and event.button() == QtCore.Qt.LeftButton:
            self.box_clicked.emit(box.layer, box.tensor or "")

    def click_box(self, key: str) -> None:
        """What a click on the box `key` does (for keyboard users' and tests' sake)."""
        box = self.diagram.find(key) if self.diagram else None
        if box is not None and box.layer:
            self.box_clicked.emit(box.layer, box.tensor or "")


class DiagramPanel(QtWidgets.QWidget):
    """The diagram with a chooser for the block whose numbers it shows."""

    box_clicked = QtCore.Signal(str, str)
    menu_asked = QtCore.Signal(int, str, QtCore.QPoint)  # the block on show, a box's key, where (global)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.census = None
        self.block = QtWidgets.QSpinBox(minimum=0, maximum=0)
        prefix, _, suffix = self.tr("block {0}").partition("{0}")  # the number sits where the language puts it
        self.block.setPrefix(prefix)
        self.block.setSuffix(suffix)
        self.block.valueChanged.connect(self._redraw)
        self.canvas = ModelDiagram()
        self.canvas.box_clicked.connect(self.box_clicked)
        self.canvas.menu_asked.connect(lambda key, pos: self.menu_asked.emit(self.block.value(), key, pos))
        self.off_parts: set = set()  # model.ablation.Part switched off: the block on show's are crossed out
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(MIN_WIDTH + 20)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(self.tr("<b>The model as blocks</b>")))
        top.addStretch(1)
        top.addWidget(QtWidgets.QLabel(self.tr("numbers of")))
        top.addWidget(self.block)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(scroll)

    def set_census(self, census) -> None:
        self.census = census
        n = (census.architecture.n_layer or 1) if census is not None else 1
        self.block.blockSignals(True)
        self.block.setMaximum(max(0, n - 1))
        self.block.setValue(0)
        self.block.blockSignals(False)
        self._redraw()

    def show_block(self, block: int) -> None:
        self.block.setValue(block)

    def set_off(self, parts) -> None:
        """The parts switched off (model.ablation.Part): the block on show's attention and MLP boxes are marked."""
        self.off_parts = set(parts)
        self._mark_off()
        self.canvas.update()

    def _mark_off(self) -> None:
        block = self.block.value()
        kinds = {p.kind for p in self.off_parts if p.block == block}
        diagram = self.canvas.diagram
        keys = [b.key for top in diagram.boxes for b in top.walk()] if diagram is not None else []
        self.canvas.off = {k for k in keys if ("attn" in kinds and k == "block.attn") or ("mlp" in kinds and k == "block.mlp")
                           or ("head" in kinds and k == "block.attn.heads")}

    def _redraw(self) -> None:
        self.canvas.set_diagram(model_diagram(self.census, self.block.value()) if self.census is not None else None)
        self._mark_off()
