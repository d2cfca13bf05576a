"""Inside: for the step on show, where it looked and what each block would have said, beside the model drawn
as blocks.

The steps come from the session's run (its worker read them with the probed copy of the model); this view only
draws, and only when it is visible, so a run with the tab hidden costs nothing here.  Steps are numbered as
everywhere a person reads them: the first generated token is step 1.
"""

from __future__ import annotations

import html

import numpy as np

from .. import palette, units
from ..engine.inside import inside_note, mean_attention
from . import i18n
from .ablation_bar import AblationBar
from .attention_grid import HEADER_H, MAX_CELL_H, AttentionGrid
from .heads_panel import HeadsPanel
from .lens_table import LensTable
from .model_diagram import DiagramPanel
from .qt_compat import QtCore, QtWidgets
from .routing_strip import routing_of
from .splitters import KeptSplitter
from .step_experts import StepExperts
from .switch_off_menu import SwitchOffMenu
from .token_chips import TokenChips

MEAN = -1  # the head chooser's "mean of heads"
HINT = QtCore.QT_TRANSLATE_NOOP("InsideView", "Tick <b>read the inside</b> in Generate, then Step or Run: every step "
                                "then shows where it looked (attention) and what each block would have said "
                                "(the logit lens).")


def _wrapping(text: str) -> QtWidgets.QLabel:
    """A caption that wraps rather than holding its pane (and the window) wide."""
    label = QtWidgets.QLabel(text)
    label.setWordWrap(True)
    return label


