"""Which experts each generated token went through: one column per token, one row per MoE block, each chosen
expert a cell with its number, shaded by its share of the router's weight in that block (Generate, for a mixture
of experts only).

Painted on one canvas that scrolls both ways; the block names on the left and the tokens along the top stay in
sight as it scrolls.  An expert the export lost (the census's `MoELayer.missing`) is framed in the warning colour
wherever a token was routed to it: that token got nothing from it.  Clicking a column shows that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import palette, units
from .qt_compat import QtCore, QtGui, QtWidgets

PAD, GAP = 4, 6  # around the canvas; between token columns
CELL_PAD = 3  # around an expert's number in its cell
ROW_GAP = 2
SMALL_POINTS = 8.0
DARK_TEXT_FROM = 0.55  # shade above which a cell's number is written in white


@dataclass
class Routing:
    """What the strip draws: the MoE blocks' numbers, the experts per block, the experts each block lost, and per
    step its token, its experts (per block `[(expert, weight)]`) and whether a person chose it."""

    blocks: list[int] = field(default_factory=list)
    experts: int = 0
    missing: dict[int, set[int]] = field(default_factory=dict)  # block → experts the file lacks
    steps: tuple = ()
    selected: int | None = None


def shares(pairs) -> list[tuple[int, float, float]]:
    """(expert, weight, share of the block's chosen weight): DeepSeek's weights carry a scaling factor and need not
    sum to one, so cells are shaded by share and the tooltip says the weight itself."""
    total = sum(max(w, 0.0) for _e, w in pairs) or 1.0
    return [(int(e), float(w), max(float(w), 0.0) / total) for e, w in pairs]


class RoutingCanvas(QtWidgets.QWidget):
    step_clicked = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.routing = Routing()
        self.setMouseTracking(True)
        self._columns: list[QtCore.QRectF] = []
        self._gutter = 0.0

    # ------------------------------------------------------------------ geometry
    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont]:
        small = QtGui.QFont(self.font())
        small.setPointSizeF(SMALL_POINTS)
        return QtGui.QFont(self.font()), small

    def _metrics(self):
        text, small = self._fonts()
        fm, sm = QtGui.QFontMetricsF(text), QtGui.QFontMetricsF(small)
        cell_w = sm.horizontalAdvance("0" * len(str(max(self.routing.experts - 1, 0)))) + 2 * CELL_PAD
        cell_h = sm.height() + 2
        header = fm.height() + 4
        return fm, sm, max(cell_w, cell_h), cell_h, header

    def block_label(self, block: int) -> str:
        return self.tr("block {0}").format(block)

    def set_routing(self, routing: Routing) -> None:
        self.routing = routing
        fm, sm, cell_w, cell_h, header = self._metrics()
        self._gutter = PAD + max((fm.horizontalAdvance(self.block_label(b)) for b in routing.blocks), default=0) + GAP
        width = max((len(pairs) for s in routing.steps for pairs in (s.experts or [])), default=1) * cell_w
        x = self._gutter
        self._columns = []
        for _s in routing.steps:
            self._columns.append(QtCore.QRectF(x, 0, width, 0))
            x += width + GAP
        rows = len(routing.blocks)
        self.setMinimumSize(int(x + PAD), int(header + rows * (cell_h + ROW_GAP) + PAD))
        self.update()

    def height_for(self, blocks: int) -> int:
        """The canvas's height with `blocks` MoE blocks."""
        _fm, _sm, _cw, cell_h, header = self._metrics()
        return int(header + blocks * (cell_h + ROW_GAP) + PAD)

    def row_top(self, row: int) -> float:
        _fm, _sm, _cw, cell_h, header = self._metrics()
        return header + row * (cell_h + ROW_GAP)

    def column_at(self, x: float) -> int | None:
        for i, r in enumerate(self._columns):
            if r.left() <= x <= r.right() + GAP:
                return i
        return None

    def column_rect(self, index: int) -> QtCore.QRectF | None:
        return self._columns[index] if 0 <= index < len(self._columns) else None

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        visible = self.visibleRegion().boundingRect()
        p.fillRect(visible, self.palette().base())
        r = self.routing
        fm, sm, cell_w, cell_h, header = self._metrics()
        text_font, small = self._fonts()
        p.setFont(small)
        for i, (s, col) in enumerate(zip(r.steps, self._columns)):
            if col.right() < visible.left() or col.left() > visible.right():
                continue
            if i == r.selected:
                p.fillRect(QtCore.QRectF(col.left() - GAP / 2, 0, col.width() + GAP, self.height()),
                           QtGui.QColor(palette.tint(palette.SELECTED, 0.35)))
            for row, pairs in enumerate(s.experts or []):
                lost = r.missing.get(r.blocks[row], set()) if row < len(r.blocks) else set()
                y = self.row_top(row)
                for j, (expert, _w, share) in enumerate(shares(pairs)):
                    cell = QtCore.QRectF(col.left() + j * cell_w, y, cell_w - 1, cell_h)
                    p.fillRect(cell, QtGui.QColor(palette.tint(palette.EXPERT, 0.15 + 0.85 * share)))
                    if expert in lost:
                        p.setPen(QtGui.QPen(QtGui.QColor(palette.WARNING), 2))
                        p.drawRect(cell.adjusted(1, 1, -1, -1))
                    p.setPen(QtGui.QColor("#ffffff" if 0.15 + 0.85 * share > DARK_TEXT_FROM else palette.TOKEN_TEXT))
                    p.drawText(cell, QtCore.Qt.AlignCenter, str(expert))
        # the tokens along the top and the blocks on the left stay in sight as the canvas scrolls
        p.fillRect(QtCore.QRectF(visible.left(), visible.top(), visible.width(), header - 2), self.palette().base())
        p.setFont(text_font)
        for i, (s, col) in enumerate(zip(r.steps, self._columns)):
            if col.right() < visible.left() or col.left() > visible.right():
                continue
            label = fm.elidedText(units.token(s.text, quoted=False), QtCore.Qt.ElideRight, col.width() + GAP - 2)
            p.setPen(QtGui.QColor(palette.TOKEN_TEXT))
            p.drawText(QtCore.QRectF(col.left(), visible.top(), col.width() + GAP, header - 2),
                       QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, label)
            if s.forced:
                p.fillRect(QtCore.QRectF(col.left(), visible.top() + header - 4, col.width(), 2),
                           QtGui.QColor(palette.FORCED))
        p.fillRect(QtCore.QRectF(visible.left(), visible.top(), self._gutter - GAP / 2, visible.height()),
                   self.palette().base())
        p.setPen(QtGui.QColor(palette.LABEL))
        p.setFont(small)
        for row, block in enumerate(r.blocks):
            p.drawText(QtCore.QRectF(visible.left() + PAD, self.row_top(row), self._gutter - PAD - GAP, cell_h),
                       QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, self.block_label(block))

    # ------------------------------------------------------------------ input
    def tooltip_at(self, x: float) -> str:
        i = self.column_at(x)
        r = self.routing
        if i is None or i >= len(r.steps):
            return ""
        s = r.steps[i]
        lines = [self.tr("step {0}: {1}").format(i + 1, units.token(s.text))]
        for row, pairs in enumerate(s.experts or []):
            block = r.blocks[row] if row < len(r.blocks) else row
            lost = r.missing.get(block, set())
            chosen = ", ".join(self.tr("expert {0} ({1})").format(e, f"{w:.3f}") for e, w, _ in shares(pairs))
            lines.append(self.tr("block {0}: {1}").format(block, chosen))
            gone = [e for e, _w in pairs if e in lost]
            if gone:
                lines.append(self.tr("  not in this file: {0} (the token got nothing from it)").format(
                    ", ".join(map(str, gone))))
        return "\n".join(lines)

    def mouseMoveEvent(self, event) -> None:
        self.setToolTip(self.tooltip_at(event.position().x()))

    def mousePressEvent(self, event) -> None:
        i = self.column_at(event.position().x())
        if i is not None and i < len(self.routing.steps):
            self.step_clicked.emit(i)


class RoutingStrip(QtWidgets.QWidget):
    """The canvas with its title, scrolling; it follows the newest token unless a person picked one."""

    step_clicked = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = RoutingCanvas()
        self.canvas.step_clicked.connect(self.step_clicked)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        for bar in (self.scroll.horizontalScrollBar(), self.scroll.verticalScrollBar()):
            bar.valueChanged.connect(self.canvas.update)  # the sticky labels are painted where the view is
        self.title = QtWidgets.QLabel(self.tr("<b>Experts per token</b> — each MoE block's chosen experts, "
                                              "darker: more of the router's weight"))
        self.title.setWordWrap(True)
        self.title.setToolTip(self.tr("Hover a token for its experts and their weights; click it to show that step"))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.scroll, 1)
        self._shown: tuple | None = None

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(120, self.fontMetrics().height() + 60)  # a line of title, a row and a scroll bar

    def wanted_height(self, blocks: int, width: int = 0) -> int:
        """Room for the title and every block's row, with a scroll bar under them, at `width` (0: its own)."""
        width = max(width or self.width(), 300)
        return (self.title.heightForWidth(width) + 2 + self.canvas.height_for(blocks)
                + self.scroll.horizontalScrollBar().sizeHint().height() + 2 * self.scroll.frameWidth() + 4)

    def show_run(self, routing: Routing) -> None:
        key = (len(routing.steps), id(routing.steps[-1]) if routing.steps else None, routing.selected,
               tuple(routing.blocks))
        if key == self._shown:
            return
        self._shown = key
        self.canvas.set_routing(routing)
        index = routing.selected if routing.selected is not None else len(routing.steps) - 1
        rect = self.canvas.column_rect(index)
        if rect is not None:
            QtCore.QTimer.singleShot(0, lambda: self.scroll.ensureVisible(
                int(rect.right()), self.scroll.verticalScrollBar().value() + 1, 60, 0))


def routing_of(plan, census) -> Routing | None:
    """The run's MoE blocks and expert count (the run plan's routers) and what the file lost (the census), or None
    for a dense model or one whose routers were not found."""
    routers = getattr(plan, "routers", None) if plan is not None else None
    if routers is None:
        return None
    from ..model.moe import moe_of

    moe = moe_of(census) if census is not None else None
    missing = {layer.block: set(layer.missing) for layer in moe.layers} if moe is not None else {}
    return Routing(list(routers.blocks), int(routers.experts), missing)
