"""Inside: for the step on show in Generate, where it looked and what each block would have said, beside the
model drawn as blocks.

The steps come from the Generate view (its worker read them with the probed copy of the model); this
view only draws.  It draws when it is visible, so a run with the tab hidden costs nothing here.
"""

from __future__ import annotations

import html

import numpy as np

from .. import palette, units
from ..engine.inside import inside_note, mean_attention
from . import i18n
from .attention_grid import AttentionGrid
from .lens_table import LensTable
from .model_diagram import DiagramPanel
from .qt_compat import QtCore, QtWidgets
from .token_chips import TokenChips

MEAN = -1  # the head chooser's "mean of heads"
HINT = QtCore.QT_TRANSLATE_NOOP("InsideView", "Tick <b>read the inside</b> in Generate, then Step or Run: every step "
                                "then shows where it looked (attention) and what each block would have said "
                                "(the logit lens).")


class InsideView(QtWidgets.QWidget):
    box_clicked = QtCore.Signal(str, str)  # layer, tensor: select them in Layers
    step_picked = QtCore.Signal(int)  # the user moved to another step here
    turn_on = QtCore.Signal()  # the hint's button: tick "read the inside" in Generate

    def __init__(self, parent=None):
        super().__init__(parent)
        self.census = None
        self.source = None  # the GenerateView: steps, context ids, token text
        self.index: int | None = None
        self._drawn: tuple | None = None
        self._pending = False
        self.labels: list[str] = []  # the context of the step on show, as text

        self.step = QtWidgets.QSpinBox(minimum=0, maximum=0)
        self.step.setPrefix(self.tr("step "))
        self.step.valueChanged.connect(self._step_changed)
        self.prev_btn = QtWidgets.QToolButton(text="◀")
        self.next_btn = QtWidgets.QToolButton(text="▶")
        self.prev_btn.clicked.connect(lambda: self.step.setValue(self.step.value() - 1))
        self.next_btn.clicked.connect(lambda: self.step.setValue(self.step.value() + 1))
        self.title = QtWidgets.QLabel()
        self.layer = QtWidgets.QComboBox()
        self.head = QtWidgets.QComboBox()
        for combo in (self.layer, self.head):
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToContents)
        self.layer.currentIndexChanged.connect(self._shade_changed)
        self.head.currentIndexChanged.connect(self._shade_changed)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {palette.NOTE}")
        self.note.setVisible(False)

        self.hint = QtWidgets.QLabel(self.tr(HINT))
        self.hint.setWordWrap(True)
        self.hint_btn = QtWidgets.QPushButton(self.tr("Turn it on"))
        self.hint_btn.clicked.connect(self.turn_on)
        hint_box = QtWidgets.QWidget()
        hl = QtWidgets.QHBoxLayout(hint_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.hint, 1)
        hl.addWidget(self.hint_btn)
        self.hint_box = hint_box

        self.context = TokenChips()
        context_scroll = QtWidgets.QScrollArea()
        context_scroll.setWidgetResizable(True)
        context_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        context_scroll.setWidget(self.context)
        context_scroll.setMinimumHeight(60)
        self.looked = QtWidgets.QLabel()
        self.looked.setWordWrap(True)
        self.grid = AttentionGrid()
        self.grid.picked.connect(self._grid_picked)
        self.lens = LensTable()
        self.diagram = DiagramPanel()
        self.diagram.box_clicked.connect(self.box_clicked)

        header = QtWidgets.QHBoxLayout()
        for w in (self.prev_btn, self.step, self.next_btn):
            header.addWidget(w)
        header.addWidget(self.title, 1)
        header.addWidget(QtWidgets.QLabel(self.tr("shade by")))
        header.addWidget(self.layer)
        header.addWidget(self.head)

        looked = QtWidgets.QWidget()
        al = QtWidgets.QVBoxLayout(looked)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(QtWidgets.QLabel(self.tr("<b>Where it looked</b> — the context shaded by attention "
                                              "(darkest: the most attended position)")))
        al.addWidget(context_scroll, 1)
        al.addWidget(self.looked)
        grid = QtWidgets.QWidget()
        gl = QtWidgets.QVBoxLayout(grid)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.addWidget(QtWidgets.QLabel(self.tr("Every block × head over the context (√weight; click one to shade by it)")))
        gl.addWidget(self.grid, 1)
        attention = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        attention.addWidget(looked)
        attention.addWidget(grid)
        attention.setStretchFactor(0, 1)
        attention.setStretchFactor(1, 2)
        lens = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(lens)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QtWidgets.QLabel(self.tr("<b>What each block would have said</b> — the logit lens")))
        ll.addWidget(self.lens)
        split = QtWidgets.QSplitter()
        split.addWidget(self.diagram)
        split.addWidget(attention)
        split.addWidget(lens)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        self.split = split
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(header)
        lay.addWidget(self.hint_box)
        lay.addWidget(self.note)
        lay.addWidget(split, 1)
        self._show_empty()

    # ------------------------------------------------------------------ inputs
    def fill(self, census):
        """The model's diagram (a staged view step, like the other views' fill)."""
        self.census = census
        self.diagram.set_census(census)
        self.clear()
        yield

    def set_source(self, generate_view) -> None:
        self.source = generate_view

    def clear(self) -> None:
        self.index, self._drawn, self.labels = None, None, []
        self._show_empty()

    def show_step(self, index: int) -> None:
        """The step on show in Generate; drawn now if this view is visible, else when it is shown."""
        self.index = index
        if self.isVisible():
            self.redraw()
        else:
            self._pending = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending:
            self._pending = False
            self.redraw()

    # ------------------------------------------------------------------ drawing
    def _steps(self) -> list:
        return self.source.steps if self.source is not None else []

    def redraw(self) -> None:
        steps = self._steps()
        if self.index is None or not 0 <= self.index < len(steps):
            self._show_empty()
            return
        s = steps[self.index]
        key = (id(s), len(steps))
        if self._drawn == key:
            return
        self._drawn = key
        self.step.blockSignals(True)
        self.step.setMaximum(len(steps) - 1)
        self.step.setValue(self.index)
        self.step.blockSignals(False)
        self.prev_btn.setEnabled(self.index > 0)
        self.next_btn.setEnabled(self.index < len(steps) - 1)
        self.title.setText(self.tr("chose <b>{0}</b> with p = {1}").format(html.escape(units.token(s.text)),
                                                                          f"{s.prob:.3f}"))
        has_inside = s.lens is not None
        self.hint_box.setVisible(not has_inside)
        self.split.widget(1).setEnabled(has_inside)
        self.split.widget(2).setEnabled(has_inside)
        arch = self.census.architecture if self.census is not None else None
        note = inside_note(arch.fused_attention if arch else None, s.attention is not None) if has_inside else None
        self.note.setText(i18n.core(note))
        self.note.setVisible(bool(note))
        if not has_inside:
            self.lens.clear_lens()
            self.grid.set_attention(None, [])
            self.context.set_tokens([])
            self.looked.setText("")
            return
        text_of = self.source.token_text
        self.labels = [text_of(i) for i in self.source.context_ids(self.index)]
        self._fill_choosers(s)
        self.grid.set_attention(s.attention, self.labels)
        if self.layer.count():
            head = self.head.currentData()
            self.grid.select(self.layer.currentData(), None if head in (None, MEAN) else head)
        self.lens.show_lens(s.lens, s.id, text_of)
        self._shade()

    def _fill_choosers(self, s) -> None:
        blocks = len(s.attention or [])
        heads = max((len(a) for a in s.attention or [] if a is not None), default=0)
        if self.layer.count() == blocks and self.head.count() == heads + 1:
            return
        for combo in (self.layer, self.head):
            combo.blockSignals(True)
            combo.clear()
        for b in range(blocks):
            self.layer.addItem(self.tr("block {0}").format(b), b)
        self.head.addItem(self.tr("mean of heads"), MEAN)
        for h in range(heads):
            self.head.addItem(self.tr("head {0}").format(h), h)
        if blocks:
            self.layer.setCurrentIndex(blocks - 1)
        for combo in (self.layer, self.head):
            combo.blockSignals(False)
        self.layer.setEnabled(bool(blocks))
        self.head.setEnabled(bool(blocks))

    def _shade_changed(self) -> None:
        if self.layer.currentIndex() >= 0:
            head = self.head.currentData()
            self.grid.select(self.layer.currentData(), None if head in (None, MEAN) else head)
        self._shade()

    def _grid_picked(self, block: int, head: int) -> None:
        self.layer.setCurrentIndex(block)
        self.head.setCurrentIndex(head + 1)

    def _shade(self) -> None:
        """The context's tokens shaded by the chosen block's (and head's) weights; the choosing position boxed."""
        steps = self._steps()
        if self.index is None or not 0 <= self.index < len(steps):
            return
        s = steps[self.index]
        head = self.head.currentData()
        row = mean_attention(s.attention, self.layer.currentData() if self.layer.count() else -1,
                             None if head in (None, MEAN) else head)
        labels = self.labels
        self.context.set_tokens(labels, row)
        self.diagram.canvas.highlight = {"block.attn", "block.attn.heads"} if row is not None else set()
        if row is not None and self.diagram.block.value() != self.layer.currentData():
            self.diagram.show_block(self.layer.currentData())  # the block whose attention is on show
        self.diagram.canvas.update()
        if row is not None and len(row):
            top = np.argsort(row)[::-1][:5]
            what = self.tr("block {0}, {1}").format(self.layer.currentData(), self.tr("mean of heads") if head in (
                None, MEAN) else self.tr("head {0}").format(head))
            self.looked.setText(self.tr("{0} looked most at: ").format(what) + ", ".join(
                f"<b>{html.escape(units.token(labels[i]))}</b> {row[i]:.2f}" for i in top if i < len(labels)))
        else:
            self.looked.setText("")

    def _step_changed(self, value: int) -> None:
        if value != self.index:
            self.step_picked.emit(value)

    def _show_empty(self) -> None:
        self.title.setText(self.tr("No step yet: run the model in Generate."))
        self.hint_box.setVisible(True)
        self.note.setVisible(False)
        self.prev_btn.setEnabled(False)
        self.next_btn.setEnabled(False)
        self.lens.clear_lens()
        self.grid.set_attention(None, [])
        self.context.set_tokens([])
        self.looked.setText("")
