"""Generate: a controller over four small widgets — the settings panel, the token output, the candidates
table and the run plots — and the worker that runs the engine.

Steps arrive from the GenerationWorker's thread as signals and are only collected here; a 20 Hz
timer redraws, so drawing never slows decoding down.
"""

from __future__ import annotations

import html

import numpy as np

from ..engine.generator import FINISH_REASONS
from ..engine.metrics import step_series
from .candidates_table import CandidatesTable
from .generate_settings import GenerationSettings
from . import i18n
from .i18n import plural
from .qt_compat import QtCore, QtWidgets
from .run_plots import RunPlots
from .token_output import TokenOutput
from .workers import GenerationWorker, reaper, start_in_thread

REDRAW_MS = 50
MIDDLE_STRETCH, PLOTS_STRETCH = 3, 2


class GenerateView(QtWidgets.QWidget):
    request = QtCore.Signal(object, object, int)  # prompt (None: continue), config, max steps (0: all)
    error = QtCore.Signal(str, str)
    run_finished = QtCore.Signal(object)  # GenerationResult
    step_shown = QtCore.Signal(int)  # the step whose candidates are on show (selected, or the latest)
    cleared = QtCore.Signal()  # the run was reset: no steps

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model_path: str | None = None
        self.plan = None  # engine.plan.RunPlan: architecture, precision note, what onnxruntime opens
        self.worker: GenerationWorker | None = None
        self.thread: QtCore.QThread | None = None
        self.provider_in_use: str | None = None
        self.steps: list = []
        self.prompt_ids: list[int] = []  # the run's prompt as the model saw it
        self.prompt_text = ""
        self.result = None
        self.running = False
        self.selected_step: int | None = None
        self._dirty = False

        self.settings = GenerationSettings()
        self.output = TokenOutput()
        self.candidates_panel = CandidatesTable()
        self.plots = RunPlots()
        mid = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        mid.addWidget(self.output)
        mid.addWidget(self.candidates_panel)
        split = QtWidgets.QSplitter()
        panel = QtWidgets.QScrollArea()  # scrolls on a short screen: the window fits 1280×720
        panel.setWidget(self.settings)
        panel.setWidgetResizable(True)
        panel.setFrameShape(QtWidgets.QFrame.NoFrame)
        panel.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        left = QtWidgets.QWidget()  # the run's status and note stay in sight below the scrolling settings
        left.setMaximumWidth(self.settings.maximumWidth() + panel.verticalScrollBar().sizeHint().width())
        ll = QtWidgets.QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(panel, 1)
        for label in (self.settings.status, self.settings.note):
            label.setContentsMargins(8, 0, 8, 4)
            ll.addWidget(label)
        split.addWidget(left)
        split.addWidget(mid)
        split.addWidget(self.plots)
        split.setStretchFactor(1, MIDDLE_STRETCH)
        split.setStretchFactor(2, PLOTS_STRETCH)
        split.setChildrenCollapsible(False)
        self.split, self.mid_split = split, mid
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

        s = self.settings
        # the widgets people (and tests) reach for, under the names they had
        self.prompt, self.greedy, self.seed, self.max_tokens = s.prompt, s.greedy, s.seed, s.max_tokens
        self.candidates_n, self.provider, self.stop_at_eos = s.candidates_n, s.provider, s.stop_at_eos
        self.inside = s.inside
        self.step_btn, self.run_btn, self.pause_btn, self.stop_btn = s.step_btn, s.run_btn, s.pause_btn, s.stop_btn
        self.reset_btn, self.status, self.note = s.reset_btn, s.status, s.note
        self.candidates, self.cand_title = self.candidates_panel.table, self.candidates_panel.title

        s.step_clicked.connect(lambda: self._go(1))
        s.run_clicked.connect(lambda: self._go(0))
        s.pause_clicked.connect(self.pause)
        s.stop_clicked.connect(self.stop)
        s.reset_clicked.connect(self.reset)
        s.provider_changed.connect(self._provider_changed)
        self.output.token_clicked.connect(self.select_step)
        self.timer = QtCore.QTimer(self, interval=REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        self._update_buttons()

    # ------------------------------------------------------------------ model and worker
    def set_model(self, path: str | None, plan=None) -> None:
        """A new model (or none): stop and drop the old worker, clear the run.  `plan`: engine/plan.py."""
        self.shutdown()
        self.model_path, self.plan = path, plan
        self.settings.set_note(i18n.core(plan.note) if plan is not None else None)
        self.reset()

    def _provider_changed(self) -> None:
        if self.worker is not None and not self.running:
            self.shutdown()
        self._update_buttons()

    def _ensure_worker(self) -> bool:
        if self.worker is not None:
            return True
        if not self.model_path:
            return False
        self.worker = GenerationWorker(self.model_path, self.provider.currentData(), self.plan)
        self.worker.started.connect(self._on_started)
        self.worker.stepped.connect(self._on_step)
        self.worker.idle.connect(self._on_idle)
        self.worker.failed.connect(self._on_failed)
        self.worker.ready.connect(self._on_ready)
        self.request.connect(self.worker.start_run)
        self.thread = start_in_thread(self.worker, self.worker.open)
        return True

    def shutdown(self) -> None:
        """Stop a run and end the worker thread (on close, on a new model, on a provider change)."""
        if self.worker is not None:
            self.worker.stop()
            try:
                self.request.disconnect(self.worker.start_run)
            except (RuntimeError, TypeError):
                pass
            for sig in (self.worker.started, self.worker.stepped, self.worker.idle, self.worker.failed,
                        self.worker.ready):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        reaper().retire(self.thread, self.worker)  # never blocks, never destroys a running thread
        self.worker = self.thread = None
        self.running = False
        self.provider_in_use = None

    # ------------------------------------------------------------------ actions
    def config(self):
        return self.settings.config()

    def _go(self, max_steps: int) -> None:
        if self.running or not self._ensure_worker():
            return
        fresh = self.result is None and not self.steps
        if self.result is not None and self.result.finish:
            self.reset()
            fresh = True
        prompt = None
        if fresh:
            self.prompt_text = self.prompt.toPlainText()
            prompt = self.prompt_text
        self.running = True
        self.status.setText(self.tr("running…"))
        self._update_buttons()
        self.request.emit(prompt, self.config(), max_steps)

    def run(self) -> None:
        self._go(0)

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def reset(self) -> None:
        if self.running:
            self.stop()
            return
        self.steps, self.result, self.selected_step, self.prompt_ids = [], None, None, []
        self.cleared.emit()
        self.output.reset()
        self.candidates_panel.clear()
        self.plots.clear_run()
        self.status.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        finished = self.result is not None and bool(self.result.finish)
        self.settings.show_state(bool(self.model_path), self.running, bool(self.steps), finished)

    # ------------------------------------------------------------------ worker signals
    @QtCore.Slot(str)
    def _on_ready(self, provider: str) -> None:
        self.provider_in_use = provider
        self.plots.show_gpu(provider == "cuda")

    @QtCore.Slot(object)
    def _on_started(self, prompt_ids) -> None:
        self.prompt_ids = list(prompt_ids)

    @QtCore.Slot(object)
    def _on_step(self, step) -> None:
        if step.prefill:
            self.steps = []
        self.steps.append(step)
        self._dirty = True

    @QtCore.Slot(object)
    def _on_idle(self, result) -> None:
        self.running = False
        self.result = result
        if result is not None:
            m = result.metrics.summary()
            n = len(result.new_ids)
            line = plural(n, self.tr("{0} token on {1}"), self.tr("{0} tokens on {1}"), result.provider.upper())
            line += (self.tr(", finished: {0}").format(i18n.core(FINISH_REASONS.get(result.finish, result.finish)))
                     if result.finish else self.tr(", paused"))
            timing = []
            if m["ttft_ms"] is not None:
                timing.append(self.tr("time to first token {0} ms").format(f"{m['ttft_ms']:.1f}"))
            if m["tokens_per_s"]:
                timing.append(self.tr("{0} tokens/s").format(f"{m['tokens_per_s']:.1f}"))
            self.status.setText(html.escape(line) + ("<br>" + html.escape(", ".join(timing)) if timing else ""))
            if result.finish:
                self.run_finished.emit(result)
        self._dirty = True
        self._update_buttons()

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self.running = False
        self.status.setText("")
        self._update_buttons()
        self.error.emit(message, details)

    def select_step(self, index: int) -> None:
        """Show the candidates of step `index` and mark its token."""
        self.selected_step = index
        self._show_candidates(index)
        self.render_output()
        if 0 <= index < len(self.steps):
            self.step_shown.emit(index)

    def render_output(self) -> None:
        self.output.render(self.prompt_text, self.steps, self.selected_step)

    def _token_clicked(self, url: QtCore.QUrl) -> None:
        self.output._clicked(url)

    # ------------------------------------------------------------------ drawing (timer)
    def redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.render_output()
        if self.steps:
            shown = self.selected_step if self.selected_step is not None else len(self.steps) - 1
            self._show_candidates(shown)
            self.step_shown.emit(shown)
        self.plots.draw(self.series())

    def token_text(self, token_id: int) -> str:
        """A token id as text (the tokenizer decodes one id safely from any thread)."""
        gen = self.worker.gen if self.worker else None
        return gen.token_text(token_id) if gen else f"<{token_id}>"

    def context_ids(self, index: int) -> list[int]:
        """The positions step `index` attended over: the prompt's, then the tokens chosen before it."""
        return self.prompt_ids + [s.id for s in self.steps[:index]]

    def candidates_for(self, index: int) -> list[tuple[str, float, int, bool]]:
        """(token text, probability, id, chosen) for step `index`."""
        s = self.steps[index]
        return [(self.token_text(i), p, i, i == s.id) for i, p in s.top]

    def _show_candidates(self, index: int) -> None:
        if 0 <= index < len(self.steps):
            self.candidates_panel.show_step(self.steps[index], self.candidates_for(index))

    def series(self) -> dict[str, np.ndarray]:
        """The plotted data (engine.metrics.step_series)."""
        return step_series(self.steps)

    def save_settings(self, settings: QtCore.QSettings) -> None:
        self.settings.save_settings(settings)
        settings.setValue("generate/splitter", self.split.saveState())
        settings.setValue("generate/middle_splitter", self.mid_split.saveState())

    def restore_settings(self, settings: QtCore.QSettings) -> None:
        self.settings.restore_settings(settings)
        for key, split in (("generate/splitter", self.split), ("generate/middle_splitter", self.mid_split)):
            if state := settings.value(key):
                split.restoreState(state)
