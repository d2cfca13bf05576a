"""How often each expert was chosen over the run: a heat map of MoE blocks × experts with one line that answers
"are all experts used?" (Generate's plots column, for a mixture of experts only).

Counted from the run's steps as they arrive (`model.routing.load`, the core's count behind
`GenerationResult.expert_load()`), so it grows while the model runs.  Experts the export lost are crossed out:
nothing can reach them in this file.
"""

from __future__ import annotations

import numpy as np

from .. import palette
from ..model.routing import load as expert_load
from .qt_compat import QtCore, QtGui, QtWidgets

PAD = 4
GUTTER_GAP = 6
MAX_CELL_H = 22
MIN_CELL_H = 3
TICK_PX = 26  # room one expert number needs under the map
EMPTY_CELL = "#f0f0f0"  # an expert no step chose


def never_chosen(counts: np.ndarray, blocks: list[int], missing: dict[int, set[int]]) -> dict[int, list[int]]:
    """Per block, the experts the file holds that no step chose."""
    out = {}
    for row, block in enumerate(blocks[:len(counts)]):
        idle = [e for e in range(counts.shape[1]) if counts[row, e] == 0 and e not in missing.get(block, set())]
        if idle:
            out[block] = idle
    return out


class LoadMap(QtWidgets.QWidget):
    """The painted map: a row per MoE block, a column per expert, shaded by the count over the largest."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts = np.zeros((0, 0), np.int64)
        self.blocks: list[int] = []
        self.missing: dict[int, set[int]] = {}
        self.steps = 0
        self.setMouseTracking(True)
        self.setMinimumHeight(48)

    def set_load(self, counts: np.ndarray, blocks: list[int], missing: dict[int, set[int]], steps: int) -> None:
        self.counts, self.blocks, self.missing, self.steps = counts, blocks, missing, steps
        self.update()

    def _geometry(self) -> tuple[float, float, float, float]:
        """gutter width, cell width, cell height, the map's top."""
        fm = self.fontMetrics()
        gutter = PAD + max((fm.horizontalAdvance(str(b)) for b in self.blocks), default=0) + GUTTER_GAP
        rows, cols = max(len(self.blocks), 1), max(self.counts.shape[1] if self.counts.ndim == 2 else 0, 1)
        cell_w = max((self.width() - gutter - PAD) / cols, 1.0)
        cell_h = min(MAX_CELL_H, max(MIN_CELL_H, (self.height() - fm.height() - 2 * PAD) / rows))
        return gutter, cell_w, cell_h, float(PAD)

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        gutter, cw, ch, top = self._geometry()
        if not self.counts.size or pos.x() < gutter or pos.y() < top:
            return None
        row, col = int((pos.y() - top) // ch), int((pos.x() - gutter) // cw)
        if row < len(self.blocks) and row < self.counts.shape[0] and col < self.counts.shape[1]:
            return row, col
        return None

    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if not self.counts.size:
            return
        gutter, cw, ch, top = self._geometry()
        most = max(int(self.counts.max()), 1)
        fm = self.fontMetrics()
        for row, block in enumerate(self.blocks[:self.counts.shape[0]]):
            y = top + row * ch
            p.setPen(QtGui.QColor(palette.LABEL))
            if ch >= fm.height() * 0.8 or row % max(1, int(fm.height() // ch) + 1) == 0:
                p.drawText(QtCore.QRectF(PAD, y, gutter - PAD - GUTTER_GAP, max(ch, fm.height())),
                           QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, str(block))
            lost = self.missing.get(block, set())
            for e in range(self.counts.shape[1]):
                cell = QtCore.QRectF(gutter + e * cw, y, max(cw - (1 if cw > 4 else 0), 1), max(ch - 1, 1))
                n = int(self.counts[row, e])
                shade = palette.tint(palette.EXPERT, n / most) if n else EMPTY_CELL
                p.fillRect(cell, QtGui.QColor(shade))
                if e in lost:
                    p.setPen(QtGui.QPen(QtGui.QColor(palette.WARNING), 1.2))
                    p.drawLine(cell.topLeft(), cell.bottomRight())
                    p.drawLine(cell.bottomLeft(), cell.topRight())
        # expert numbers under the map, as many as fit
        bottom = top + len(self.blocks) * ch + 2
        every = max(1, int(np.ceil(TICK_PX / cw)))
        p.setPen(QtGui.QColor(palette.LABEL))
        for e in range(0, self.counts.shape[1], every):
            p.drawText(QtCore.QRectF(gutter + e * cw - TICK_PX / 2 + cw / 2, bottom, TICK_PX, fm.height()),
                       QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop, str(e))

    def tooltip_at(self, pos: QtCore.QPointF) -> str:
        cell = self.cell_at(pos)
        if cell is None:
            return ""
        row, e = cell
        block = self.blocks[row]
        if e in self.missing.get(block, set()):
            return self.tr("block {0}, expert {1}: not in this file (the export lost it)").format(block, e)
        return self.tr("block {0}, expert {1}: chosen at {2} of {3} steps").format(
            block, e, int(self.counts[row, e]), self.steps)

    def mouseMoveEvent(self, event) -> None:
        self.setToolTip(self.tooltip_at(event.position()))


class ExpertLoad(QtWidgets.QWidget):
    """The map with its title and the answer in words."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.map = LoadMap()
        self.title = QtWidgets.QLabel(self.tr("<b>Expert load</b> over the run"))
        self.title.setToolTip(self.tr("How many times each expert was chosen: a row per MoE block, a column per "
                                      "expert; darker is more often, crossed out: not in this file"))
        self.title.setWordWrap(True)
        self.answer = QtWidgets.QLabel()
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(QtCore.Qt.PlainText)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.map, 1)
        lay.addWidget(self.answer)
        self.counts = np.zeros((0, 0), np.int64)
        self._counted: list = []  # the steps counted so far (the same objects: a run that grows)
        self._chosen = 0  # of them, the steps with experts

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(120, 100)

    def wanted_height(self, blocks: int) -> int:
        """Room for the title, every block's row at its full height, the expert numbers and a two-line answer."""
        line = self.fontMetrics().height()
        return 4 * line + blocks * MAX_CELL_H + 2 * PAD + 12

    def show_run(self, steps, blocks: list[int], experts: int, missing: dict[int, set[int]]) -> None:
        """The load over `steps`: only the steps new since the last call are counted while a run grows (a long run
        of a large mixture would otherwise recount every step at each redraw)."""
        n = len(self._counted)
        grows = 0 < n <= len(steps) and steps[n - 1] is self._counted[-1] and self.counts.shape == (len(blocks), experts)
        if not grows:
            self.counts, self._counted, self._chosen = np.zeros((len(blocks), experts), np.int64), [], 0
        new = [s.experts for s in steps[len(self._counted):] if s.experts is not None]
        if new:
            added = expert_load(new, experts)
            self.counts[:added.shape[0]] += added[:len(blocks)]
        self._counted = list(steps)
        self._chosen += len(new)
        self.map.set_load(self.counts, blocks, missing, self._chosen)
        self.answer.setText(self.summary(self.counts, blocks, experts, missing, self._chosen))

    def summary(self, counts, blocks, experts: int, missing, steps: int) -> str:
        if not steps:
            return self.tr("No step yet: the load fills in as the model runs.")
        idle = never_chosen(counts, blocks, missing)
        if not idle:
            return self.tr("Every expert in the file was chosen at least once in {0} steps.").format(steps)
        parts = "; ".join(self.tr("block {0}: {1}").format(b, ", ".join(map(str, es))) for b, es in idle.items())
        return self.tr("Never chosen in {0} steps — {1}").format(steps, parts)
