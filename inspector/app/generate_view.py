"""Generate: the settings panel, the token output, the candidates table and the run plots, over the session's run.

Steps arrive from the worker's thread at the session (session/run.py), which tells this view at most 20 times a
second (`changed`, a RunSnapshot), so drawing never slows decoding down.
"""

from __future__ import annotations

import html
from dataclasses import replace

from ..engine.generator import FINISH_REASONS
from ..engine.metrics import step_series
from . import i18n
from .ablation_panel import AblationPanel
from .candidates_table import CandidatesTable
from .expert_load import ExpertLoad
from .generate_settings import GenerationSettings
from .i18n import plural
from .qt_compat import QtCore, QtWidgets
from .routing_strip import RoutingStrip, routing_of
from .run_plots import RunPlots
from .session import FINISHED, RUNNING
from .splitters import KeptSplitter
from .token_output import TokenOutput

MIDDLE_STRETCH, PLOTS_STRETCH = 3, 2
PLOTS_SHARE = 0.4  # of what the settings panel leaves: the text and candidates get the rest
STRIP_SHARE = 0.4  # at most, of the middle column: a mixture of experts' experts per token under the candidates
LOAD_SHARE = 0.45  # at most, of the plots' column: a mixture of experts' load under the run's plots


class GenerateView(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        run = session.run
        self.panel = GenerationSettings()
        self.output = TokenOutput()
        self.candidates = CandidatesTable()
        self.plots = RunPlots()
        self.routing = RoutingStrip()  # a mixture of experts: its experts per token and their load (else hidden)
        self.load = ExpertLoad()
        self.moe = None  # routing_strip.Routing: the MoE blocks, experts and lost experts of the model
        self.snapshot = run.snapshot()
        self._plotted: tuple | None = None
        self._pending = False  # a run drawn while the tab is hidden waits until it is shown
        self._state_shown: tuple | None = None

        mid = KeptSplitter("generate/middle_splitter", QtCore.Qt.Vertical)
        mid.addWidget(self.output)
        mid.addWidget(self.candidates)
        mid.addWidget(self.routing)
        mid.setChildrenCollapsible(False)
        split = KeptSplitter("generate/splitter")
        panel = QtWidgets.QScrollArea()  # scrolls on a short screen
        panel.setWidget(self.panel)
        panel.setWidgetResizable(True)
        panel.setFrameShape(QtWidgets.QFrame.NoFrame)
        panel.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        left = QtWidgets.QWidget()  # the run's status and note stay in sight below the scrolling settings
        left.setMaximumWidth(self.panel.maximumWidth() + panel.verticalScrollBar().sizeHint().width())
        left.setMinimumWidth(self.panel.minimumSizeHint().width())  # never dragged (or restored) to a sliver
        ll = QtWidgets.QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(panel, 1)
        for label in (self.panel.status, self.panel.note):
            label.setContentsMargins(8, 0, 8, 4)
            ll.addWidget(label)
        split.addWidget(left)
        split.addWidget(self._middle(mid, run.ablation))
        plots = KeptSplitter("generate/plots_splitter", QtCore.Qt.Vertical)
        plots.addWidget(self.plots)
        plots.addWidget(self.load)
        plots.setChildrenCollapsible(False)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 2)
        plots.default_sizes = lambda total: None if self.moe is None else [
            total - (load := min(int(total * LOAD_SHARE), self.load.wanted_height(len(self.moe.blocks)))), load]
        mid.default_sizes = self._mid_sizes
        self.plots_split = plots
        split.addWidget(plots)
        split.setStretchFactor(1, MIDDLE_STRETCH)
        split.setStretchFactor(2, PLOTS_STRETCH)
        split.setChildrenCollapsible(False)
        split.default_sizes = lambda total: self._default_sizes(left, total)
        self.split, self.mid_split = split, mid
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

        p = self.panel
        p.edited.connect(run.set_settings)
        p.step_clicked.connect(lambda: run.go(1))
        p.run_clicked.connect(lambda: run.go(0))
        p.pause_clicked.connect(run.pause)
        p.stop_clicked.connect(run.stop)
        p.reset_clicked.connect(run.reset)
        self.output.token_clicked.connect(run.select)
        self.routing.step_clicked.connect(run.select)
        self.candidates.branch.connect(run.branch)
        run.changed.connect(self.draw)
        run.settings_changed.connect(p.show_settings)
        run.model_changed.connect(self._model_changed)
        p.show_settings(run.settings)
        self._model_changed()
        self.draw(self.snapshot)

    def _middle(self, mid: QtWidgets.QWidget, ablation) -> QtWidgets.QTabWidget:
        """This run's text and candidates, and beside them (a tab) the intact and the switched-off runs."""
        self.ablation_panel = AblationPanel(ablation)
        self.middle = QtWidgets.QTabWidget()
        self.middle.setDocumentMode(True)
        self.middle.addTab(mid, self.tr("This Run"))
        self.middle.addTab(self.ablation_panel, "")
        ablation.parts_changed.connect(self._parts_changed)
        self._parts_changed(ablation.parts, shown=False)
        return self.middle

    def _parts_changed(self, parts, shown: bool = True) -> None:
        """The tab's title counts the parts switched off; switching one off brings the comparison into sight."""
        self.middle.setTabText(1, self.tr("Switched Off ({0})").format(len(parts)) if parts else
                               self.tr("Switched Off"))
        if parts and shown:
            self.middle.setCurrentWidget(self.ablation_panel)

    @staticmethod
    def _default_sizes(left: QtWidgets.QWidget, total: int) -> list[int]:
        panel = min(left.maximumWidth(), max(left.sizeHint().width(), left.minimumSizeHint().width()))
        plots = int((total - panel) * PLOTS_SHARE)
        return [panel, total - panel - plots, plots]

    def _mid_sizes(self, total: int) -> list[int] | None:
        """A mixture of experts: its strip as tall as its rows (up to STRIP_SHARE); the text and candidates share the
        rest as they did.  A dense model: Qt's own positions, as before."""
        if self.moe is None:
            return None
        strip = min(self.routing.wanted_height(len(self.moe.blocks), self.mid_split.width()),
                    int(total * STRIP_SHARE))
        a, b = (self.mid_split.sizes() + [1, 1])[:2]
        a, b = (a, b) if a + b > 0 else (1, 1)
        text = (total - strip) * a // (a + b)
        return [text, total - strip - text, strip]

    def _model_changed(self) -> None:
        """The note on why ids may differ from the float model's, in the interface's language."""
        plan = self.session.run.plan
        self.panel.set_note(i18n.core(plan.note) if plan is not None else None)
        self.moe = routing_of(plan, self.session.model.census)
        self.routing.setVisible(self.moe is not None)
        self.load.setVisible(self.moe is not None)
        self.plots_split.content_changed()
        self.mid_split.content_changed()

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        """Draw the run as it is now, shown or not, rather than at the next tick."""
        self.draw(self.session.run.snapshot(), force=True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.moe is not None:  # laid out at its real width now: the experts strip as tall as its rows
            QtCore.QTimer.singleShot(0, self.mid_split.content_changed)
        if self._pending:
            self.draw(self.snapshot, force=True)

    def draw(self, snap, force: bool = False) -> None:
        """The run as `snap` has it: the panel's buttons and status at once, the text, candidates and plots while the
        tab is hidden only when it is next shown (paging through the Inside tab's steps then costs nothing here)."""
        self.snapshot = snap
        run = self.session.run
        state = (bool(run.path), snap.state, len(snap.steps) if snap.state != RUNNING else -1, id(snap.result))
        if state != self._state_shown:  # on a new state, not on each step or a new selection
            self._state_shown = state
            self.panel.show_state(bool(run.path), snap.state, len(snap.steps))
            self.panel.status.setText(self._status(snap))
        if not (force or self.isVisible()):
            self._pending = True
            return
        self._pending = False
        self.output.render(snap.prompt, snap.steps, snap.selected)
        shown = snap.shown
        if shown is not None:
            self.candidates.show_step(snap.steps[shown], run.candidates_for(shown), snap.state != RUNNING)
        else:
            self.candidates.clear()
        if self.moe is not None:
            m = self.moe
            self.routing.show_run(replace(m, steps=snap.steps, selected=shown))
        plotted = (len(snap.steps), id(snap.steps[-1]) if snap.steps else None, snap.provider)
        if plotted != self._plotted:
            self._plotted = plotted
            self.plots.show_gpu(snap.provider == "cuda")
            if self.moe is not None:
                self.load.show_run(snap.steps, self.moe.blocks, self.moe.experts, self.moe.missing)
            if snap.steps:
                self.plots.draw(step_series(snap.steps))
            else:
                self.plots.clear_run()

    def _status(self, snap) -> str:
        if snap.state == RUNNING:
            return self.tr("running…")
        result = snap.result
        if result is None or not snap.steps:
            return ""
        m = result.metrics.summary()
        n = len(result.new_ids)
        line = plural(n, self.tr("{0} token on {1}"), self.tr("{0} tokens on {1}"), result.provider.upper())
        line += (self.tr(", finished: {0}").format(i18n.core(FINISH_REASONS.get(result.finish, result.finish)))
                 if snap.state == FINISHED else self.tr(", paused"))
        timing = []
        if m["ttft_ms"] is not None:
            timing.append(self.tr("time to first token {0} ms").format(f"{m['ttft_ms']:.1f}"))
        if m["tokens_per_s"]:
            timing.append(self.tr("{0} tokens/s").format(f"{m['tokens_per_s']:.1f}"))
        if result.changes:
            timing.append(self.tr("settings changed from step {0}").format(result.changes[-1][0] + 1))
        return html.escape(line) + ("<br>" + html.escape(", ".join(timing)) if timing else "")