class InsideView(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.census = None
        self.moe = None  # routing_strip.Routing of a mixture of experts: its MoE blocks and lost experts
        self.snapshot = session.run.snapshot()
        self._drawn: tuple | None = None
        self._pending = False
        self.labels: list[str] = []  # the context of the step on show, as text

        self.step = QtWidgets.QSpinBox(minimum=1, maximum=1)
        self.step.setPrefix(self.tr("step "))
        self.step.setToolTip(self.tr("The step on show: step 1 chose the first generated token"))
        self.step.valueChanged.connect(self._step_changed)
        self.prev_btn = QtWidgets.QToolButton(text="◀")
        self.next_btn = QtWidgets.QToolButton(text="▶")
        self.prev_btn.clicked.connect(lambda: self.step.setValue(self.step.value() - 1))
        self.next_btn.clicked.connect(lambda: self.step.setValue(self.step.value() + 1))
        self.title = QtWidgets.QLabel()
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
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
        self.hint_btn.clicked.connect(self._turn_on)
        hint_box = QtWidgets.QWidget()
        hl = QtWidgets.QHBoxLayout(hint_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.hint, 1)
        hl.addWidget(self.hint_btn)
        self.hint_box = hint_box

        self.context = TokenChips()
        self.context_scroll = context_scroll = QtWidgets.QScrollArea()
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
        self.diagram.box_clicked.connect(session.pick_layer)

        looked = QtWidgets.QWidget()
        al = QtWidgets.QVBoxLayout(looked)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(_wrapping(self.tr("<b>Where it looked</b> — the context shaded by attention "
                                       "(darkest: the most attended position)")))
        al.addWidget(context_scroll, 1)
        al.addWidget(self.looked)
        grid = QtWidgets.QWidget()
        gl = QtWidgets.QVBoxLayout(grid)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.addWidget(_wrapping(self.tr("Every block × head over the context (√weight; click one to shade by it)")))
        gl.addWidget(self.grid, 1)
        lens = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(lens)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(_wrapping(self.tr("<b>What each block would have said</b> — the logit lens")))
        ll.addWidget(self.lens, 1)
        # the context and the grid over the lens: each gets the whole width (the lens shows all its columns)
        right = KeptSplitter("inside/right_splitter", QtCore.Qt.Vertical)
        for pane in (looked, grid, lens):
            right.addWidget(pane)
        right.setChildrenCollapsible(False)  # no pane can be dragged away to nothing
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 2)
        right.setStretchFactor(2, 2)
        right.default_sizes = self._right_sizes
        split = KeptSplitter("inside/splitter")
        split.addWidget(self.diagram)
        split.addWidget(self._pages(right, session.run.ablation))
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.default_sizes = lambda total: [self.diagram.minimumSizeHint().width(),
                                             total - self.diagram.minimumSizeHint().width()]
        self.split, self.right = split, right
        self.panes = (looked, grid, lens)
        header = QtWidgets.QHBoxLayout()
        for w in (self.prev_btn, self.step, self.next_btn):
            header.addWidget(w)
        header.addWidget(self.title, 1)
        header.addWidget(QtWidgets.QLabel(self.tr("shade by")))
        header.addWidget(self.layer)
        header.addWidget(self.head)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(header)
        lay.addWidget(self.hint_box)
        lay.addWidget(self.note)
        self.experts = StepExperts()  # a mixture of experts: the step's experts per block (else hidden)
        self.experts.setVisible(False)
        lay.addWidget(self.experts)
        lay.addWidget(self.ablation_bar)
        lay.addWidget(split, 1)
        self._show_empty()
        session.run.changed.connect(self.show_run)

    def _pages(self, step_pane: QtWidgets.QWidget, ablation) -> QtWidgets.QTabWidget:
        """The step on show, and (a tab) what each head does; right-clicking a head or a diagram box switches it
        off (the session keeps what is off: session/ablation.py)."""
        self.heads_panel = HeadsPanel(ablation)
        self.pages = QtWidgets.QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(step_pane, self.tr("This Step"))
        self.pages.addTab(self.heads_panel, self.tr("What Each Head Does"))
        self.ablation_bar = AblationBar(ablation, go_to=lambda: self.session.go_to.emit("generate"),
                                        hide_when_empty=True)
        self.switch_menu: SwitchOffMenu | None = None
        self.grid.menu_asked.connect(lambda b, h, pos: self._popup(SwitchOffMenu.for_head(ablation, b, h, self), pos))
        self.diagram.menu_asked.connect(lambda b, key, pos: self._popup(SwitchOffMenu.for_box(
            ablation, b, key, self._heads(ablation), self), pos))
        ablation.parts_changed.connect(self._parts_off)
        self._parts_off(ablation.parts)
        return self.pages

    def _heads(self, ablation) -> int:
        hooks = ablation.hooks
        arch = self.census.architecture if self.census is not None else None
        return hooks.n_head if hooks is not None else (arch.n_head or 0) if arch is not None else 0

    def _popup(self, menu, pos) -> None:
        self.switch_menu = menu  # kept: a test (or a keyboard user) reaches its entries
        if menu is not None:
            menu.popup(pos)

    def _parts_off(self, parts) -> None:
        self.grid.set_off({(p.block, p.head if p.kind == "head" else None) for p in parts if p.kind != "mlp"})
        self.diagram.set_off(parts)

    def _right_sizes(self, total: int) -> list[int]:
        """The lens as tall as its rows (one per block), the context two lines of chips, the grid the rest."""
        blocks = (self.census.architecture.n_layer or 0) if self.census is not None else 0
        line = self.fontMetrics().height() + 4
        lens = line + self.lens.horizontalHeader().sizeHint().height() + (blocks or 4) * \
            self.lens.verticalHeader().defaultSectionSize() + 2 * self.lens.frameWidth() + \
            self.lens.horizontalScrollBar().sizeHint().height() + line // 2
        looked = 3 * line + self.context_scroll.minimumHeight() + 2 * self.context_scroll.frameWidth()
        grid_least = self.panes[1].minimumSizeHint().height()
        lens = max(min(lens, total - looked - grid_least), line * 4)
        # the grid's strips stop growing at MAX_CELL_H: what it cannot use goes to the context
        grid = min(total - looked - lens, line + HEADER_H + (blocks or 4) * MAX_CELL_H + 8)
        return [total - lens - grid, grid, lens]

    # ------------------------------------------------------------------ inputs
    def fill(self, census):
        """The model's diagram (a staged view step, like the other views' fill)."""
        self.census = census
        self.moe = routing_of(self.session.run.plan, census)
        self.right.content_changed()  # the lens's rows: one per block of this model
        self.diagram.set_census(census)
        self._drawn = None
        self.show_run(self.session.run.snapshot())
        yield

    def show_run(self, snap) -> None:
        """The run as it is now: drawn if this view is visible, else when it is shown."""
        self.snapshot = snap
        if self.isVisible():
            self.redraw()
        else:
            self._pending = True

    @property
    def index(self) -> int | None:
        """The step on show (0 for the first generated token: the engine's index; it reads as step 1)."""
        return self.snapshot.shown

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending:
            self._pending = False
            self.redraw()
        QtCore.QTimer.singleShot(0, self._follow)  # laid out now: the choosing position in sight

    def _turn_on(self) -> None:
        """The hint's button: "read the inside" ticked in Generate, and that tab shown."""
        self.session.run.update_settings(inside=True)
        self.session.go_to.emit("generate")

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        snap = self.snapshot
        index = snap.shown
        if index is None:
            self._drawn = None
            self._show_empty()
            return
        s = snap.steps[index]
        key = (id(s), len(snap.steps), id(self.census))
        if self._drawn == key:
            return
        self._drawn = key
        self._show_experts(s)
        self.step.blockSignals(True)
        self.step.setMaximum(len(snap.steps))
        self.step.setValue(index + 1)
        self.step.blockSignals(False)
        self.prev_btn.setEnabled(index > 0)
        self.next_btn.setEnabled(index < len(snap.steps) - 1)
        self.title.setText(self.tr("chose <b>{0}</b> with p = {1}").format(html.escape(units.token(s.text)),
                                                                          f"{s.prob:.3f}")
                           + (self.tr(" — your choice; the model had chosen <b>{0}</b>").format(
                               html.escape(units.token(self.session.run.token_text(s.sampled_id))))
                              if s.forced else ""))
        has_inside = s.lens is not None
        self.hint_box.setVisible(not has_inside)
        for pane in self.panes:
            pane.setEnabled(has_inside)
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
        run = self.session.run
        text_of = run.token_text
        self.labels = [text_of(i) for i in list(snap.prompt_ids) + [t.id for t in snap.steps[:index]]]
        self._fill_choosers(s)
        self.grid.set_attention(s.attention, self.labels)
        if self.layer.count():
            head = self.head.currentData()
            self.grid.select(self.layer.currentData(), None if head in (None, MEAN) else head)
        self.lens.show_lens(s.lens, s.id, text_of)
        self._shade()
        QtCore.QTimer.singleShot(0, self._follow)

    def _show_experts(self, s) -> None:
        moe = self.moe if s is not None and s.experts is not None else None
        self.experts.setVisible(moe is not None)
        self.experts.show_step(s if moe is not None else None, moe.blocks if moe else [], moe.missing if moe else {})

    def _follow(self) -> None:
        """The chip strip scrolled to the position that chose the token (the last chip), as the step changes."""
        rect = self.context.last_rect()
        if rect is not None:
            self.context_scroll.ensureVisible(int(rect.center().x()), int(rect.bottom()), 0, 4)

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
        if self.index is None:
            return
        s = self.snapshot.steps[self.index]
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
        if value - 1 != self.index:
            self.session.run.select(value - 1)

    # ------------------------------------------------------------------ kept across a rebuild
    def state(self) -> dict:
        return {"block": self.layer.currentData(), "head": self.head.currentData(), "page": self.pages.currentIndex()}

    def restore_state(self, state: dict) -> None:
        """The block and head it was shaded by (once the run's steps have filled the choosers), the page on show."""
        self.redraw()
        self.pages.setCurrentIndex(state.get("page", 0))
        for combo, value in ((self.layer, state.get("block")), (self.head, state.get("head"))):
            if value is not None and (i := combo.findData(value)) >= 0:
                combo.setCurrentIndex(i)

    def _show_empty(self) -> None:
        self.title.setText(self.tr("No step yet: run the model in Generate."))
        self._show_experts(None)
        self.hint_box.setVisible(True)
        self.note.setVisible(False)
        self.prev_btn.setEnabled(False)
        self.next_btn.setEnabled(False)
        self.lens.clear_lens()
        self.grid.set_attention(None, [])
        self.context.set_tokens([])
        self.looked.setText("")
